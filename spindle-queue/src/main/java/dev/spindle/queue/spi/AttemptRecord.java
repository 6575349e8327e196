package dev.spindle.queue.spi;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One attempt of a job in its {@link AttemptLedger}: written by the claim that started it, closed by
 * the completion, suspension or reclaim that ended it. Times are on the store's clock. Immutable;
 * thread-safe.
 *
 * @param number the job's attempt count when it started (1 for the first; a released attempt is not
 *     counted, so the next one has the same number)
 * @param fence the fencing token of its claim (unique per attempt of a job)
 * @param workerId the worker that claimed it
 * @param host that worker's host as it registered, or {@code null} if the store did not know it
 * @param startedAt when it was claimed
 * @param endedAt when it ended, or {@code null} while it runs
 * @param outcome how it ended, or {@code null} while it runs
 * @param errorJson the attempt's own failure as {@link dev.spindle.queue.JobError} JSON, or {@code null}
 */
public record AttemptRecord(int number, long fence, String workerId, @Nullable String host, Instant startedAt,
    @Nullable Instant endedAt, @Nullable AttemptOutcome outcome, @Nullable String errorJson) {
  public AttemptRecord {
    Objects.requireNonNull(workerId, "workerId");
    Objects.requireNonNull(startedAt, "startedAt");
  }

  /** True while the attempt runs (not closed yet). */
  public boolean running() {
    return outcome == null;
  }

  /** This attempt closed at {@code at} with {@code how} and {@code error}. */
  public AttemptRecord closed(Instant at, AttemptOutcome how, @Nullable String error) {
    return new AttemptRecord(number, fence, workerId, host, startedAt, at, how, error);
  }
}
