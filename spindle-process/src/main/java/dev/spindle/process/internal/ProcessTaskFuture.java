package dev.spindle.process.internal;

import dev.spindle.spi.CompletableTaskFuture;
import org.jspecify.annotations.Nullable;

/**
 * The future of a process-pool execution: tells the pool when it is cancelled so that a job not yet
 * started is withdrawn from its worker (a running one is stopped by killing the worker, through the
 * canceller given to {@link #tryStart}). Thread-safe.
 */
final class ProcessTaskFuture<O> extends CompletableTaskFuture<O> {
  private final ProcessExecutor owner;
  volatile @Nullable Job job;
  volatile boolean interruptRequested;

  ProcessTaskFuture(ProcessExecutor owner, String id, String taskName) {
    super(id, taskName);
    this.owner = owner;
  }

  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    if (mayInterruptIfRunning) {
      interruptRequested = true;
    }
    boolean done = super.cancel(mayInterruptIfRunning);
    if (done) {
      Job j = job;
      if (j != null) {
        owner.cancelled(j);
      }
    }
    return done;
  }
}
