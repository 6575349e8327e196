package dev.spindle.store.postgres;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.NewJob;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Where this store's last claim of each queue ended in the ready index, so that the next claim of
 * the queue starts its walk there instead of at the index's head.
 *
 * <p>Why: a claim turns ready rows into running ones, and their ready-index entries stay behind,
 * dead, until the table is vacuumed (the autovacuum looks at a database once a minute by default, and
 * cannot remove anything while an old snapshot pins {@code xmin}). The claim walks the ready index in
 * claim order from its head, over every entry claimed since the last vacuum: 200,000 of them took a
 * claim of 64 jobs 3.5 ms, 55 us per job, more than the claim's own work. A claim that starts at its
 * position walks a few pages.
 *
 * <p>A claim from a position takes the queue's ready jobs of the position's priority whose ids are
 * above the position's id less {@link #SLACK} (jobs committed a little out of id order by concurrent
 * producers are still found). If that takes fewer jobs than asked, the claim walks the index from
 * its head for the rest, so a queue never waits while it has ready jobs. Jobs that become ready
 * before a position (a higher priority, a retry, a released dependent, a delayed job made ready, a
 * transaction that committed jobs late) are found by the next claim that walks from the head: at once
 * when this store made them ready ({@link #readied}, {@link #enqueued}), else at the latest after
 * {@link #WALK_EVERY_NANOS}, the oldest a position may be. So claim order is exact for jobs made
 * ready through the claiming store, and exact to within that quarter of a second for jobs made
 * ready by other processes (or by a caller's transaction that commits after the call).
 *
 * <p>Thread-safe: positions are replaced whole; a position recorded by a claim that began before a
 * {@link #readied} is ignored.
 */
final class ClaimPositions {
  /** How far below its position (in ids) a claim still looks for jobs of the position's priority. */
  static final long SLACK = 1024;

  /** How long a position is used before a claim of its queue walks from the head again (250 ms). */
  static final long WALK_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

  /**
   * The end of a queue's last claim: the last claimed job in claim order (the lowest priority taken,
   * the highest id at that priority), when a claim of the queue last walked from the head, and the
   * {@link #readied} count the claim began under.
   */
  record Position(int priority, long id, long walkedAtNanos, long epoch) {}

  private final ConcurrentHashMap<String, Position> byQueue = new ConcurrentHashMap<>();
  private final AtomicLong epoch = new AtomicLong();
  private final LongSupplier nanoTime;

  /** @param nanoTime a monotonic clock in nanoseconds ({@code System::nanoTime}) */
  ClaimPositions(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  /** The count of {@link #readied} calls, read when a claim begins. */
  long epoch() {
    return epoch.get();
  }

  /** Where a claim of {@code queue} may start, or null: from the index's head. */
  @Nullable Position start(String queue) {
    Position p = byQueue.get(queue);
    if (p == null || p.epoch() != epoch.get() || nanoTime.getAsLong() - p.walkedAtNanos() >= WALK_EVERY_NANOS) {
      return null;
    }
    return p;
  }

  /**
   * Records where a claim of {@code queue} ended.
   *
   * @param began the {@link #epoch} when the claim began
   * @param from the position it started at, null if it walked from the head
   * @param taken the jobs it took, in any order
   */
  void ended(String queue, long began, @Nullable Position from, List<JobInfo> taken) {
    if (taken.isEmpty()) {
      byQueue.remove(queue); // nothing ready: the next claim walks from the head anyway
      return;
    }
    int priority = Integer.MAX_VALUE;
    long id = Long.MIN_VALUE;
    for (JobInfo j : taken) {
      long jid = Long.parseLong(j.id());
      if (j.priority() < priority) {
        priority = j.priority();
        id = jid;
      } else if (j.priority() == priority && jid > id) {
        id = jid;
      }
    }
    long walked = from != null ? from.walkedAtNanos() : nanoTime.getAsLong();
    byQueue.put(queue, new Position(priority, id, walked, began));
  }

  /**
   * Jobs became ready before some position through this store (retried, released, revived,
   * reclaimed, made ready when due, or added in a caller's transaction): every claim walks from the
   * head again.
   */
  void readied() {
    epoch.incrementAndGet();
  }

  /**
   * Jobs were added through this store and committed: if one is ready before its queue's position
   * (a higher priority, or an id more than {@link #SLACK} below it: its transaction committed after
   * later ones were claimed), every claim walks from the head again.
   *
   * @param results the enqueue's results, in the order of {@code jobs}
   */
  void enqueued(List<NewJob> jobs, List<EnqueueResult> results) {
    if (byQueue.isEmpty()) {
      return; // a producer's store: it claims nothing
    }
    for (int i = 0; i < jobs.size() && i < results.size(); i++) {
      EnqueueResult r = results.get(i);
      Position p = byQueue.get(jobs.get(i).queue());
      if (p == null || !r.created() || r.state() != JobState.QUEUED) {
        continue;
      }
      int priority = jobs.get(i).priority();
      if (priority > p.priority() || (priority == p.priority() && Long.parseLong(r.jobId()) <= p.id() - SLACK)) {
        readied();
        return;
      }
    }
  }
}
