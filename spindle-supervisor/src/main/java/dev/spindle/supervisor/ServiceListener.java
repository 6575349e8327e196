package dev.spindle.supervisor;

import dev.spindle.process.supervise.ExitStatus;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Callbacks about a {@link ServiceManager}'s workers, for logging, metrics and tests. Every method
 * has an empty default. Calls come from the manager's internal threads; they must be fast and must
 * not block or call back into the manager's scaling or stopping methods. Exceptions are logged and
 * ignored.
 */
public interface ServiceListener {
  /** A child JVM was launched for a worker position. */
  default void workerStarted(String service, int workerId, long pid) {}

  /** The child built its service and is running it; {@code startup} is the time since launch. */
  default void workerReady(String service, int workerId, long pid, Duration startup) {}

  /**
   * A child exited.
   *
   * @param expected true if it was asked to stop (scale-down, recycling, shutdown)
   * @param restartIn when its replacement starts, or empty if none will
   */
  default void workerExited(String service, int workerId, long pid, ExitStatus status, boolean expected,
      Optional<Duration> restartIn) {}

  /** A child is being replaced on purpose; {@code reason} says why (e.g. {@code RSS 612 MiB > 512 MiB}). */
  default void workerRecycling(String service, int workerId, long pid, String reason) {}

  /**
   * A worker position keeps dying young: {@code failures} quick deaths in a row; the next start
   * waits {@code nextDelay}. Called at the threshold and at each further failure.
   */
  default void crashLoop(String service, int workerId, int failures, Duration nextDelay) {}

  /** A service's worker count changed. */
  default void scaled(String service, int from, int to) {}

  /** A reload was applied; {@code changes} describes each change (empty if nothing changed). */
  default void reloaded(List<String> changes) {}
}
