package dev.spindle.queue.spi;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Everything a live dashboard reads at each tick, read by {@link StoreAdmin#liveView} at once: one
 * read transaction or one round trip on stores that can. Immutable.
 *
 * @param workers the registered workers ({@link JobInspector#workers})
 * @param pausedQueues the paused queues ({@link QueueControl#pausedQueues})
 * @param finished the feed after the cursor asked for ({@link StoreAdmin#finishedAfter}), or an empty
 *     batch at the current cursor if none was asked for
 * @param finishCursor the store's finish cursor now ({@link StoreAdmin#finishCursor})
 * @param minutes the statistics of the window asked for ({@link JobStatistics#minutes}); empty if
 *     the store keeps none
 * @param queues the per-queue counts ({@link JobInspector#queueSummaries}), or {@code null} if not
 *     asked for
 * @param oldestWaiting when the oldest waiting job became ready ({@link JobStatistics#oldestWaiting}),
 *     or {@code null} if not asked for
 */
public record LiveView(List<WorkerRecord> workers, Set<String> pausedQueues, FinishedBatch finished,
    long finishCursor, List<MinuteStats> minutes, @Nullable List<QueueSummary> queues,
    @Nullable Optional<Instant> oldestWaiting) {
  /** Copies the collections. */
  public LiveView {
    workers = List.copyOf(workers);
    pausedQueues = Set.copyOf(pausedQueues);
    minutes = List.copyOf(minutes);
    queues = queues == null ? null : List.copyOf(queues);
  }

  /**
   * What to read.
   *
   * @param feedAfter the finish cursor to read the feed after, or -1 for none
   * @param feedLimit the most finished jobs to read
   * @param statsFrom the start of the statistics window
   * @param statsTo its end (exclusive)
   * @param counts whether to read the per-queue counts and the oldest waiting job (the costly part)
   */
  public record Request(long feedAfter, int feedLimit, Instant statsFrom, Instant statsTo, boolean counts) {}

  /**
   * Reads the view with the admin's separate calls (what {@link StoreAdmin#liveView} does by
   * default): the one composition every store shares; a store without statistics gives no minutes
   * and no oldest waiting job.
   */
  public static LiveView compose(StoreAdmin admin, Request r) {
    FinishedBatch feed = r.feedAfter() < 0 ? null : admin.finishedAfter(r.feedAfter(), r.feedLimit());
    long cursor = admin.finishCursor();
    Optional<JobStatistics> st = admin.statistics();
    return new LiveView(admin.inspector().workers(), admin.control().pausedQueues(),
        feed == null ? new FinishedBatch(List.of(), cursor) : feed, cursor,
        st.map(s -> s.minutes(r.statsFrom(), r.statsTo())).orElse(List.of()),
        r.counts() ? admin.inspector().queueSummaries() : null,
        r.counts() ? st.flatMap(JobStatistics::oldestWaiting) : null);
  }
}
