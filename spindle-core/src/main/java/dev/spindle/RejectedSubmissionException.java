package dev.spindle;

import java.util.concurrent.RejectedExecutionException;

/**
 * A submission was refused: the executor is shut down, or its backlog is full (backpressure). The
 * message says which, with the limit. Nothing was queued; the caller may retry later.
 */
public class RejectedSubmissionException extends RejectedExecutionException {
  /** Why a submission was refused. */
  public enum Reason {
    /** {@link TaskExecutor#shutdown()} was called. */
    SHUTDOWN,
    /** The queued backlog reached {@link ExecutorConfig#maxQueued()}. */
    BACKLOG_FULL
  }

  private final Reason reason;

  public RejectedSubmissionException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  /** Why it was refused. */
  public Reason reason() {
    return reason;
  }
}
