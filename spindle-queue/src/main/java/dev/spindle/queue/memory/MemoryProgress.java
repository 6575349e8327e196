package dev.spindle.queue.memory;

import dev.spindle.queue.JobProgress;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.ProgressStore;
import dev.spindle.queue.spi.ProgressUpdate;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The {@link ProgressStore} of an {@link InMemoryJobStore}: each job's reports live on its {@link
 * MemoryJob} (so they go with it); every call takes the store's lock. Thread-safe through that lock.
 */
final class MemoryProgress implements ProgressStore {
  private final MemoryData data;

  MemoryProgress(MemoryData data) {
    this.data = data;
  }

  /** A job's reports. Guarded by the store's lock. */
  static final class Notes {
    @Nullable Double fraction;
    String message = "";
    @Nullable Instant updatedAt;
    final ArrayDeque<JobProgress.Line> lines = new ArrayDeque<>();
    long total;

    JobProgress view() {
      return new JobProgress(fraction, message, updatedAt, new ArrayList<>(lines), total);
    }
  }

  @Override
  public List<Boolean> write(List<ProgressUpdate> updates, int maxLines) {
    if (maxLines < 1) {
      throw new IllegalArgumentException("maxLines must be at least 1, got " + maxLines);
    }
    synchronized (data.lock) {
      data.checkOpen();
      List<Boolean> out = new ArrayList<>(updates.size());
      for (ProgressUpdate u : updates) {
        MemoryJob j = data.lookup(u.jobId());
        boolean held = j != null && j.state == JobState.RUNNING && j.fence == u.fence()
            && u.workerId().equals(j.workerId);
        if (held && j != null) {
          apply(j, u, maxLines);
        }
        out.add(held);
      }
      return out;
    }
  }

  private static void apply(MemoryJob j, ProgressUpdate u, int maxLines) {
    Notes n = j.notes;
    if (n == null) {
      n = new Notes();
      j.notes = n;
    }
    if (u.fraction() != null) {
      n.fraction = u.fraction();
      n.message = u.message();
      n.updatedAt = u.updatedAt();
    }
    for (JobProgress.Line l : u.lines()) {
      n.lines.addLast(l.numbered(++n.total));
    }
    while (n.lines.size() > maxLines) {
      n.lines.removeFirst();
    }
  }

  @Override
  public Optional<JobProgress> view(String jobId) {
    synchronized (data.lock) {
      data.checkOpen();
      MemoryJob j = data.lookup(jobId);
      if (j == null) {
        return Optional.empty();
      }
      return Optional.of(j.notes == null ? JobProgress.NONE : j.notes.view());
    }
  }
}
