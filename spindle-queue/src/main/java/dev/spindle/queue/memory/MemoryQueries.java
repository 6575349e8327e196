package dev.spindle.queue.memory;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobNotFoundException;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.DependencyEdge;
import dev.spindle.queue.spi.FinishedBatch;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.queue.spi.MinuteStats;
import dev.spindle.queue.spi.QueueSummary;
import dev.spindle.queue.spi.WorkerRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The read side of an {@link InMemoryJobStore}: single jobs, the finish feed, filtered listings,
 * per-queue summaries, workers, dependency edges and the per-minute statistics. Each answer is read
 * under the store's lock, so it is consistent. Thread-safe.
 */
final class MemoryQueries {
  private final MemoryData data;

  MemoryQueries(MemoryData data) {
    this.data = data;
  }

  Optional<JobInfo> find(String jobId) {
    synchronized (data.lock) {
      data.checkOpen();
      MemoryJob j = data.lookup(jobId);
      return j == null ? Optional.empty() : Optional.of(j.snapshot());
    }
  }

  FinishedBatch finishedAfter(long cursor, int limit) {
    synchronized (data.lock) {
      data.checkOpen();
      List<JobInfo> out = new ArrayList<>();
      long last = cursor;
      for (Map.Entry<Long, MemoryJob> e : data.feed.tailMap(cursor, false).entrySet()) {
        if (out.size() >= limit) {
          break;
        }
        out.add(e.getValue().snapshot());
        last = e.getKey();
      }
      return new FinishedBatch(out, last);
    }
  }

  long finishCursor() {
    synchronized (data.lock) {
      data.checkOpen();
      return data.lastFinishSeq;
    }
  }

  List<JobInfo> listJobs(JobFilter filter) {
    synchronized (data.lock) {
      data.checkOpen();
      NavigableMap<Long, MemoryJob> view = filter.beforeId() == null ? data.jobs.descendingMap()
          : data.jobs.headMap(JobFilter.parseId(filter.beforeId()), false).descendingMap();
      List<JobInfo> out = new ArrayList<>();
      for (MemoryJob j : view.values()) {
        if (out.size() >= filter.limit()) {
          break;
        }
        if (data.matches(j, filter)) {
          out.add(j.snapshot());
        }
      }
      return out;
    }
  }

  Map<String, Instant> oldestReady() {
    synchronized (data.lock) {
      data.checkOpen();
      Map<String, Instant> out = new HashMap<>();
      data.ready.forEach((q, set) -> {
        for (MemoryJob j : set.all()) {
          Instant prev = out.get(q);
          if (prev == null || j.runAt.isBefore(prev)) {
            out.put(q, j.runAt);
          }
        }
      });
      return out;
    }
  }

  List<QueueSummary> queueSummaries() {
    synchronized (data.lock) {
      data.checkOpen();
      TreeMap<String, QueueSummary> out = new TreeMap<>();
      data.counts.forEach((q, c) -> {
        Map<JobState, Long> nonZero = new EnumMap<>(JobState.class);
        c.forEach((s, n) -> {
          if (n > 0) {
            nonZero.put(s, n);
          }
        });
        if (!nonZero.isEmpty()) {
          out.put(q, new QueueSummary(q, nonZero, data.limits.getOrDefault(q, 0)));
        }
      });
      data.limits.forEach((q, l) -> out.putIfAbsent(q, new QueueSummary(q, Map.of(), l)));
      return List.copyOf(out.values());
    }
  }

  List<WorkerRecord> workers() {
    synchronized (data.lock) {
      data.checkOpen();
      List<WorkerRecord> out = new ArrayList<>(data.workers.size());
      for (WorkerRecord w : data.workers.values()) {
        int held = data.runningByWorker.getOrDefault(w.id(), Set.of()).size();
        out.add(new WorkerRecord(w.id(), w.name(), w.host(), w.pid(), w.queues(), w.concurrency(), w.model(),
            w.state(), w.startedAt(), w.heartbeatAt(), w.leaseUntil(), held, w.processed(), w.failed(),
            w.ratePerSecond(), w.clockSkew(), w.tasks()));
      }
      return out;
    }
  }

  List<DependencyEdge> dependencyEdges(String jobId) {
    synchronized (data.lock) {
      data.checkOpen();
      MemoryJob j = data.lookup(jobId);
      if (j == null) {
        throw new JobNotFoundException(jobId);
      }
      return data.deps.edgesOf(j.id);
    }
  }

  List<MinuteStats> minutes(Instant from, Instant to) {
    synchronized (data.lock) {
      data.checkOpen();
      List<MinuteStats> out = new ArrayList<>();
      if (from.isBefore(to)) {
        data.stats.subMap(MinuteStats.minuteOf(from), true, to.getEpochSecond(), to.getNano() > 0)
            .forEach((m, c) -> out.add(MinuteStats.fromCounters(Instant.ofEpochSecond(m), c)));
      }
      return out;
    }
  }

  Optional<Instant> oldestWaiting() {
    synchronized (data.lock) {
      data.checkOpen();
      MemoryJob oldest = null;
      for (MemoryReady set : data.ready.values()) {
        for (MemoryJob j : set.all()) {
          if (oldest == null || j.id < oldest.id) {
            oldest = j;
          }
        }
      }
      return oldest == null ? Optional.empty() : Optional.of(oldest.runAt);
    }
  }

  /** Jobs per state over all queues (for tests and diagnostics). */
  Map<JobState, Long> countByState() {
    synchronized (data.lock) {
      Map<JobState, Long> out = new EnumMap<>(JobState.class);
      data.counts.values().forEach(c -> c.forEach((s, n) -> out.merge(s, n, Long::sum)));
      return out;
    }
  }
}
