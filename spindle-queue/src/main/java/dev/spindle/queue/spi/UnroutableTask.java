package dev.spindle.queue.spi;

import java.util.Comparator;
import java.util.Objects;

/**
 * Waiting jobs no live worker can run: QUEUED jobs of a queue that live workers consume, whose task
 * none of those workers registered ({@link WorkerRecord#tasks}). They wait for a worker that knows
 * the task (a rolling deploy not finished, or a task no deployed worker has). A queue no live worker
 * consumes is not listed (that is the ordinary "no worker" case), nor one with a live worker that
 * never named its tasks (it may know any). Immutable. Stores find them with {@code
 * dev.spindle.queue.store.UnroutableTasks}.
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

  /** Orders by queue, then task. */
  public static final Comparator<UnroutableTask> ORDER =
      Comparator.comparing(UnroutableTask::queue).thenComparing(UnroutableTask::task);
}
