package dev.spindle.queue.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker's clock against its store's: measured at each heartbeat, used to plan schedules on the
 * store's clock and to read the store's next run time on the worker's, and warned about (at most
 * every 10 minutes) while beyond {@link WorkerSettings#clockSkewWarning()}. Thread-safe.
 */
final class ClockSkew {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerRuntime.class);
  private static final long SKEW_WARNING_EVERY_NANOS = TimeUnit.MINUTES.toNanos(10);

  private final WorkerSettings settings;
  private final String workerId;
  /** Worker clock minus store clock at the last heartbeat; null until the store told its time. */
  private volatile @Nullable Duration clockSkew;
  private final Object skewLock = new Object();
  private long lastSkewWarningNanos;
  private boolean skewWarned;

  ClockSkew(WorkerSettings settings, String workerId) {
    this.settings = settings;
    this.workerId = workerId;
  }

  /** The worker's clock minus the store's at the last heartbeat, or null if unknown. */
  @Nullable Duration get() {
    return clockSkew;
  }

  /**
   * {@code now} (the worker's clock) moved onto the store's clock by the skew last measured, if that
   * is beyond the warning bound: the time recurring schedules are planned on, so their ticks fire
   * on the store's clock like leases. A skew within the bound is left alone (it is mostly the
   * round trip's uncertainty).
   */
  Instant onStoreClock(Instant now) {
    Duration skew = clockSkew;
    return skew == null || skew.abs().compareTo(settings.clockSkewWarning()) <= 0 ? now : Durations.plus(now, skew.negated());
  }

  /**
   * A store instant (the next SCHEDULED run time) on the worker's clock, by the skew last measured
   * (unknown skew: unchanged): a worker an hour fast would otherwise see every job due within the
   * hour as due now and claim in a loop. Unlike {@link #onStoreClock}, a skew within the warning
   * bound is applied too: it only moves a wake-up, and the best estimate is the measured one. Null
   * stays null.
   */
  @Nullable Instant onWorkerClock(@Nullable Instant storeInstant) {
    Duration skew = clockSkew;
    return storeInstant == null || skew == null ? storeInstant : Durations.plus(storeInstant, skew);
  }

  /**
   * Compares the worker's clock (read at {@code sentAt}, the call taking {@code roundTripNanos}) with
   * the store's answer, taken as read half-way; warns at most every 10 minutes while the two differ
   * by more than the bound, and once when they agree again. The estimate is off by up to half the
   * round trip, so a call that took longer than half the warning bound (one that waited for a
   * reconnect after an outage, or in a pool's queue) is no sample: the skew last measured stays.
   */
  void measure(Instant sentAt, long roundTripNanos, Instant storeTime) {
    if (roundTripNanos > Durations.toNanos(settings.clockSkewWarning()) / 2) {
      LOG.debug("worker {}: clock skew not measured by a store call of {} ms (it waited, so the store's time "
          + "could be from any moment of it)", workerId, TimeUnit.NANOSECONDS.toMillis(roundTripNanos));
      return;
    }
    Instant mid = Durations.plus(sentAt, Duration.ofNanos(Math.max(0, roundTripNanos) / 2));
    Duration skew = Duration.ofNanos(Durations.nanosBetween(storeTime, mid));
    clockSkew = skew;
    boolean off = skew.abs().compareTo(settings.clockSkewWarning()) > 0;
    long t = System.nanoTime();
    synchronized (skewLock) {
      if (off && (!skewWarned || t - lastSkewWarningNanos >= SKEW_WARNING_EVERY_NANOS)) {
        skewWarned = true;
        lastSkewWarningNanos = t;
        LOG.warn("worker {}: its clock is {} {} the store's ({}; warning bound {}). Leases and due times are "
            + "read on the store's clock, so jobs are safe, but this worker's timestamps, timeouts and logs "
            + "are off: synchronise the host's clock (NTP)", workerId, skew.abs(), skew.isNegative() ? "behind"
            : "ahead of", settings.store().describe(), settings.clockSkewWarning());
      } else if (!off && skewWarned) {
        skewWarned = false;
        LOG.info("worker {}: its clock agrees with the store's again (off by {})", workerId, skew);
      }
    }
  }
}
