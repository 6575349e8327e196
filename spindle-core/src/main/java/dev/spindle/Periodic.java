package dev.spindle;

import java.time.Duration;
import java.util.Objects;

/**
 * What a {@link PeriodicWorker} runs and when: futurist's {@code @periodics.periodic(spacing)}.
 * Immutable; build with {@link #fixedRate} or {@link #fixedDelay} and the {@code with...} methods.
 *
 * <pre>{@code
 * worker.add(Periodic.fixedRate("every_one", Duration.ofSeconds(1), () -> log.info("tick")));
 * worker.add(Periodic.fixedDelay("print_stats", Duration.ofSeconds(4), this::printStats).runImmediately());
 * }</pre>
 *
 * @param name unique within a worker; names the watcher in statistics and logs
 * @param period the spacing between runs (positive)
 * @param schedule fixed rate or fixed delay
 * @param immediately run at once when added, rather than after one period (default false, as
 *     futurist's {@code run_immediately})
 * @param action the code; an exception counts as a failure, is logged, and the watcher goes on
 */
public record Periodic(String name, Duration period, Schedule schedule, boolean immediately, Action action) {
  /** How the next run is timed. */
  public enum Schedule {
    /**
     * Runs are due every period from the first due time (start-to-start, on a fixed grid). Periods
     * missed because a run overran or started late are skipped, not made up in a burst: the next
     * run is due at the next grid point after the run ended.
     */
    FIXED_RATE,
    /** The next run is due one period after the previous run ended (end-to-start). */
    FIXED_DELAY
  }

  /** The code of a periodic task. */
  @FunctionalInterface
  public interface Action {
    /** Runs once; any exception counts as a failure of this run. */
    void run() throws Exception;
  }

  public Periodic {
    Task.validateName(name);
    Objects.requireNonNull(period, "period");
    if (period.isNegative() || period.isZero()) {
      throw new IllegalArgumentException("period of '" + name + "' must be positive: " + period);
    }
    Objects.requireNonNull(schedule, "schedule");
    Objects.requireNonNull(action, "action");
  }

  /** Runs every {@code period}, start to start. */
  public static Periodic fixedRate(String name, Duration period, Action action) {
    return new Periodic(name, period, Schedule.FIXED_RATE, false, action);
  }

  /** Runs {@code delay} after the previous run ended. */
  public static Periodic fixedDelay(String name, Duration delay, Action action) {
    return new Periodic(name, delay, Schedule.FIXED_DELAY, false, action);
  }

  /** A copy that runs as soon as it is added. */
  public Periodic runImmediately() {
    return new Periodic(name, period, schedule, true, action);
  }
}
