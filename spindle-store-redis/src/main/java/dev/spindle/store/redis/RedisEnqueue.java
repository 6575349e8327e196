package dev.spindle.store.redis;

import dev.spindle.queue.JobNotFoundException;
import dev.spindle.queue.JobState;
import dev.spindle.queue.StoreException;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.JobStore;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.store.Workflows;
import dev.spindle.store.redis.internal.NamespaceEpoch;
import dev.spindle.store.redis.internal.Policies;
import dev.spindle.store.redis.internal.RedisLink;
import dev.spindle.store.redis.internal.Rows;
import dev.spindle.store.redis.internal.Script;
import dev.spindle.store.redis.internal.Times;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The enqueue path of {@link RedisJobStore}: batches cut into bounded script calls
 * ({@link RedisJobStore#MAX_JOBS_PER_SCRIPT}, {@link RedisJobStore#MAX_BYTES_PER_SCRIPT}),
 * concurrent small batches combined into one call ({@link EnqueueCombiner}), workflows in one call
 * of any size, and children added to a running job. Each script call first checks that Redis still
 * has the namespace's data ({@link NamespaceEpoch}). Thread-safe.
 */
final class RedisEnqueue {
  private final RedisJobStore store;
  private final RedisLink link;
  private final NamespaceEpoch epoch;
  private final StoredPolicies storedPolicies = new StoredPolicies();
  /**
   * Combined enqueue calls on their way at once. With one, 16 threads enqueueing single jobs waited
   * for each group's round trip in turn: 23,800-27,200 jobs/s; with 4, 25,800-33,100 (+20 to +35 %),
   * for 6 us more Redis CPU per job (smaller groups: 26-28 against 19-22 us). Measured side by side,
   * {@code RedisBench single --jobs 100000 --rounds 2}, 2026-11-25.
   */
  static final int ENQUEUE_CALLS_IN_FLIGHT = 4;

  /** Combines concurrent enqueues into one script call (group commit), a few calls in flight. */
  private final EnqueueCombiner combiner = new EnqueueCombiner(jobs -> enqueueChunk(jobs, false),
      RedisJobStore.MAX_JOBS_PER_SCRIPT, RedisJobStore.MAX_BYTES_PER_SCRIPT, ENQUEUE_CALLS_IN_FLIGHT);

  /** @param store gives request ids and the callers' times as scripts read them */
  RedisEnqueue(RedisJobStore store, RedisLink link, NamespaceEpoch epoch) {
    this.store = store;
    this.link = link;
    this.epoch = epoch;
  }

  /** {@link JobStore#enqueue}, as {@link RedisJobStore#enqueue} describes it. */
  List<EnqueueResult> enqueue(List<NewJob> jobs) {
    if (jobs.isEmpty()) {
      return List.of();
    }
    boolean workflow = false;
    for (NewJob j : jobs) {
      workflow |= Objects.requireNonNull(j, "job").hasDependencies();
    }
    if (workflow) {
      Workflows.checkBatch(jobs);
      return enqueueChunk(jobs, true);
    }
    if (EnqueueArgs.chunkEnd(jobs, 0) == jobs.size()) {
      return combiner.enqueue(jobs);
    }
    List<EnqueueResult> out = new ArrayList<>(jobs.size());
    int from = 0;
    while (from < jobs.size()) {
      int end = EnqueueArgs.chunkEnd(jobs, from);
      try {
        out.addAll(enqueueChunk(jobs.subList(from, end), false));
        from = end;
      } catch (StoreException e) {
        if (from == 0) {
          throw e;
        }
        throw new StoreException(e.reason(), "enqueued only the first " + from + " of "
            + jobs.size() + " jobs (in chunks of at most " + RedisJobStore.MAX_JOBS_PER_SCRIPT + "; the last id added is "
            + out.get(out.size() - 1).jobId() + "); the other " + (jobs.size() - from) + " were not added: "
            + e.getMessage(), e);
      }
    }
    return List.copyOf(out);
  }

  /** One script call; if Redis lost the namespace's data since this instance last looked, records that first. */
  private List<EnqueueResult> enqueueChunk(List<NewJob> jobs, boolean dependencies) {
    if (!dependencies && jobs.size() == 1 && plain(jobs.get(0))) {
      return List.of(enqueueOne(jobs.get(0)));
    }
    for (int attempt = 0; ; attempt++) {
      List<String> args = new ArrayList<>(jobs.size() * 2 + 16);
      args.add(store.rid());
      String expected = attempt == 0 ? epoch.expected() : "";
      args.add(expected);
      args.add(store.nowArg(jobs.get(0).createdAt()));
      EnqueueArgs.appendJobs(args, jobs);
      boolean keyed = jobs.stream().anyMatch(j -> j.flowKey() != null);
      if (dependencies || keyed) {
        EnqueueArgs.appendDependencies(args, jobs);
      }
      if (keyed) {
        EnqueueArgs.appendFlowKeys(args, jobs);
      }
      List<?> r = link.script(Script.ENQUEUE, true, args.toArray(String[]::new));
      if ("epoch".equals(r.get(0))) {
        epoch.changed(expected, (String) r.get(1), "enqueue");
        continue;
      }
      if ("missing".equals(r.get(0))) {
        throw new IllegalArgumentException("job #" + r.get(2) + " of the batch depends on job " + r.get(1)
            + ", which does not exist; nothing was added");
      }
      if ("badref".equals(r.get(0))) {
        throw new IllegalArgumentException("job #" + r.get(2) + " of the batch depends on " + r.get(1)
            + ", which is not an earlier job of the batch; nothing was added");
      }
      List<EnqueueResult> out = EnqueueArgs.results(jobs, r, 0);
      epoch.saw(out.get(out.size() - 1).jobId());
      return out;
    }
  }

  /** Whether {@code j} fits {@code enqueue_one}: no unique key, dependencies or flow key. */
  private static boolean plain(NewJob j) {
    return j.uniqueKey() == null && !j.hasDependencies() && j.flowKey() == null;
  }

  /**
   * One {@link #plain} job with {@code enqueue_one}: the fewest commands a job costs Redis. Its
   * policy's text goes along only until a call stored it under the epoch in force.
   */
  private EnqueueResult enqueueOne(NewJob j) {
    String policy = Policies.id(j.policy());
    String created = Times.encode(j.createdAt());
    String runAt = j.runAt().equals(j.createdAt()) ? created : Times.encode(j.runAt());
    for (int attempt = 0; ; attempt++) {
      String expected = attempt == 0 ? epoch.expected() : "";
      List<?> r = link.script(Script.ENQUEUE_ONE, true, store.rid(), expected, store.nowArg(j.createdAt()), policy,
          storedPolicies.has(expected, policy) ? "" : Policies.encode(j.policy()), j.queue(),
          Integer.toString(j.priority()), runAt, created, j.isDelayed() ? "1" : "0", Rows.header(j, policy));
      if ("epoch".equals(r.get(0))) {
        epoch.changed(expected, (String) r.get(1), "enqueue");
        continue;
      }
      storedPolicies.add(expected, policy);
      String id = (String) r.get(1);
      epoch.saw(id);
      return new EnqueueResult(id, true, j.isDelayed() ? JobState.SCHEDULED : JobState.QUEUED);
    }
  }

  /**
   * The policies this instance stored under one namespace epoch: their texts need not go along
   * again while that epoch holds (Redis lost nothing since, so they are still there). Nothing is
   * known without an epoch. Thread-safe.
   */
  private static final class StoredPolicies {
    private String epoch = "";
    private final Set<String> ids = new HashSet<>();

    synchronized boolean has(String epoch, String policy) {
      return !epoch.isEmpty() && epoch.equals(this.epoch) && ids.contains(policy);
    }

    synchronized void add(String epoch, String policy) {
      if (epoch.isEmpty()) {
        return;
      }
      if (!epoch.equals(this.epoch)) {
        this.epoch = epoch;
        ids.clear();
      }
      ids.add(policy);
    }
  }

  /** {@link JobStore#addChildren}, as {@link RedisJobStore#addChildren} describes it. */
  List<EnqueueResult> addChildren(String parentId, long fence, List<NewJob> jobs, List<Integer> exits) {
    String id = RedisJobStore.canonicalId(parentId);
    if (id == null) {
      throw new JobNotFoundException(parentId);
    }
    for (NewJob j : jobs) {
      Objects.requireNonNull(j, "job");
    }
    // the arguments first (as if RUNNING under the fence); the script checks the parent itself
    Workflows.checkChildren(parentId, JobState.RUNNING, fence, fence, jobs, exits);
    Workflows.checkBatch(jobs);
    List<String> args = new ArrayList<>(jobs.size() * 2 + 16);
    args.add(store.rid());
    args.add(id);
    args.add(Long.toString(fence));
    StringBuilder ex = new StringBuilder();
    for (Integer x : exits) {
      ex.append(ex.isEmpty() ? "" : ",").append(x);
    }
    args.add(ex.toString());
    args.add(store.nowArg(jobs.get(0).createdAt()));
    EnqueueArgs.appendJobs(args, jobs);
    EnqueueArgs.appendDependencies(args, jobs);
    List<?> r = link.script(Script.ADD_CHILDREN, true, args.toArray(String[]::new));
    switch ((String) r.get(0)) {
      case "NOT_FOUND" -> throw new JobNotFoundException(parentId);
      case "STATE" -> {
        Workflows.checkChildren(parentId, JobState.valueOf((String) r.get(1)), Long.parseLong((String) r.get(2)),
            fence, jobs, exits);
        throw new IllegalStateException("job " + parentId + " cannot add children; nothing was added");
      }
      case "missing" -> throw new IllegalArgumentException("child #" + r.get(2) + " depends on job " + r.get(1)
          + ", which does not exist; nothing was added");
      case "badref" -> throw new IllegalArgumentException("child #" + r.get(2) + " depends on " + r.get(1)
          + ", which is not an earlier job of the batch; nothing was added");
      default -> {
        List<EnqueueResult> out = EnqueueArgs.results(jobs, r, 0);
        epoch.saw(out.get(out.size() - 1).jobId());
        return out;
      }
    }
  }
}
