package dev.spindle.queue.internal;

import dev.spindle.queue.JobInfo;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The jobs a worker claimed ahead of its free slots ({@link dev.spindle.queue.Worker.Builder#prefetch}):
 * claimed (RUNNING under the worker's lease in the store) but not started, in claim order. Whichever
 * thread frees a slot starts the oldest one ({@link JobLauncher#startPrefetched}), so a slot's next
 * job starts at once instead of after the dispatcher's next store call, and the jobs run while the
 * dispatcher waits on the store.
 *
 * <p>The worker claims ahead only while jobs are short: while their usual run time (a moving average
 * of every job's start to end, weight 1/8, kept here) is below the usual store call. A job that
 * waited longer than {@link #MAX_WAIT} for a slot (the slots are taken by jobs that turned long) is
 * handed back to the store by the dispatcher, so it can run elsewhere, and claiming ahead pauses
 * until a job ends. Thread-safe: one lock, held
 * for a few operations on at most {@code prefetch} entries.
 */
final class Prefetched {
  /** How long a claimed job may wait for a slot before the dispatcher hands it back. */
  static final long MAX_WAIT = TimeUnit.MILLISECONDS.toNanos(100);
  private static final int WEIGHT_SHIFT = 3;

  /** A claimed job and when (System.nanoTime) its claim returned. */
  record Held(JobInfo job, long claimedNanos) {}

  private final LinkedHashMap<String, Held> jobs = new LinkedHashMap<>();
  /**
   * Ids of the jobs taken out to start or to hand back ({@link #poll}, {@link #drain},
   * {@link #removeStale}) until the taker {@link #placed} them: {@link #contains} still tells them
   * held here, so a job is never between here and running (or its outcome) unseen.
   */
  private final Set<String> taken = new HashSet<>();
  /** Average run time (start to end) of this worker's jobs, ns; -1 before the first. Racy updates. */
  private volatile long runNanos = -1;

  /** Adds a claimed job behind the others. */
  synchronized void add(JobInfo job, long claimedNanos) {
    jobs.put(job.id(), new Held(job, claimedNanos));
  }

  /** The oldest job, taken out ({@link #placed} once it runs or has an outcome); null if none. */
  synchronized @Nullable Held poll() {
    Iterator<Held> it = jobs.values().iterator();
    if (!it.hasNext()) {
      return null;
    }
    Held h = it.next();
    it.remove();
    taken.add(h.job.id());
    return h;
  }

  /** A job taken out is running now, or its outcome is queued: no longer held here. */
  synchronized void placed(String jobId) {
    taken.remove(jobId);
  }

  /** Removes and returns the job; null if it does not hold it. */
  synchronized @Nullable Held remove(String jobId) {
    return jobs.remove(jobId);
  }

  /** Whether it holds the job: waiting, or taken out and not yet {@link #placed}. */
  synchronized boolean contains(String jobId) {
    return jobs.containsKey(jobId) || taken.contains(jobId);
  }

  /** How many jobs wait. */
  synchronized int size() {
    return jobs.size();
  }

  /** Takes out and returns every job ({@link #placed} once each is handed back). */
  synchronized List<Held> drain() {
    List<Held> all = new ArrayList<>(jobs.values());
    jobs.clear();
    for (Held h : all) {
      taken.add(h.job.id());
    }
    return all;
  }

  /** Removes and returns the jobs claimed before {@code nanos} (System.nanoTime) that {@code held} lacks. */
  synchronized List<Held> removeNotHeld(Set<String> held, long nanos) {
    List<Held> gone = new ArrayList<>();
    for (Iterator<Held> it = jobs.values().iterator(); it.hasNext(); ) {
      Held h = it.next();
      if (h.claimedNanos - nanos < 0 && !held.contains(h.job.id())) {
        gone.add(h);
        it.remove();
      }
    }
    return gone;
  }

  /**
   * Takes out and returns the jobs that waited longer than {@link #MAX_WAIT} at {@code now}
   * ({@link #placed} once each is handed back). If there were any, the slots are held by jobs that
   * turned long: the run-time average is forgotten, so the worker claims ahead again only once a job
   * ended and showed jobs to be short again.
   */
  synchronized List<Held> removeStale(long now) {
    List<Held> stale = new ArrayList<>();
    for (Iterator<Held> it = jobs.values().iterator(); it.hasNext(); ) {
      Held h = it.next();
      if (now - h.claimedNanos <= MAX_WAIT) {
        break; // claim order: the rest waited less
      }
      stale.add(h);
      it.remove();
      taken.add(h.job.id());
    }
    if (!stale.isEmpty()) {
      runNanos = -1;
    }
    return stale;
  }

  /** Records a job that ran {@code nanos}, start to end. */
  void ran(long nanos) {
    long s = Math.max(0, nanos);
    long avg = runNanos;
    runNanos = avg < 0 ? s : avg + ((s - avg) >> WEIGHT_SHIFT);
  }

  /** Whether jobs usually run shorter than {@code callNanos} (false while either is unknown). */
  boolean jobsShorterThan(long callNanos) {
    long avg = runNanos;
    return avg >= 0 && callNanos >= 0 && avg < callNanos;
  }
}
