package dev.spindle.queue.internal;

import dev.spindle.RemoteTaskException;
import dev.spindle.TaskFailedException;
import dev.spindle.TaskInterruptedException;
import dev.spindle.TaskTimeoutException;
import dev.spindle.queue.JobError;
import dev.spindle.queue.JobEvent;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobNotFoundException;
import dev.spindle.queue.JobState;
import dev.spindle.queue.StoreException;
import dev.spindle.queue.spi.CancelResult;
import dev.spindle.queue.spi.JobStore;
import dev.spindle.spi.JsonCodec;
import java.lang.reflect.Type;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What a queue client and its handles share: store, result watcher, codec, clock and listeners.
 * Thread-safe.
 */
public final class ClientCore implements AutoCloseable {
  private final JobStore store;
  private final ResultWatcher watcher;
  private final JsonCodec codec;
  private final Clock clock;
  private final Listeners listeners;
  private final dev.spindle.queue.@org.jspecify.annotations.Nullable KeyRing ring;

  public ClientCore(JobStore store, JsonCodec codec, Clock clock, Listeners listeners, String name) {
    this(store, codec, clock, listeners, name, null);
  }

  /** A core whose results are decrypted with {@code ring} ({@code null}: none). */
  public ClientCore(JobStore store, JsonCodec codec, Clock clock, Listeners listeners, String name,
      dev.spindle.queue.@org.jspecify.annotations.Nullable KeyRing ring) {
    this.ring = ring;
    this.store = store;
    this.codec = codec;
    this.clock = clock;
    this.listeners = listeners;
    this.watcher = new ResultWatcher(store, name);
  }

  public JobStore store() {
    return store;
  }

  public ResultWatcher watcher() {
    return watcher;
  }

  public JsonCodec codec() {
    return codec;
  }

  public Clock clock() {
    return clock;
  }

  public Listeners listeners() {
    return listeners;
  }

  /** Waits for a terminal snapshot. */
  public JobInfo await(String jobId, Duration timeout) {
    JobInfo now = store.find(jobId).orElseThrow(() -> new JobNotFoundException(jobId));
    if (now.state().isTerminal()) {
      return now;
    }
    CompletableFuture<JobInfo> f = watcher.watch(jobId);
    try {
      return f.get(toNanos(timeout), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      f.cancel(false);
      Thread.currentThread().interrupt();
      throw new TaskInterruptedException("interrupted while waiting for job " + jobId, e);
    } catch (TimeoutException e) {
      f.cancel(false);
      throw new TaskTimeoutException("job " + jobId + " not finished within " + timeout);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException r) {
        throw r;
      }
      throw new StoreException(StoreException.Reason.IO, "waiting for job " + jobId + " failed: " + c, c);
    }
  }

  /**
   * The outcome of a terminal job: the decoded result, or the exception a local future would throw.
   *
   * @throws TaskFailedException for FAILED and DEAD jobs
   * @throws CancellationException for CANCELLED jobs
   * @throws dev.spindle.queue.MissingKeyException if the result is encrypted under a key this
   *     client lacks
   */
  public <O> O outcome(JobInfo job, Type outputType) {
    return switch (job.state()) {
      case SUCCEEDED -> Payloads.fromJson(codec, Sealing.openResult(ring, job.task(),
          Objects.requireNonNull(job.resultJson(), "the result of a SUCCEEDED job")), outputType,
          "result of job " + job.id() + " (task '" + job.task() + "')");
      case FAILED, DEAD -> throw new TaskFailedException(job.task(), job.id(), failureOf(job));
      case CANCELLED -> throw new CancellationException("job " + job.id() + " of task '" + job.task()
          + "' was cancelled");
      default -> throw new IllegalStateException("job " + job.id() + " is not finished: " + job.state());
    };
  }

  /** The stored failure of a FAILED or DEAD job as a remote exception. */
  public static RemoteTaskException failureOf(JobInfo job) {
    if (job.errorJson() != null) {
      try {
        return JobError.fromJson(job.errorJson()).toException();
      } catch (RuntimeException e) {
        return new RemoteTaskException("unknown", "unreadable error record: " + e.getMessage(), List.of(), null);
      }
    }
    return new RemoteTaskException("unknown", "job " + job.id() + " is " + job.state()
        + (job.deadReason() != null ? " (" + job.deadReason() + ")" : "") + " without a recorded error",
        List.of(), null);
  }

  /** Cancels in the store and reports the event. */
  public CancelResult cancel(String jobId) {
    CancelResult r = store.cancel(jobId, clock.instant());
    if (r == CancelResult.NOT_FOUND) {
      throw new JobNotFoundException(jobId);
    }
    if (r == CancelResult.CANCELLED && listeners.active()) {
      store.find(jobId).ifPresent(j -> listeners.emit(
          JobEvent.of(JobEvent.Type.CANCELLED, j, JobState.CANCELLED, clock.instant(), null, null, null)));
    }
    return r;
  }

  static long toNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  @Override
  public void close() {
    watcher.close();
  }
}
