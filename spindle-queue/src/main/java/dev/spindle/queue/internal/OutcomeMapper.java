package dev.spindle.queue.internal;

import dev.spindle.PayloadException;
import dev.spindle.RejectedSubmissionException;
import dev.spindle.TaskFailedException;
import dev.spindle.TaskFuture;
import dev.spindle.TaskTimeoutException;
import dev.spindle.queue.JobError;
import dev.spindle.queue.JobEvent;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobObserver;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.Completion;
import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Outcome to completion for {@link WorkerRuntime}: turns how an execution ended (a result, an
 * error, a timeout, a cancel, a refused submission) into the {@link JobOutcome} to write, applying
 * the job's retry policy. Holds no mutable state; thread-safe. Logs under the worker's logger.
 */
final class OutcomeMapper {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerRuntime.class);

  private final WorkerSettings settings;
  private final String workerId;

  OutcomeMapper(WorkerSettings settings, String workerId) {
    this.settings = settings;
    this.workerId = workerId;
  }

  /** The executor refused a submission: hand the job back, dead-letter it, or count a failure. */
  JobOutcome refused(InFlight f, RuntimeException e) {
    JobInfo job = f.job;
    if (e instanceof RejectedSubmissionException) {
      return new JobOutcome(job, Completion.released(job.id(), job.fence(), workerId), JobEvent.Type.RELEASED,
          JobState.QUEUED, null, "executor refused: " + e.getMessage());
    } else if (e instanceof dev.spindle.UnknownTaskException || e instanceof PayloadException) {
      String reason = e instanceof PayloadException ? JobInfo.BAD_ARGS : JobInfo.UNKNOWN_TASK;
      JobError err = JobError.from(e);
      LOG.warn("job {}: the executor refused it ({}); dead-lettered", job.id(), e.getMessage());
      return new JobOutcome(job, Completion.dead(job.id(), job.fence(), workerId, reason, err.toJson()),
          JobEvent.Type.DEAD_LETTERED, JobState.DEAD, err, reason);
    } else {
      LOG.warn("job {}: submitting it to the executor failed", job.id(), e);
      return failure(f, e);
    }
  }

  /**
   * The outcome to write for a finished execution, or null if its lease was lost (its attempt is
   * then reported as lost here); may run code of the job's types, and throw what that throws.
   */
  @Nullable JobOutcome finished(InFlight f, TaskFuture<Object> tf) {
    JobInfo job = f.job;
    String id = job.id();
    if (f.suspended && !f.lost) {
      // the store moved the job (RUNNING to SCHEDULED or QUEUED) in the durable call: nothing to write
      f.attempt().finished(JobObserver.Outcome.RELEASED, Duration.ofNanos(Math.max(0, f.endNanos - f.startNanos)),
          null);
      return null;
    }
    if (f.lost) {
      f.attempt().finished(JobObserver.Outcome.LOST, Duration.ofNanos(Math.max(0, f.endNanos - f.startNanos)), null);
      return null; // the slot is freed by the caller
    }
    dev.spindle.queue.DurableJobException dead = f.deadBy;
    if (dead != null) {
      return durableDead(job, dead); // whatever the task did with the exception
    }
    if (f.releasing) {
      return new JobOutcome(job, Completion.released(id, job.fence(), workerId), JobEvent.Type.RELEASED, JobState.QUEUED,
          null, "worker stopping");
    }
    Object value;
    try {
      value = tf.result(Duration.ZERO);
    } catch (TaskFailedException e) {
      return failure(f, e.getCause() != null ? e.getCause() : e);
    } catch (java.util.concurrent.CancellationException e) {
      if (f.timedOut) {
        return failure(f, new TaskTimeoutException("job " + id + " (task '" + job.task() + "') exceeded its timeout of "
            + job.policy().timeout() + " and was stopped"));
      } else if (f.cancelRequested) {
        return new JobOutcome(job, Completion.cancelled(id, job.fence(), workerId), JobEvent.Type.CANCELLED,
            JobState.CANCELLED, null, null);
      } else {
        return new JobOutcome(job, Completion.released(id, job.fence(), workerId), JobEvent.Type.RELEASED,
            JobState.QUEUED, null, "execution cancelled locally");
      }
    } catch (RuntimeException e) {
      return failure(f, e);
    }
    String json;
    try {
      json = Payloads.toJson(settings.codec(), value, "result of job " + id + " (task '" + job.task() + "')");
    } catch (RuntimeException | LinkageError | AssertionError e) { // the result type's own code may throw too
      JobError err = JobError.from(e);
      return new JobOutcome(job, Completion.failed(id, job.fence(), workerId, err.toJson()), JobEvent.Type.FAILED,
          JobState.FAILED, err, "result not storable");
    }
    dev.spindle.queue.KeyRing ring = settings.keyRing();
    if (f.sealed && ring != null) {
      json = Sealing.sealResult(ring, job.task(), json);
    }
    remember(f, json);
    return new JobOutcome(job, Completion.succeeded(id, job.fence(), workerId, json), JobEvent.Type.SUCCEEDED,
        JobState.SUCCEEDED, null, null);
  }

  /** Keeps a memoized task's result for identical calls, for the task's memoization time. */
  private void remember(InFlight f, String json) {
    String key = f.memoKey;
    java.time.Duration ttl = settings.durable().memoized().get(f.job.task());
    if (key == null || ttl == null) {
      return;
    }
    Instant now = settings.clock().instant();
    settings.store().durable().ifPresent(d -> d.cache(
        new dev.spindle.queue.spi.CachedResult(key, json, f.job.id(), Durations.plus(now, ttl)), now));
  }

  /** A durable limit or a divergence: DEAD with its reason (a retry would meet it again). */
  private JobOutcome durableDead(JobInfo job, dev.spindle.queue.DurableJobException e) {
    JobError err = JobError.from(e);
    LOG.warn("job {}: {}; dead-lettered", job.id(), e.getMessage());
    return new JobOutcome(job, Completion.dead(job.id(), job.fence(), workerId, e.deadReason(), err.toJson()),
        JobEvent.Type.DEAD_LETTERED, JobState.DEAD, err, e.deadReason());
  }

  /** A failed execution: a retry at the policy's backoff, or a failure once retries are used up. */
  JobOutcome failure(InFlight f, Throwable error) {
    return failure(f.job, error);
  }

  /** {@link #failure(InFlight, Throwable)} of a job that never started on the executor. */
  JobOutcome failure(JobInfo job, Throwable error) {
    if (error instanceof dev.spindle.queue.DurableJobException dead) {
      return durableDead(job, dead);
    }
    if (error instanceof dev.spindle.queue.RateLimitedException rl) {
      return rateLimited(job, rl);
    }
    JobError err = JobError.from(error);
    int failures = job.failures() + 1;
    if (job.policy().retry().shouldRetry(failures, ErrorTypes.of(error))) {
      Instant at = Durations.plus(settings.clock().instant(),
          job.policy().retry().backoff(failures, settings.random().nextDouble()));
      return new JobOutcome(job, Completion.retry(job.id(), job.fence(), workerId, err.toJson(), at),
          JobEvent.Type.RETRY_SCHEDULED, JobState.SCHEDULED, err, "retry at " + at);
    } else {
      return new JobOutcome(job, Completion.failed(job.id(), job.fence(), workerId, err.toJson()), JobEvent.Type.FAILED,
          JobState.FAILED, err, "after " + failures + " failure(s)");
    }
  }

  /**
   * The task reported a rate limit: its flow key pauses until then (in the store, before the job is
   * handed back, so no worker claims it early) and the job waits again without using up an attempt.
   */
  private JobOutcome rateLimited(JobInfo job, dev.spindle.queue.RateLimitedException rl) {
    Instant now = settings.clock().instant();
    Instant until = Durations.plus(now, rl.retryAfter());
    String detail = "rate limited: its flow key pauses until " + until;
    java.util.Optional<dev.spindle.queue.spi.FlowControl> flow = settings.store().flow();
    if (flow.isEmpty()) {
      detail = "rate limited; the store has no flow control, so the job waits again at once";
    } else if (!flow.get().pauseKey(job.id(), job.fence(), until, now)) {
      detail = "rate limited; the job has no flow key, so it waits again at once";
    }
    return new JobOutcome(job, Completion.released(job.id(), job.fence(), workerId), JobEvent.Type.RELEASED,
        JobState.QUEUED, null, detail);
  }

  /** Building the outcome of {@code f} threw {@code e} (the job's own code did): the job fails. */
  JobOutcome unrecordable(InFlight f, Throwable e) {
    String type = e.getClass().getName();
    LOG.warn("job {}: recording its outcome failed ({}); the job fails", f.job.id(), type);
    JobError err = JobError.of(type, "the worker could not record the outcome of this job: its error or "
        + "result threw " + type + " while being read");
    return new JobOutcome(f.job, Completion.failed(f.job.id(), f.job.fence(), workerId, err.toJson()),
        JobEvent.Type.FAILED, JobState.FAILED, err, "outcome not recordable");
  }
}
