package dev.spindle.process.internal;

import dev.spindle.ExecutorStats;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counts behind a process pool's {@link ExecutorStats}: executions run (a map chunk counts one
 * per input), failed, cancelled and refused, and the run time the workers reported. Thread-safe.
 */
final class ExecutionCounters {
  private final LongAdder executed = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder cancelled = new LongAdder();
  private final LongAdder rejected = new LongAdder();
  private final LongAdder runtimeNanos = new LongAdder();

  /** {@code executions} ran to an answer, {@code failures} of them failed. */
  void ran(int executions, int failures) {
    executed.add(executions);
    failed.add(failures);
  }

  /** {@code executions} ended without an answer (their worker died, or the pool broke): failed. */
  void lost(int executions) {
    ran(executions, executions);
  }

  void runtime(long nanos) {
    runtimeNanos.add(nanos);
  }

  void cancelled(int executions) {
    cancelled.add(executions);
  }

  void rejected() {
    rejected.increment();
  }

  /** A snapshot with the given numbers of waiting and running executions. */
  ExecutorStats stats(int queued, int active) {
    return new ExecutorStats(executed.sum(), failed.sum(), cancelled.sum(), rejected.sum(),
        Duration.ofNanos(runtimeNanos.sum()), queued, active);
  }
}
