package dev.spindle.queue.internal;

import dev.spindle.queue.JobError;
import dev.spindle.queue.JobEvent;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobObserver;
import dev.spindle.queue.JobState;
import dev.spindle.queue.StoreException;
import dev.spindle.queue.WorkerStats;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the worker reports once the store answered a completion: its counters (claims and every
 * outcome, lost leases, timeouts), the {@link JobEvent} to the listeners and the end of the
 * observer's attempt (delivered by {@link AttemptEnds}); also the rate-limited log of a failed store
 * call. Counters are thread-safe; {@link #applied} runs on the dispatcher thread.
 */
final class CompletionReporter {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerRuntime.class);

  private final WorkerSettings settings;
  private final String workerId;
  private final AttemptEnds attemptEnds;

  final LongAdder claimed = new LongAdder();
  final LongAdder succeeded = new LongAdder();
  final LongAdder retried = new LongAdder();
  final LongAdder failed = new LongAdder();
  final LongAdder dead = new LongAdder();
  final LongAdder cancelled = new LongAdder();
  final LongAdder released = new LongAdder();
  final LongAdder leaseLost = new LongAdder();
  final LongAdder timedOut = new LongAdder();
  /** Store calls of the dispatcher (written by it only; read by {@link #stats}). */
  final LongAdder storeCalls = new LongAdder();

  CompletionReporter(WorkerSettings settings, String workerId, AttemptEnds attemptEnds) {
    this.settings = settings;
    this.workerId = workerId;
    this.attemptEnds = attemptEnds;
  }

  private long lastFailureLogNanos;

  void logStoreFailure(RuntimeException e, int outcomes) {
    long now = System.nanoTime();
    if (now - lastFailureLogNanos > TimeUnit.SECONDS.toNanos(5)) {
      lastFailureLogNanos = now;
      String what = e instanceof StoreException se ? se.reason() + ": " + se.getMessage() : e.toString();
      LOG.warn("worker {}: the store {} failed ({}); {} outcome(s) kept in memory and retried", workerId,
          settings.store().describe(), what, outcomes);
    }
  }

  void applied(JobOutcome d, boolean ok, Instant now) {
    if (!ok) {
      leaseLost.increment();
      LOG.warn("worker {}: the outcome {} of job {} was refused: the job was reclaimed after this worker's "
          + "lease expired (fencing)", workerId, d.completion().outcome(), d.job().id());
      emit(JobEvent.Type.LEASE_LOST, d.job(), d.job().state(), now, null, "outcome discarded");
      attemptEnds.add(d.attempt(), JobObserver.Outcome.LOST, Duration.ofNanos(d.runNanos()), null);
      return;
    }
    JobObserver.Outcome outcome = switch (d.type()) {
      case SUCCEEDED -> JobObserver.Outcome.SUCCEEDED;
      case RETRY_SCHEDULED -> JobObserver.Outcome.RETRIED;
      case FAILED -> JobObserver.Outcome.FAILED;
      case DEAD_LETTERED -> JobObserver.Outcome.DEAD;
      case CANCELLED -> JobObserver.Outcome.CANCELLED;
      default -> JobObserver.Outcome.RELEASED;
    };
    attemptEnds.add(d.attempt(), outcome, Duration.ofNanos(d.runNanos()), d.error());
    switch (d.type()) {
      case SUCCEEDED -> succeeded.increment();
      case RETRY_SCHEDULED -> retried.increment();
      case FAILED -> failed.increment();
      case DEAD_LETTERED -> dead.increment();
      case CANCELLED -> cancelled.increment();
      case RELEASED -> released.increment();
      default -> { }
    }
    emit(d.type(), d.job(), d.state(), now, d.error(), d.detail());
  }

  void emit(JobEvent.Type type, JobInfo job, JobState state, Instant at, @Nullable JobError error,
      @Nullable String detail) {
    if (settings.listeners().active()) {
      settings.listeners().emit(JobEvent.of(type, job, state, at, workerId, error, detail));
    }
  }

  long processedCount() {
    return succeeded.sum() + retried.sum() + failed.sum() + dead.sum() + cancelled.sum();
  }

  /** A snapshot of the counters, with {@code running} executions, {@code stuck} threads and {@code parked} jobs now. */
  WorkerStats stats(int running, int stuck, int parked) {
    return new WorkerStats(running, claimed.sum(), succeeded.sum(), retried.sum(), failed.sum(), dead.sum(),
        cancelled.sum(), released.sum(), leaseLost.sum(), timedOut.sum(),
        storeCalls.sum(), stuck, parked);
  }
}
