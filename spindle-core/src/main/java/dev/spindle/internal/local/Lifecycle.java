package dev.spindle.internal.local;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The life cycle of a local executor, with its allowed transitions.
 *
 * <table>
 *   <caption>Transitions</caption>
 *   <tr><th>from</th><th>to</th></tr>
 *   <tr><td>RUNNING</td><td>SHUTDOWN, TERMINATED</td></tr>
 *   <tr><td>SHUTDOWN</td><td>TERMINATED</td></tr>
 *   <tr><td>TERMINATED</td><td>(none)</td></tr>
 * </table>
 */
enum Lifecycle {
  /** Accepting submissions. */
  RUNNING,
  /** Refusing submissions; queued and running executions still finish. */
  SHUTDOWN,
  /** Shut down, and every execution and worker finished. */
  TERMINATED;

  private static final Map<Lifecycle, Set<Lifecycle>> ALLOWED = Map.of(
      RUNNING, EnumSet.of(SHUTDOWN, TERMINATED),
      SHUTDOWN, EnumSet.of(TERMINATED),
      TERMINATED, EnumSet.noneOf(Lifecycle.class));

  /** True if moving from this state to {@code next} is allowed. */
  boolean canMoveTo(Lifecycle next) {
    return ALLOWED.getOrDefault(this, Set.of()).contains(next);
  }
}
