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
import dev.spindle.store.redis.internal.Script;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

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
  /** The shortest time an enqueue's reply is kept for a retried request. */
  static final Duration MIN_REPLY_TTL = Duration.ofMinutes(1);
  /**
   * Combined calls on their way at once. 16 enqueues in flight from one thread, AOF everysec,
   * 2 processes of 2 rounds per setting: with one call in flight (calls of 16 jobs) 48,064-54,075
   * jobs/s at 12.5-14.4 us of Redis CPU per job; with two (calls of 8, one built while Redis runs
   * the other) 39,227-45,747 at 15.7-18.5 us. 16 threads each waiting for its enqueue, 3 processes
   * of 2 rounds: one call in flight 41,732-45,511 jobs/s at 12.0-14.2 us, against 35,723-51,274 at
   * 16.7-18.5 us with four in flight. {@code RedisBench single --jobs 60000 --rounds 2 --bullmq yes},
   * 2026-11-29.
   */
  static final int CALLS_IN_FLIGHT = 1;
  /** Combines small enqueues, waiting or not, into one script call (group commit). */
  private final EnqueueCombiner combiner = new EnqueueCombiner(this::sendAsync, RedisJobStore.MAX_JOBS_PER_SCRIPT,
      RedisJobStore.MAX_BYTES_PER_SCRIPT, CALLS_IN_FLIGHT);

  /**
   * How long Redis keeps an enqueue's reply for a retried request, in milliseconds: twice the
   * longest an enqueue is retried (the retry budget plus one more call's timeout), at least a minute.
   */
  private final String replyTtlMillis;

  /** @param store gives request ids and the callers' times as scripts read them */
  RedisEnqueue(RedisJobStore store, RedisLink link, NamespaceEpoch epoch) {
    this.store = store;
    this.link = link;
    this.epoch = epoch;
    this.replyTtlMillis = Long.toString(replyTtl(link.config()).toMillis());
  }

  /** {@link #replyTtlMillis} for a configuration. */
  static Duration replyTtl(RedisStoreConfig config) {
    Duration retried = config.retryBudget().plus(config.commandTimeout()).multipliedBy(2);
    return retried.compareTo(MIN_REPLY_TTL) < 0 ? MIN_REPLY_TTL : retried;
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
      return enqueueChunk(jobs, true, 0);
    }
    if (EnqueueArgs.chunkEnd(jobs, 0) == jobs.size()) {
      link.checkMayBlock(); // the reply that ends the wait is read on the I/O thread
      return combiner.enqueueAndWait(jobs);
    }
    List<EnqueueResult> out = new ArrayList<>(jobs.size());
    int from = 0;
    while (from < jobs.size()) {
      int end = EnqueueArgs.chunkEnd(jobs, from);
      try {
        out.addAll(enqueueChunk(jobs.subList(from, end), false, 0));
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

  /**
   * {@link JobStore#enqueueAsync}, as {@link RedisJobStore#enqueueAsync} describes it: a batch that
   * fits one script call goes through the {@link EnqueueCombiner}; a workflow or a larger batch
   * is enqueued as {@link #enqueue} does, on a new virtual thread.
   */
  CompletableFuture<List<EnqueueResult>> enqueueAsync(List<NewJob> batch) {
    List<NewJob> jobs = List.copyOf(batch); // the caller may reuse its list before the call goes out
    if (jobs.isEmpty()) {
      return CompletableFuture.completedFuture(List.of());
    }
    boolean workflow = jobs.stream().anyMatch(NewJob::hasDependencies);
    if (workflow || EnqueueArgs.chunkEnd(jobs, 0) < jobs.size()) {
      return inVirtualThread(() -> enqueue(jobs));
    }
    return combiner.enqueue(jobs);
  }

  /**
   * One script call, without waiting. If Redis lost the namespace's data since this instance last
   * looked (nothing was added), a virtual thread records that and enqueues the jobs again.
   */
  private CompletableFuture<List<EnqueueResult>> sendAsync(List<NewJob> jobs) {
    String expected = epoch.expected();
    CompletableFuture<List<?>> call = link.scriptAsync(script(jobs, false), args(jobs, false, expected));
    return call.thenCompose(r -> {
      if ("epoch".equals(r.get(0))) {
        return inVirtualThread(() -> {
          epoch.changed(expected, (String) r.get(1), "enqueue");
          return enqueueChunk(jobs, false, 1);
        });
      }
      return CompletableFuture.completedFuture(outcome(jobs, r, expected));
    });
  }

  /** Runs {@code enqueue} on a new virtual thread, completing the future with its outcome. */
  private static CompletableFuture<List<EnqueueResult>> inVirtualThread(Supplier<List<EnqueueResult>> enqueue) {
    return CompletableFuture.supplyAsync(enqueue, r -> Thread.ofVirtual().name("spindle-redis-enqueue").start(r));
  }

  /**
   * One script call ({@code enqueue_plain} when no job has a unique key, dependencies or a flow key,
   * else {@code enqueue}); if Redis lost the namespace's data since this instance last looked,
   * records that first. {@code attempt} 0 checks the namespace's marker, a later one (after the
   * loss was recorded) does not.
   */
  private List<EnqueueResult> enqueueChunk(List<NewJob> jobs, boolean dependencies, int attempt) {
    Script script = script(jobs, dependencies);
    for (int a = attempt; ; a++) {
      String expected = a == 0 ? epoch.expected() : "";
      List<?> r = link.script(script, true, args(jobs, dependencies, expected));
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
      return outcome(jobs, r, expected);
    }
  }

  /** The arguments of one enqueue call under the namespace marker {@code expected} ('' for none). */
  private String[] args(List<NewJob> jobs, boolean dependencies, String expected) {
    List<String> args = new ArrayList<>(jobs.size() * 2 + 16);
    args.add(store.rid());
    args.add(expected);
    args.add(replyTtlMillis);
    args.add(store.nowArg(jobs.get(0).createdAt()));
    EnqueueArgs.appendJobs(args, jobs, policy -> storedPolicies.has(expected, policy));
    boolean keyed = jobs.stream().anyMatch(j -> j.flowKey() != null);
    if (dependencies || keyed) {
      EnqueueArgs.appendDependencies(args, jobs);
    }
    if (keyed) {
      EnqueueArgs.appendFlowKeys(args, jobs);
    }
    return args.toArray(String[]::new);
  }

  /** The results of a call that added its jobs (reply {@code r}), noting what it stored. */
  private List<EnqueueResult> outcome(List<NewJob> jobs, List<?> r, String expected) {
    List<EnqueueResult> out = EnqueueArgs.results(jobs, r, 0);
    if (out.stream().anyMatch(EnqueueResult::created)) { // else the script wrote no policy
      storedPolicies.add(expected, jobs);
    }
    epoch.saw(out.get(out.size() - 1).jobId());
    return out;
  }

  /** {@code enqueue_plain} if no job has a unique key, dependencies or a flow key, else {@code enqueue}. */
  private static Script script(List<NewJob> jobs, boolean dependencies) {
    return !dependencies && jobs.stream().allMatch(RedisEnqueue::plain) ? Script.ENQUEUE_PLAIN : Script.ENQUEUE;
  }

  /** Whether {@code j} fits {@code enqueue_plain}: no unique key, dependencies or flow key. */
  private static boolean plain(NewJob j) {
    return j.uniqueKey() == null && !j.hasDependencies() && j.flowKey() == null;
  }

  /**
   * The policies this instance stored under one namespace epoch: their texts need not go along
   * again while that epoch holds (Redis lost nothing since, so they are still there; the scripts
   * check the epoch before they add a job). Nothing is known without an epoch. Holds at most
   * {@value #LIMIT} ids (then starts over: texts go along again). Thread-safe.
   */
  private static final class StoredPolicies {
    private static final int LIMIT = 1024;
    private String epoch = "";
    private final Set<String> ids = new HashSet<>();

    synchronized boolean has(String epoch, String policy) {
      return !epoch.isEmpty() && epoch.equals(this.epoch) && ids.contains(policy);
    }

    /** Notes the policies of {@code jobs}, just added under {@code epoch}. */
    synchronized void add(String epoch, List<NewJob> jobs) {
      if (epoch.isEmpty()) {
        return;
      }
      if (!epoch.equals(this.epoch) || ids.size() >= LIMIT) {
        this.epoch = epoch;
        ids.clear();
      }
      for (NewJob j : jobs) {
        ids.add(Policies.id(j.policy()));
      }
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
