package dev.spindle.queue.internal;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobNotFoundException;
import dev.spindle.spi.CompletableTaskFuture;
import java.lang.reflect.Type;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link CompletableTaskFuture} that follows a job in a store: completed from the job's terminal
 * snapshot; cancelling it cancels the job. Thread-safe.
 */
class JobFuture<O> extends CompletableTaskFuture<O> {
  private static final Logger LOG = LoggerFactory.getLogger(JobFuture.class);
  private final ClientCore core;

  private final Type outputType;
  private volatile @Nullable CompletableFuture<JobInfo> watch;

  /** A future that follows the job at once. */
  public JobFuture(ClientCore core, String jobId, String taskName, Type outputType) {
    this(core, jobId, taskName, outputType, true);
  }

  /**
   * A future that follows the job now, or once {@link #startWatching()} is called (so a subclass can
   * finish its construction and registrations first).
   */
  @SuppressWarnings("this-escape") // with watchNow, the watch may complete this future: it is fully built by then
  protected JobFuture(ClientCore core, String jobId, String taskName, Type outputType, boolean watchNow) {
    super(jobId, taskName);
    this.core = core;
    this.outputType = outputType;
    if (watchNow) {
      startWatching();
    }
  }

  /** Starts following the job (once). */
  protected final synchronized void startWatching() {
    if (watch != null) {
      return;
    }
    watch = core.watcher().watch(id());
    watch.whenComplete((job, err) -> {
      if (err != null) {
        if (!(err instanceof CancellationException)) {
          fail(err);
        }
        return;
      }
      onFinished(job);
      tryStart(null);
      try {
        succeed(core.outcome(job, outputType));
      } catch (CancellationException e) {
        super.cancel(false);
      } catch (dev.spindle.TaskFailedException e) {
        Throwable cause = e.getCause();
        fail(cause != null ? cause : e);
      } catch (RuntimeException e) {
        fail(e);
      }
    });
  }

  /** Called with the terminal snapshot before the future completes. */
  protected void onFinished(JobInfo job) {}

  /** Completes this future as cancelled without touching the job (the caller cancelled it already). */
  public boolean cancelLocally() {
    if (!super.cancel(false)) {
      return false;
    }
    stopWatching();
    return true;
  }

  private void stopWatching() {
    CompletableFuture<JobInfo> w = watch;
    if (w != null) {
      w.cancel(false);
    }
  }

  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    if (!super.cancel(mayInterruptIfRunning)) {
      return false;
    }
    stopWatching();
    try {
      core.cancel(id());
    } catch (JobNotFoundException e) {
      // already removed: nothing to cancel
    } catch (RuntimeException e) {
      LOG.warn("cancelling job {} in {} failed; it may still run", id(), core.store().describe(), e);
    }
    return true;
  }
}
