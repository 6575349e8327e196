package dev.spindle.queue.spi;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobNotFoundException;
import dev.spindle.queue.JobState;
import dev.spindle.queue.StoreException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * The storage backend of a durable queue: the narrow set of atomic operations producers and workers
 * need. Every backend (in-memory, SQLite, PostgreSQL, Redis) implements it with the same
 * semantics, checked by the contract suite {@code dev.spindle.testkit.store.JobStoreContract}.
 * It holds the hot path only: what producers ({@link dev.spindle.queue.JobQueue}) and workers call.
 * Operators' queries, repairs, statistics and limit administration live in the separate
 * {@link StoreAdmin}, which workers never see; a backend hands out both as one {@link StoreBackend}.
 *
 * <p>Rules every implementation follows:
 * <ul>
 *   <li>Each method is atomic: it happens entirely or not at all, even if the process is killed
 *       midway. A failure throws {@link StoreException} and changes nothing.
 *   <li>State changes follow {@link JobState}'s transition table.
 *   <li>Job ids are decimal strings of positive numbers that increase with enqueue order.
 *   <li>One clock decides: leases, heartbeats, due times of delayed and retried jobs, reclaim,
 *       finish and expiry times are read on the <em>store's</em> clock (Redis: {@code TIME} inside
 *       the scripts; PostgreSQL: the server's clock; SQLite: the host's real-time clock; in
 *       memory: the store's {@code Clock}),
 *       never on the caller's. Callers still pass {@code now} from their injected clock and
 *       instants computed from it: the store reads them as durations from that {@code now} and
 *       moves them onto its clock ({@link StoreClock}), so a worker whose clock is off neither loses
 *       its leases nor keeps a dead worker's jobs. Stores whose clock tests must drive take an
 *       injected {@code Clock}.
 *   <li>Thread-safe; callable from any platform thread. (The SQLite store moves calls made on
 *       virtual threads to platform threads itself.)
 * </ul>
 */
public interface JobStore extends AutoCloseable {
  /**
   * Adds jobs, all or none. A job whose unique key already exists in the store is not added; its
   * result names the existing job.
   *
   * @return one result per job, in order
   */
  List<EnqueueResult> enqueue(List<NewJob> jobs);

  /**
   * {@link #enqueue} without blocking the caller: the future completes with the same results, or
   * exceptionally with what {@code enqueue} would throw. The default runs {@code enqueue} on a new
   * virtual thread (a copy of the list). A store with a non-blocking client overrides it to share
   * round trips between concurrent calls (Redis); its futures may complete on the client's I/O
   * thread, so stages that depend on them must not block there (use the {@code *Async} stage
   * methods with an executor for that).
   */
  default CompletableFuture<List<EnqueueResult>> enqueueAsync(List<NewJob> jobs) {
    List<NewJob> copy = List.copyOf(jobs);
    return CompletableFuture.supplyAsync(() -> enqueue(copy), r -> Thread.ofVirtual().name("spindle-enqueue").start(r));
  }

  /**
   * Adds {@code jobs} as children of the running job {@code parentId}, all or none, in one atomic
   * step: only while the parent is RUNNING under {@code fence} (so a worker that lost the job adds
   * nothing). The children may depend on each other ({@link Dependency#onBatchJob}) and on existing
   * jobs; they run as soon as their own dependencies allow, not after the parent. Every job that
   * waits for the parent now also waits for the children at {@code exits} (indexes into
   * {@code jobs}), with the policy of its dependency on the parent; they are not part of its input.
   * A parent's retry that adds children again adds new ones (give them unique keys to add them once).
   *
   * @return one result per job, in order
   * @throws IllegalStateException if the parent is not RUNNING under {@code fence} (nothing added)
   * @throws JobNotFoundException if there is no such parent
   */
  List<EnqueueResult> addChildren(String parentId, long fence, List<NewJob> jobs, List<Integer> exits);

  /** The job, if it exists. */
  Optional<JobInfo> find(String jobId);

  /**
   * Cancels a job: a waiting one becomes CANCELLED at once; a running one gets a cancel request that
   * its worker sees at its next heartbeat (if the worker dies instead, reclaim makes it CANCELLED).
   */
  CancelResult cancel(String jobId, Instant now);

  /** Claims ready jobs for a worker; see {@link ClaimRequest} for the order and limits. */
  ClaimResult claim(ClaimRequest request);

  /**
   * Applies completions, each only if fenced correctly (see {@link Completion}). Finished jobs get
   * {@code finishedAt = now}, {@code expiresAt = now + TTL} and the next feed sequence number.
   *
   * @return one flag per completion: false if it was fenced off
   */
  List<Boolean> complete(List<Completion> completions, Instant now);

  /**
   * {@link #complete} then {@link #claim}, which a backend may do in one round trip or transaction.
   *
   * @param request the claim, or {@code null} to only complete
   */
  default Exchange completeAndClaim(List<Completion> completions, @Nullable ClaimRequest request, Instant now) {
    List<Boolean> applied = completions.isEmpty() ? List.of() : complete(completions, now);
    return new Exchange(applied, request == null ? ClaimResult.empty() : claim(request));
  }

  /**
   * Registers or refreshes a worker and extends its lease to {@code worker.leaseUntil()}, covering
   * every job it holds.
   */
  HeartbeatResult heartbeat(WorkerRecord worker);

