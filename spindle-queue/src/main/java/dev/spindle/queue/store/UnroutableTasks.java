package dev.spindle.queue.store;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.queue.spi.JobInspector;
import dev.spindle.queue.spi.UnroutableTask;
import dev.spindle.queue.spi.WorkerRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * How every store finds its {@link UnroutableTask}s: which tasks each queue's live workers know, and
 * which QUEUED tasks none of them does. Stateless; thread-safe.
 */
public final class UnroutableTasks {
  private UnroutableTasks() {}

  /** Counts a queue's QUEUED jobs by task. */
  @FunctionalInterface
  public interface WaitingByTask {
    /** The number of QUEUED jobs of {@code queue} per task (tasks with none may be absent). */
    Map<String, Long> of(String queue);
  }

  /**
   * The tasks each queue's live workers know at {@code now}, for the queues that have live workers
   * which all named their tasks; by queue name, sorted.
   */
  public static Map<String, Set<String>> knownByQueue(List<WorkerRecord> workers, Instant now) {
    Map<String, Set<String>> known = new TreeMap<>();
    Set<String> anyTask = new HashSet<>();
    for (WorkerRecord w : workers) {
      if (!w.isAlive(now)) {
        continue;
      }
      Set<String> tasks = w.tasks();
      for (String q : w.queues()) {
        if (tasks == null) {
          anyTask.add(q);
        } else {
          known.computeIfAbsent(q, k -> new HashSet<>()).addAll(tasks);
        }
      }
    }
    known.keySet().removeAll(anyTask);
    return known;
  }

  /**
   * The unroutable tasks of the registered {@code workers} at {@code now} (the store's clock), by
   * queue then task.
   */
  public static List<UnroutableTask> find(List<WorkerRecord> workers, Instant now, WaitingByTask waiting) {
    List<UnroutableTask> out = new ArrayList<>();
    for (Map.Entry<String, Set<String>> e : knownByQueue(workers, now).entrySet()) {
      Map<String, Long> byTask = new TreeMap<>(waiting.of(e.getKey()));
      byTask.forEach((task, n) -> {
        if (n > 0 && !e.getValue().contains(task)) {
          out.add(new UnroutableTask(e.getKey(), task, n));
        }
      });
    }
    return out;
  }

  /**
   * The unroutable tasks of a store without a cheaper count: its {@link JobInspector#workers()},
   * counted by walking the newest {@link UnroutableTask#SCAN_LIMIT} QUEUED jobs of each queue.
   */
  public static List<UnroutableTask> byListing(JobInspector inspector, Instant now) {
    return find(inspector.workers(), now, q -> countByListing(inspector, q));
  }

  /**
   * Counts by walking the newest {@link UnroutableTask#SCAN_LIMIT} QUEUED jobs of a queue through
   * {@link JobInspector#listJobs}.
   */
  public static Map<String, Long> countByListing(JobInspector inspector, String queue) {
    Map<String, Long> n = new LinkedHashMap<>();
    JobFilter f = new JobFilter(Set.of(JobState.QUEUED), queue, null, null, null, UnroutableTask.SCAN_LIMIT);
    for (JobInfo j : inspector.listJobs(f)) {
      n.merge(j.task(), 1L, Long::sum);
    }
    return n;
  }
}
