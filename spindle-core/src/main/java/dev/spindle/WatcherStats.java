package dev.spindle;

import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A snapshot of one periodic task's counters (futurist's watcher statistics). Times are measured
 * with the {@link PeriodicWorker}'s clock.
 *
 * @param name the periodic task's name
 * @param runs finished runs
 * @param successes runs that returned normally
 * @param failures runs that threw
 * @param elapsed summed run time
 * @param elapsedWaiting summed delay between a run being due and it starting (lateness)
 * @param running true if a run is in progress now
 * @param nextDue when the next run is due, or {@code null} while running (fixed delay) or removed
 */
public record WatcherStats(String name, long runs, long successes, long failures, Duration elapsed,
    Duration elapsedWaiting, boolean running, @Nullable Instant nextDue) {

  /** Mean run time, or zero before the first run. */
  public Duration averageElapsed() {
    return runs == 0 ? Duration.ZERO : elapsed.dividedBy(runs);
  }

  @Override
  public String toString() {
    return String.format(java.util.Locale.ROOT, "%s(runs=%d, successes=%d, failures=%d, elapsed=%.2f, elapsed_waiting=%.2f)",
        name, runs, successes, failures, elapsed.toNanos() / 1e9, elapsedWaiting.toNanos() / 1e9);
  }
}
