package dev.spindle.queue.internal;

import dev.spindle.queue.JobError;
import dev.spindle.queue.JobEvent;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobObserver;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.Completion;
import org.jspecify.annotations.Nullable;

/**
 * How an execution ended, waiting to be written to the store by {@link WorkerRuntime}: the
 * completion to write and what to report once it was applied (event, state, error, the observer's
 * handle of the attempt and how long it ran). Immutable.
 *
 * @param attempt the observer's handle of the attempt
 * @param runNanos how long the execution ran
 */
record JobOutcome(JobInfo job, Completion completion, JobEvent.Type type, JobState state, @Nullable JobError error,
    @Nullable String detail, JobObserver.Attempt attempt, long runNanos) {
  /** An outcome of an execution that never started on the executor. */
  JobOutcome(JobInfo job, Completion completion, JobEvent.Type type, JobState state, @Nullable JobError error,
      @Nullable String detail) {
    this(job, completion, type, state, error, detail, JobObserver.Attempt.NONE, 0);
  }

  /** The same outcome, reported to the observer's handle of the execution {@code f}. */
  JobOutcome of(InFlight f) {
    long end = f.endNanos != 0 ? f.endNanos : System.nanoTime();
    return new JobOutcome(job, completion, type, state, error, detail, f.attempt(), Math.max(0, end - f.startNanos));
  }
}