  /**
   * Removes a worker that stops. A worker that stops cleanly first hands back the jobs it stopped
   * ({@link Completion#released}); a job it still holds here is one it could not stop (its task
   * called {@code System.exit}, or ignored every interrupt), so it is taken back as by
   * {@link #reclaimExpired}: a lost-worker strike, then CANCELLED if a cancel was requested, DEAD
   * with reason {@link JobInfo#WORKER_LOST} once the strikes reach the job's limit, else QUEUED. An
   * attempt thus counts from the moment it starts, whatever ends the process.
   */
  void deregisterWorker(String workerId, Instant now);

  /**
   * Takes back the jobs of workers whose lease expired before {@code now} (or that are not
   * registered): each gets a lost-worker strike; it becomes CANCELLED if a cancel was requested,
   * DEAD with reason {@link JobInfo#WORKER_LOST} once the strikes reach its
   * {@link dev.spindle.queue.JobPolicy#maxWorkerLost()}, else QUEUED to run again. Expired workers
   * are removed.
   *
   * @param limit the most jobs to reclaim in this call
   * @return the reclaimed jobs in their new state
   */
  List<JobInfo> reclaimExpired(Instant now, int limit);

  /** Terminal transitions with a sequence number above {@code cursor}, oldest first, at most {@code limit}. */
  FinishedBatch finishedAfter(long cursor, int limit);

  /** The highest finish sequence number so far (0 if none). */
  long finishCursor();

  /**
   * Adds a schedule, or replaces one of the same name whose definition differs; an identical
   * definition leaves the stored one (and its next tick) as it is.
   *
   * @return the schedule as stored now
   */
  ScheduleRecord saveSchedule(ScheduleRecord schedule);

  /** Removes a schedule; false if there was none. Jobs it already fired are not affected. */
  boolean deleteSchedule(String name);

  /** Every schedule, by name. */
  List<ScheduleRecord> schedules();

  /** Schedules whose next tick is {@code <= now}, at most {@code limit}, earliest first. */
  List<ScheduleRecord> dueSchedules(Instant now, int limit);

  /**
   * Fires a schedule's tick, exactly once however many workers try: if its version still equals
   * {@code expectedVersion}, moves it to {@code nextFireAt}, records {@code firedTick} as its last
   * tick ({@code null} if none has fired yet), bumps the version and adds {@code jobs} (whose unique
   * keys name the tick, so a tick can never enqueue twice) - all in one atomic step.
   *
   * @return false if another worker fired it first (or it was changed or removed); nothing was done
   */
  boolean fireSchedule(String name, long expectedVersion, Instant nextFireAt, @Nullable Instant firedTick,
      List<NewJob> jobs);

  /**
   * Deletes finished jobs whose {@code expiresAt <= now}, then the oldest finished jobs beyond the
   * limits; at most {@code limits.batch()} per call.
   *
   * @return how many were deleted
   */
  int purgeExpired(Instant now, RetentionLimits limits);

  /**
   * Calls {@code onChange} soon after the store's data may have changed (a job enqueued, finished,
   * a schedule changed), also when another process changed it. Calls may be spurious or coalesced,
   * and are made on a store thread: the listener must be quick and must not call the store.
   *
   * <p>A store may announce changes only while somebody waits for one: after
   * {@link Subscription#waiting()}, or after a claim that returned fewer jobs than it asked for (its
   * worker waits next). The first change after either is announced; later ones may not be until
   * somebody waits again. So a listener that waits calls {@code waiting()} before its last look.
   */
  Subscription subscribe(Runnable onChange);

  /**
   * The store's clock now: the time its leases and due times are read on (Redis: {@code TIME};
   * SQLite: the host's clock). Callers use it to judge records the store returns, e.g. whether a
   * worker's {@link WorkerRecord#leaseUntil()} has passed. The default, for stores that keep no
   * clock of their own, is the local system clock.
   */
  default Instant storeTime() {
    return Instant.now();
  }

  /**
   * Limits how many jobs of a queue run at once across all workers; 0 removes the limit. The claim
   * enforces it; a worker sets the limits it was built with when it starts. Operators read them with
   * {@link JobInspector#queueLimits()}.
   *
   * @throws IllegalArgumentException if negative or the queue name is invalid
   */
  void setQueueLimit(String queue, int maxRunning);

  /**
   * A short description for messages and logs, e.g. {@code sqlite:/data/spindle.db}. No secrets.
   * The default is the class's simple name; stores say where their data is.
   */
  default String describe() {
    return getClass().getSimpleName();
  }

  /** Releases connections and threads. Idempotent. Later calls throw {@link StoreException} (CLOSED). */
  @Override
  void close();

  /**
   * Enqueue inside an application's own JDBC transaction, for a store that lives in the
   * application's SQL database (PostgreSQL); empty for the others (the default).
   */
  default Optional<JdbcEnqueue> jdbcEnqueue() {
    return Optional.empty();
  }

  /**
   * The flow control the claim applies ({@link FlowControl}): defining a limit a producer names and
   * pausing a running job's key. Empty (the default) for a store that enforces no {@link
   * dev.spindle.queue.FlowLimit}s; the administration of limits is {@link StoreAdmin#flowAdmin()}.
   * The same object on every call.
   */
  default Optional<FlowControl> flow() {
    return Optional.empty();
  }

  /**
   * The durable-execution side of the store ({@link DurableStore}): step records, timers, signals
   * and memoized results. Empty (the default) for a store without it; the queue then refuses durable
   * calls with an error naming the store. The same object on every call.
   */
  default Optional<DurableStore> durable() {
    return Optional.empty();
  }

  /**
   * Where the store keeps what running jobs report ({@link ProgressStore}): their progress and last
   * log lines. Empty (the default) for a store that keeps none; workers then drop the reports. The
   * same object on every call.
   */
  default Optional<ProgressStore> progress() {
    return Optional.empty();
  }
}
