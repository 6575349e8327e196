package dev.spindle.store.redis;

import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.Dependency;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.store.redis.internal.LuaStateMachine;
import dev.spindle.store.redis.internal.Policies;
import dev.spindle.store.redis.internal.Rows;
import dev.spindle.store.redis.internal.Times;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The arguments and replies of the enqueue scripts ({@code enqueue}, {@code add_children},
 * {@code fire_schedule}; see {@code lua/lib/keys.lua}) for {@link RedisJobStore}: how a batch is cut
 * into script-sized chunks, its jobs and dependencies in the scripts' form, and the enqueue results
 * read back. Pure functions; thread-safe.
 */
final class EnqueueArgs {
  private EnqueueArgs() {}

  /** The end (exclusive) of the chunk starting at {@code from}: within both per-call bounds, at least one job. */
  static int chunkEnd(List<NewJob> jobs, int from) {
    long bytes = 0;
    int end = from;
    int max = (int) Math.min(jobs.size(), (long) from + RedisJobStore.MAX_JOBS_PER_SCRIPT);
    while (end < max) {
      bytes += size(jobs.get(end));
      if (bytes > RedisJobStore.MAX_BYTES_PER_SCRIPT && end > from) {
        break;
      }
      end++;
    }
    return end;
  }

  /** About how many characters a job adds to the enqueue script's arguments. */
  static long size(NewJob n) {
    return 96 + n.task().length() + n.argsJson().length() + (n.uniqueKey() == null ? 0 : n.uniqueKey().length())
        + (n.traceContext() == null ? 0 : n.traceContext().length());
  }

  /** About how many characters the jobs add to the enqueue script's arguments. */
  static long size(List<NewJob> jobs) {
    long bytes = 0;
    for (NewJob n : jobs) {
      bytes += size(n);
    }
    return bytes;
  }

  /** Enqueue results, in the order of {@code jobs} (the script answers in that order too). */
  static List<EnqueueResult> results(List<NewJob> jobs, List<?> r, int offset) {
    EnqueueResult[] out = new EnqueueResult[jobs.size()];
    if ("ids".equals(r.get(offset))) {
      long next = Long.parseLong((String) r.get(offset + 1));
      for (int i = 0; i < out.length; i++) {
        out[i] = new EnqueueResult(Long.toString(next++), true,
            jobs.get(i).isDelayed() ? JobState.SCHEDULED : JobState.QUEUED);
      }
      return List.of(out);
    }
    for (int i = 0, k = offset; i < out.length; i++, k += 3) {
      out[i] = new EnqueueResult((String) r.get(k), "1".equals(r.get(k + 1)), JobState.valueOf((String) r.get(k + 2)));
    }
    return List.of(out);
  }

  /**
   * Options a run of consecutive jobs shares in the enqueue script's arguments. The scripts read a
   * job's times only as its delay (run-at minus creation, added to the store's now), so jobs made
   * at different times share a run, such as single enqueues combined into one call.
   */
  private record Group(String queue, int priority, Duration delay, boolean delayed, JobPolicy policy) {
    static Group of(NewJob n) {
      return new Group(n.queue(), n.priority(), Duration.between(n.createdAt(), n.runAt()), n.isDelayed(), n.policy());
    }
  }

  /**
   * Appends a job batch in the enqueue script's form: the distinct policies, then runs of
   * consecutive jobs with the same options (a batch from {@code enqueueAll} is one run), so the
   * script adds them in input order.
   */
  static void appendJobs(List<String> args, List<NewJob> jobs) {
    appendJobs(args, jobs, policy -> false);
  }

  /**
   * {@link #appendJobs(List, List)}, with an empty text for each policy id that {@code stored}
   * accepts (the scripts then do not write it again).
   */
  static void appendJobs(List<String> args, List<NewJob> jobs, Predicate<String> stored) {
    Map<JobPolicy, String[]> policies = new LinkedHashMap<>();
    List<Group> runs = new ArrayList<>();
    List<Integer> starts = new ArrayList<>();
    Group last = null;
    for (int i = 0; i < jobs.size(); i++) {
      NewJob n = Objects.requireNonNull(jobs.get(i), "job");
      policies.computeIfAbsent(n.policy(), p -> {
        String id = Policies.id(p);
        return new String[] {Integer.toString(policies.size() + 1), id, stored.test(id) ? "" : Policies.encode(p)};
      });
      Group g = Group.of(n);
      if (!g.equals(last)) {
        runs.add(g);
        starts.add(i);
        last = g;
      }
    }
    args.add(Integer.toString(policies.size()));
    for (String[] p : policies.values()) {
      args.add(p[1]);
      args.add(p[2]);
    }
    args.add(Integer.toString(runs.size()));
    for (int r = 0; r < runs.size(); r++) {
      Group g = runs.get(r);
      int from = starts.get(r);
      int to = r + 1 < runs.size() ? starts.get(r + 1) : jobs.size();
      String[] p = Objects.requireNonNull(policies.get(g.policy()), "every group's policy was listed above");
      args.add(g.queue());
      args.add(Integer.toString(g.priority()));
      args.add(Times.encode(jobs.get(from).runAt())); // the run's delay, as the first job's times
      args.add(Times.encode(jobs.get(from).createdAt()));
      args.add(g.delayed() ? "1" : "0");
      args.add(p[0]);
      args.add(Integer.toString(to - from));
      for (int i = from; i < to; i++) {
        NewJob n = jobs.get(i);
        args.add(Rows.header(n, p[1]));
        args.add(n.uniqueKey() == null ? "" : n.uniqueKey());
      }
    }
  }

  /**
   * Appends the enqueue script's dependency section: how many jobs have dependencies, then per such
   * job its batch position, input mode, creation time and {@code <policy code><job id or #index>}
   * list (see lua/lib/enqueue.lua).
   */
  static void appendDependencies(List<String> args, List<NewJob> jobs) {
    int at = args.size();
    args.add("");
    int n = 0;
    for (int i = 0; i < jobs.size(); i++) {
      NewJob j = jobs.get(i);
      if (!j.hasDependencies()) {
        continue;
      }
      n++;
      args.add(Integer.toString(i));
      args.add(switch (j.input()) {
        case ARGS -> "A";
        case RESULT -> "R";
        case RESULTS -> "S";
        case OUTCOMES -> "O";
      });
      StringBuilder spec = new StringBuilder(j.dependsOn().size() * 8);
      for (Dependency d : j.dependsOn()) {
        if (!spec.isEmpty()) {
          spec.append(',');
        }
        spec.append(LuaStateMachine.policyCode(d.policy())).append(d.on());
      }
      args.add(spec.toString());
    }
    args.set(at, Integer.toString(n));
  }

  /**
   * Appends the flow keys (after the dependencies): "FK", how many, then per keyed job its position
   * and key, or '!' and the error JSON for a key that could not be computed (see {@code enqueue} in
   * {@code lua/lib/enqueue.lua}).
   */
  static void appendFlowKeys(List<String> args, List<NewJob> jobs) {
    args.add("FK");
    int at = args.size();
    args.add("");
    int n = 0;
    for (int i = 0; i < jobs.size(); i++) {
      String k = jobs.get(i).flowKey();
      if (k == null) {
        continue;
      }
      n++;
      args.add(Integer.toString(i));
      args.add(dev.spindle.queue.spi.FlowControl.isBad(k) ? "!" + dev.spindle.queue.spi.FlowControl.badKeyError(k) : k);
    }
    args.set(at, Integer.toString(n));
  }
}
