package dev.spindle;

/**
 * A pluggable admission check, futurist's {@code check_and_reject}: called before each submission
 * with the executor and its backlog (executions waiting for a worker now); it refuses by throwing
 * {@link RejectedSubmissionException}. Add it with {@link ExecutorConfig.Builder#with(Object)}.
 * Honoured by the in-JVM models (SEQUENTIAL, THREADS, VIRTUAL, COROUTINE) for {@code submit} and
 * the {@code ExecutorService} view, not for {@code map} (which bounds its own window); a refusal
 * counts in {@link ExecutorStats#rejected()}. Implementations must be thread-safe and fast.
 */
@FunctionalInterface
public interface RejectionCheck {
  /**
   * Decides on one submission.
   *
   * @param executor the executor being submitted to
   * @param backlog executions waiting for a worker now
   * @throws RejectedSubmissionException to refuse it
   */
  void check(TaskExecutor executor, int backlog);

  /**
   * futurist's {@code rejection.reject_when_reached(max_backlog)}: refuses while
   * {@code maxBacklog} or more executions wait.
   *
   * @throws IllegalArgumentException if negative
   */
  static RejectionCheck rejectWhenReached(int maxBacklog) {
    if (maxBacklog < 0) {
      throw new IllegalArgumentException("maxBacklog must be >= 0: " + maxBacklog);
    }
    return (executor, backlog) -> {
      if (backlog >= maxBacklog) {
        throw new RejectedSubmissionException(RejectedSubmissionException.Reason.BACKLOG_FULL,
            "executor '" + executor.config().name() + "' has a backlog of " + backlog + " (reject_when_reached("
                + maxBacklog + ")); retry later");
      }
    };
  }
}
