package dev.spindle.queue;

/**
 * What a job that depends on another (a workflow node) does once that dependency ends. Every store
 * applies it in the same transaction or script that ends the dependency, so a release is never
 * lost or doubled, even under {@code kill -9}.
 *
 * <table>
 *   <caption>The dependency's end and its effect on the dependent</caption>
 *   <tr><th>policy</th><th>SUCCEEDED</th><th>FAILED or DEAD</th><th>CANCELLED</th></tr>
 *   <tr><td>{@link #REQUIRE_SUCCESS}</td><td>satisfied</td><td>dependent cancelled</td>
 *       <td>dependent cancelled</td></tr>
 *   <tr><td>{@link #ALLOW_FAILURE}</td><td>satisfied</td><td>satisfied (a failure)</td>
 *       <td>dependent cancelled</td></tr>
 *   <tr><td>{@link #ALWAYS}</td><td>satisfied</td><td>satisfied (a failure)</td>
 *       <td>satisfied (a failure)</td></tr>
 *   <tr><td>{@link #ON_FAILURE}</td><td>satisfied</td><td>satisfied (a failure)</td>
 *       <td>satisfied (a failure)</td></tr>
 * </table>
 *
 * <p>A dependent runs once every dependency is satisfied; a dependent with {@link #ON_FAILURE}
 * dependencies runs only if at least one of those ended in a failure, and is otherwise cancelled as
 * not needed. A cancelled dependent ends its own dependents the same way, so every path through a
 * workflow reaches a terminal state: nothing waits forever.
 */
public enum DependencyPolicy {
  /** Fail fast (the default): the dependent runs only if the dependency succeeded. */
  REQUIRE_SUCCESS,
  /** The dependent runs and receives the failure; a cancelled dependency still cancels it. */
  ALLOW_FAILURE,
  /** {@code finally}: the dependent runs however the dependency ended, cancelled included. */
  ALWAYS,
  /** An error callback: runs only if a dependency of this kind did not succeed. */
  ON_FAILURE;

  /** The effect of a dependency's end on its dependent. */
  public enum Effect {
    /** The dependency is satisfied. */
    SATISFIED,
    /** The dependency is satisfied, and it ended in a failure (it did not succeed). */
    SATISFIED_BY_FAILURE,
    /** The dependent is cancelled. */
    CANCEL
  }

  /**
   * The effect of a dependency ending in {@code end}.
   *
   * @throws IllegalArgumentException if {@code end} is not terminal
   */
  public Effect effectOf(JobState end) {
    if (!end.isTerminal()) {
      throw new IllegalArgumentException("a dependency takes effect when it ends; " + end + " is not an end");
    }
    if (end == JobState.SUCCEEDED) {
      return Effect.SATISFIED;
    }
    return switch (this) {
      case REQUIRE_SUCCESS -> Effect.CANCEL;
      case ALLOW_FAILURE -> end == JobState.CANCELLED ? Effect.CANCEL : Effect.SATISFIED_BY_FAILURE;
      case ALWAYS, ON_FAILURE -> Effect.SATISFIED_BY_FAILURE;
    };
  }

  /** True if this policy passes the dependency's whole outcome (not only its result) to the dependent. */
  public boolean passesOutcome() {
    return this != REQUIRE_SUCCESS;
  }
}
