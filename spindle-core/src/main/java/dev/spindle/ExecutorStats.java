package dev.spindle;

import java.time.Duration;

/**
 * A snapshot of an executor's counters (futurist's {@code ExecutorStatistics}, plus queue gauges).
 *
 * @param executed executions that finished, successfully or not
 * @param failed executions that threw
 * @param cancelled executions cancelled before or while running
 * @param rejected submissions refused (backlog full or shut down)
 * @param totalRuntime summed run time of finished executions
 * @param queued executions waiting for a worker now
 * @param active executions running now
 * @param stuck threads still inside an execution that was cancelled or timed out and ignored the
 *     interrupt; a pool replaced each with a fresh thread so that its slot runs the next execution
 *     (at most as many as it has workers; 0 for models that never reuse a thread)
 */
public record ExecutorStats(long executed, long failed, long cancelled, long rejected,
    Duration totalRuntime, int queued, int active, int stuck) {

  /** Stats of an executor without stuck threads. */
  public ExecutorStats(long executed, long failed, long cancelled, long rejected, Duration totalRuntime, int queued,
      int active) {
    this(executed, failed, cancelled, rejected, totalRuntime, queued, active, 0);
  }

  /** Mean run time of a finished execution, or zero if none finished. */
  public Duration averageRuntime() {
    return executed == 0 ? Duration.ZERO : totalRuntime.dividedBy(executed);
  }
}
