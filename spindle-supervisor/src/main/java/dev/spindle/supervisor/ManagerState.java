package dev.spindle.supervisor;

import java.util.EnumSet;
import java.util.Map;

/**
 * The life cycle of a {@link ServiceManager}. Allowed moves (every other one fails loudly):
 * <table>
 *   <caption>Transitions</caption>
 *   <tr><th>from</th><th>to</th><th>when</th></tr>
 *   <tr><td>NEW</td><td>RUNNING</td><td>{@link ServiceManager#start()}</td></tr>
 *   <tr><td>NEW</td><td>TERMINATED</td><td>start failed, or closed before start</td></tr>
 *   <tr><td>RUNNING</td><td>STOPPING</td><td>stop requested (SIGTERM/SIGINT, {@code spindle ctl stop}, API)</td></tr>
 *   <tr><td>STOPPING</td><td>TERMINATED</td><td>every child has exited</td></tr>
 * </table>
 */
public enum ManagerState {
  /** Built, not started. */
  NEW,
  /** Supervising its services. */
  RUNNING,
  /** Stopping its children; no more scaling or reloading. */
  STOPPING,
  /** Every child has exited. Terminal. */
  TERMINATED;

  private static final Map<ManagerState, EnumSet<ManagerState>> ALLOWED = Map.of(
      NEW, EnumSet.of(RUNNING, TERMINATED),
      RUNNING, EnumSet.of(STOPPING),
      STOPPING, EnumSet.of(TERMINATED),
      TERMINATED, EnumSet.noneOf(ManagerState.class));

  /** True if this state may move to {@code next}. */
  public boolean canMoveTo(ManagerState next) {
    return ALLOWED.getOrDefault(this, EnumSet.noneOf(ManagerState.class)).contains(next);
  }
}
