package dev.spindle.queue.internal;

import dev.spindle.TaskContext;
import dev.spindle.queue.JobProgress;
import dev.spindle.queue.ProgressLimits;
import dev.spindle.queue.spi.ProgressStore;
import dev.spindle.queue.spi.ProgressUpdate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a worker's running jobs report ({@link TaskContext#progress}, {@link TaskContext#log}), held
 * in the worker and written in batches: a report costs no store call of its own. The housekeeper
 * writes the reports of every running job that has new ones in one {@link ProgressStore#write}
 * every {@link ProgressSettings#flushInterval()}; a job's last reports are written by the dispatcher
 * in one call for all the outcomes of its round, just before it writes them (the write is fenced,
 * so it must come while the job is still RUNNING). Writes are serialized by one lock, so a job's
 * lines reach the store in the order they were logged. A job that never reports costs nothing: no
 * buffer, no write, no lock.
 *
 * <p>Reports are best effort: a write that fails is logged and dropped (the job's outcome matters
 * more and is written regardless), and a job whose lease was lost writes nothing. Without a store
 * {@link ProgressStore}, reports are checked and dropped. Thread-safe.
 */
final class ProgressReports {
  private static final Logger LOG = LoggerFactory.getLogger(ProgressReports.class);

  private final @Nullable ProgressStore store;
  private final ProgressLimits limits;
  private final Clock clock;
  private final String workerId;
  /** Held while reports are taken and written: one write at a time, in order. */
  private final ReentrantLock writing = new ReentrantLock();
  /** The last reports of jobs that ended and reported something, until their outcome's round. */
  private final Map<String, ProgressUpdate> ended = new ConcurrentHashMap<>();

  ProgressReports(WorkerSettings settings, String workerId) {
    this.store = settings.store().progress().orElse(null);
    this.limits = settings.progress().limits();
    this.clock = settings.clock();
    this.workerId = workerId;
  }

  /** One job's reports not yet written. Guarded by itself. */
  static final class Pending {
    private @Nullable Double fraction;
    private String message = "";
    private @Nullable Instant updatedAt;
    private final ArrayDeque<JobProgress.Line> lines = new ArrayDeque<>();

    /** The update of the reports held, which are then taken; null if there are none. */
    synchronized @Nullable ProgressUpdate take(String jobId, long fence, String holder) {
      if (fraction == null && lines.isEmpty()) {
        return null;
      }
      ProgressUpdate u = new ProgressUpdate(jobId, fence, holder, fraction, message,
          updatedAt == null ? Instant.EPOCH : updatedAt, new ArrayList<>(lines));
      fraction = null;
      lines.clear();
      return u;
    }
  }

  /** Holds a progress report of {@code f}'s job. */
  void progress(InFlight f, double fraction, String message) {
    TaskContext.checkProgress(fraction, message);
    if (store == null || f.lost) {
      return;
    }
    Pending p = f.pending();
    String clipped = limits.clip(message);
    Instant at = clock.instant();
    synchronized (p) {
      p.fraction = fraction;
      p.message = clipped;
      p.updatedAt = at;
    }
  }

  /** Holds a log line of {@code f}'s job; beyond the kept number, the oldest held line is dropped. */
  void log(InFlight f, TaskContext.LogLevel level, String message) {
    TaskContext.checkLog(level, message);
    if (store == null || f.lost) {
      return;
    }
    Pending p = f.pending();
    JobProgress.Line line = new JobProgress.Line(0, clock.instant(), level, limits.clip(message));
    synchronized (p) {
      p.lines.addLast(line);
      if (p.lines.size() > limits.maxLines()) {
        p.lines.removeFirst(); // the store would drop it at once
      }
    }
  }

  /** Writes the new reports of the running jobs {@code running}, in one store call if there are any. */
  void flushRunning(Collection<InFlight> running) {
    if (store == null) {
      return;
    }
    writing.lock();
    try {
      List<ProgressUpdate> updates = new ArrayList<>();
      for (InFlight f : running) {
        Pending p = f.pendingOrNull();
        ProgressUpdate u = p == null || f.lost || f.suspended ? null : p.take(f.job.id(), f.job.fence(), holder(f));
        if (u != null) {
          updates.add(u);
        }
      }
      write(updates);
    } finally {
      writing.unlock();
    }
  }

  /**
   * Notes that {@code f}'s execution ended: its reports not yet written wait for its outcome's round
   * ({@link #flushEnded}). A job that never reported is not noted.
   */
  void ended(InFlight f) {
    Pending p = f.pendingOrNull();
    if (p == null || f.lost) {
      return;
    }
    ProgressUpdate u = p.take(f.job.id(), f.job.fence(), holder(f));
    // an entry even without reports left: the outcome's round then waits for a write in progress
    ended.put(f.job.id(), u != null ? u : new ProgressUpdate(f.job.id(), f.job.fence(), holder(f), null, "",
        Instant.EPOCH, List.of()));
  }

  /**
   * Writes the last reports of the jobs whose outcomes are about to be written, in one store call;
   * returns at once if none of them reported anything.
   */
  void flushEnded(List<JobOutcome> outcomes) {
    if (ended.isEmpty()) {
      return;
    }
    List<ProgressUpdate> updates = new ArrayList<>();
    boolean any = false;
    for (JobOutcome o : outcomes) {
      ProgressUpdate u = ended.remove(o.job().id());
      if (u != null) {
        any = true;
        if (u.fraction() != null || !u.lines().isEmpty()) {
          updates.add(u);
        }
      }
    }
    if (!any) {
      return;
    }
    writing.lock(); // also waits for a write of earlier reports of these jobs
    try {
      write(updates);
    } finally {
      writing.unlock();
    }
  }

  private void write(List<ProgressUpdate> updates) {
    ProgressStore s = store;
    if (updates.isEmpty() || s == null) {
      return;
    }
    try {
      s.write(updates, limits.maxLines());
    } catch (RuntimeException e) {
      LOG.warn("worker {} could not write the progress reports of {} job(s); they were dropped: {}", workerId,
          updates.size(), e.toString());
    }
  }

  private String holder(InFlight f) {
    String w = f.job.workerId();
    return w != null ? w : workerId;
  }
}
