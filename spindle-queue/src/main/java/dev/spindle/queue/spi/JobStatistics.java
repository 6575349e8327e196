package dev.spindle.queue.spi;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Statistics a store keeps itself, written in the same atomic step as the changes they count (a
 * claim adds to {@code started} and the wait histogram, a completion to its outcome's counter), so
 * they are shared by every dashboard and survive restarts. Per minute ({@link MinuteStats}), kept
 * for {@link MinuteStats#KEPT}. A store that keeps them offers them through {@link StoreAdmin#statistics()}.
 * Thread-safe.
 */
public interface JobStatistics {
  /**
   * The minutes with any activity that overlap {@code [from, to)} (a minute starting before
   * {@code to} and ending after {@code from}), oldest first; minutes without activity are absent.
   */
  List<MinuteStats> minutes(Instant from, Instant to);

  /**
   * When the job that has waited longest among the QUEUED ones (the lowest id; jobs are claimed in
   * priority then id order) became ready to run, or empty if none waits.
   */
  Optional<Instant> oldestWaiting();
}
