package dev.spindle.queue.health;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link StallDetector} counts as trouble, and how often it looks. Immutable; the {@code
 * with...} methods return changed copies.
 *
 * <p>Defaults: a queue is stalled when its oldest ready job waited {@link #claimStall() 2 minutes}
 * while a live worker of the queue had a free slot; a worker is stalled when it held running jobs
 * and completed or claimed none for {@link #progressStall() 15 minutes}; the detector looks every
 * {@link #interval() 15 seconds}; jobs becoming DEAD in the last {@link #window() 5 minutes} raise
 * an incident; latency and failure-rate thresholds are off. A threshold incident resolves (and
 * re-arms) once its value falls below {@link #rearm() 80 %} of the threshold.
 *
 * @param claimStall how long ready jobs may wait with free slots before the queue counts as stalled
 * @param progressStall how long a live worker may hold running jobs without completing or claiming
 * @param interval how often {@link StallDetector#evaluateIfDue} evaluates
 * @param queueLatency the oldest ready job's wait that raises {@code QUEUE_LATENCY}, or {@code null} for off
 * @param failureRate the share of failed attempts (0 to 1] in the window that raises {@code
 *     FAILURE_RATE}, or 0 for off
 * @param minAttempts the fewest attempts in the window for the failure rate to count
 * @param deadJobs whether jobs becoming DEAD in the window raise {@code DEAD_JOBS}
 * @param window the recent window of the failure rate and of dead jobs (whole minutes are read)
 * @param rearm the fraction of a threshold below which its incident resolves, in (0, 1]
 */
public record StallRules(Duration claimStall, Duration progressStall, Duration interval,
    @Nullable Duration queueLatency, double failureRate, int minAttempts, boolean deadJobs, Duration window,
    double rearm) {
  /**
   * Checks the rules.
   *
   * @throws IllegalArgumentException if a duration is not positive, a fraction is out of range or
   *     {@code minAttempts} is below 1
   */
  public StallRules {
    positive(claimStall, "claimStall");
    positive(progressStall, "progressStall");
    positive(interval, "interval");
    if (queueLatency != null) {
      positive(queueLatency, "queueLatency");
    }
    positive(window, "window");
    if (!(failureRate >= 0 && failureRate <= 1)) {
      throw new IllegalArgumentException("failureRate must be within [0, 1] (0 turns it off): " + failureRate);
    }
    if (minAttempts < 1) {
      throw new IllegalArgumentException("minAttempts must be at least 1: " + minAttempts);
    }
    if (!(rearm > 0 && rearm <= 1)) {
      throw new IllegalArgumentException("rearm must be within (0, 1]: " + rearm);
    }
  }

  /** The defaults described above. */
  public static StallRules defaults() {
    return new StallRules(Duration.ofMinutes(2), Duration.ofMinutes(15), Duration.ofSeconds(15), null, 0, 20, true,
        Duration.ofMinutes(5), 0.8);
  }

  /** With another {@link #claimStall}. */
  public StallRules withClaimStall(Duration d) {
    return new StallRules(d, progressStall, interval, queueLatency, failureRate, minAttempts, deadJobs, window,
        rearm);
  }

  /** With another {@link #progressStall}. */
  public StallRules withProgressStall(Duration d) {
    return new StallRules(claimStall, d, interval, queueLatency, failureRate, minAttempts, deadJobs, window, rearm);
  }

  /** With another {@link #interval}. */
  public StallRules withInterval(Duration d) {
    return new StallRules(claimStall, progressStall, d, queueLatency, failureRate, minAttempts, deadJobs, window,
        rearm);
  }

  /** With a {@link #queueLatency} threshold ({@code null}: off). */
  public StallRules withQueueLatency(@Nullable Duration d) {
    return new StallRules(claimStall, progressStall, interval, d, failureRate, minAttempts, deadJobs, window, rearm);
  }

  /** With a {@link #failureRate} threshold (0: off) over at least {@code minAttempts} attempts. */
  public StallRules withFailureRate(double rate, int minAttempts) {
    return new StallRules(claimStall, progressStall, interval, queueLatency, rate, minAttempts, deadJobs, window,
        rearm);
  }

  /** With dead-job incidents on or off. */
  public StallRules withDeadJobs(boolean on) {
    return new StallRules(claimStall, progressStall, interval, queueLatency, failureRate, minAttempts, on, window,
        rearm);
  }

  /** With another {@link #window}. */
  public StallRules withWindow(Duration d) {
    return new StallRules(claimStall, progressStall, interval, queueLatency, failureRate, minAttempts, deadJobs, d,
        rearm);
  }

  /** With another {@link #rearm} fraction. */
  public StallRules withRearm(double fraction) {
    return new StallRules(claimStall, progressStall, interval, queueLatency, failureRate, minAttempts, deadJobs,
        window, fraction);
  }

  private static void positive(Duration d, String what) {
    Objects.requireNonNull(d, what);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(what + " must be positive: " + d);
    }
  }
}
