package dev.spindle.supervisor;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * How a {@link ServiceManager} ended: the exit status its process should end with, why, and
 * whether children had to be killed. Immutable.
 *
 * @param exitCode {@link #CLEAN} (0) if every child stopped within its stop timeout,
 *     {@link #FORCED} (1) if some had to be killed, {@link #START_FAILED} (3) if the manager could
 *     not start
 * @param reason why the manager stopped, e.g. {@code SIGTERM} or {@code spindle ctl stop}; null if
 *     nothing said why
 * @param forcedKills children killed because they did not stop in time (or because of an immediate stop)
 * @param at when the last child exited
 */
public record Termination(int exitCode, @Nullable String reason, int forcedKills, Instant at) {
  /** Every child stopped in time. */
  public static final int CLEAN = 0;
  /** Some children were killed because they did not stop within their deadline. */
  public static final int FORCED = 1;
  /** The manager failed to start (configuration, control socket in use). */
  public static final int START_FAILED = 3;
}
