package dev.spindle.queue.spi;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A worker as registered in the store by its heartbeats: who it is, what it consumes, since when,
 * and its counters. The {@code leaseUntil} covers every job it holds: once it passes, any worker
 * may reclaim them ({@link JobStore#reclaimExpired}).
 *
 * @param id unique worker id ({@code name@host:pid#random})
 * @param name the human-readable name
 * @param host the host name
 * @param pid the process id
 * @param queues the queues it consumes, in priority order
 * @param concurrency its slots
 * @param model the execution model running its jobs
 * @param state {@code RUNNING} or {@code STOPPING}
 * @param startedAt when it started
 * @param heartbeatAt its last heartbeat
 * @param leaseUntil when its lease on its jobs expires
 * @param running jobs it runs now
 * @param processed executions it finished
 * @param failed executions of it that failed
 * @param ratePerSecond its recent completion rate, jobs per second
 * @param clockSkew how far the worker's clock was ahead of the store's at its last heartbeat
 *     (negative: behind); {@code null} if unknown. Set by the store, ignored in a heartbeat's record
 * @param tasks the names of the tasks it can run. In a heartbeat: {@code null} leaves the set the
 *     store keeps as it is (a worker sends it when it registers, when it changes, and now and then);
 *     read from the store: {@code null} if the worker never said (a worker of an older version), which
 *     readers take as "may know any task"
 */
public record WorkerRecord(String id, String name, String host, long pid, List<String> queues, int concurrency,
    String model, String state, Instant startedAt, Instant heartbeatAt, Instant leaseUntil, int running,
    long processed, long failed, double ratePerSecond, @Nullable Duration clockSkew, @Nullable Set<String> tasks) {
  public WorkerRecord {
    Objects.requireNonNull(id, "id");
    queues = List.copyOf(queues);
    tasks = tasks == null ? null : Set.copyOf(tasks);
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(heartbeatAt, "heartbeatAt");
    Objects.requireNonNull(leaseUntil, "leaseUntil");
  }

  /** A record without its task names (unknown, or left as the store keeps them). */
  public WorkerRecord(String id, String name, String host, long pid, List<String> queues, int concurrency,
      String model, String state, Instant startedAt, Instant heartbeatAt, Instant leaseUntil, int running,
      long processed, long failed, double ratePerSecond, @Nullable Duration clockSkew) {
    this(id, name, host, pid, queues, concurrency, model, state, startedAt, heartbeatAt, leaseUntil, running,
        processed, failed, ratePerSecond, clockSkew, null);
  }

  /** A record with an unknown clock skew (what a worker sends: the store measures the skew). */
  public WorkerRecord(String id, String name, String host, long pid, List<String> queues, int concurrency,
      String model, String state, Instant startedAt, Instant heartbeatAt, Instant leaseUntil, int running,
      long processed, long failed, double ratePerSecond) {
    this(id, name, host, pid, queues, concurrency, model, state, startedAt, heartbeatAt, leaseUntil, running,
        processed, failed, ratePerSecond, null);
  }

  /**
   * This record as the store keeps it: its instants moved onto the store's clock and the worker's
   * clock skew recorded.
   */
  public WorkerRecord onStoreClock(StoreClock clock) {
    return new WorkerRecord(id, name, host, pid, queues, concurrency, model, state, clock.translate(startedAt),
        clock.now(), clock.translate(leaseUntil), running, processed, failed, ratePerSecond, clock.callerSkew(),
        tasks);
  }

  /** This record with the given task names. */
  public WorkerRecord withTasks(@Nullable Set<String> names) {
    return new WorkerRecord(id, name, host, pid, queues, concurrency, model, state, startedAt, heartbeatAt,
        leaseUntil, running, processed, failed, ratePerSecond, clockSkew, names);
  }

  /** True if this worker may run jobs of {@code task}: it named that task, or it never named its tasks. */
  public boolean mayRun(String task) {
    return tasks == null || tasks.contains(task);
  }

  /** True if its lease has not expired at {@code now}. */
  public boolean isAlive(Instant now) {
    return leaseUntil.isAfter(now);
  }
}
