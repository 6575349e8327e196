package dev.spindle.queue.spi;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Waiting jobs no live worker can run: QUEUED jobs of a queue that live workers consume, whose task
 * none of those workers registered ({@link WorkerRecord#tasks}). They wait for a worker that knows
 * the task (a rolling deploy not finished, or a task no deployed worker has). A queue no live worker
 * consumes is not listed (that is the ordinary "no worker" case), nor one with a live worker that
 * never named its tasks (it may know any). Immutable.
 *
 * @param queue the queue
 * @param task the task no live worker of the queue knows
 * @param waiting how many of its jobs wait (QUEUED); a store that counts by walking may stop at
 *     {@link #SCAN_LIMIT} jobs per queue
 */
public record UnroutableTask(String queue, String task, long waiting) {
  /** The most QUEUED jobs per queue a store that counts by walking them looks at. */
  public static final int SCAN_LIMIT = 1000;

  public UnroutableTask {
    Objects.requireNonNull(queue, "queue");
    Objects.requireNonNull(task, "task");
  }

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
   * Counts by walking the newest {@link #SCAN_LIMIT} QUEUED jobs of a queue through {@link
   * JobInspector#listJobs} (what a store without a cheaper count uses).
   */
  public static Map<String, Long> countByListing(JobInspector inspector, String queue) {
    Map<String, Long> n = new LinkedHashMap<>();
    JobFilter f = new JobFilter(Set.of(JobState.QUEUED), queue, null, null, null, SCAN_LIMIT);
    for (JobInfo j : inspector.listJobs(f)) {
      n.merge(j.task(), 1L, Long::sum);
    }
    return n;
  }

  /** Orders by queue, then task. */
  public static final Comparator<UnroutableTask> ORDER =
      Comparator.comparing(UnroutableTask::queue).thenComparing(UnroutableTask::task);
}
