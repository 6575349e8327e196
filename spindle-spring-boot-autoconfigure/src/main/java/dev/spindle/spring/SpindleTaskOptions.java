package dev.spindle.spring;

import dev.spindle.queue.JobOptions;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The job options that tasks declare (the attributes of {@link SpindleTask}), by task name: what
 * {@link SpindleEnqueuer} and {@link SpindleTasks} apply to a job enqueued without explicit
 * options, and what the task's schedules use. Immutable and thread-safe.
 */
public final class SpindleTaskOptions {
  private static final SpindleTaskOptions NONE = new SpindleTaskOptions(Map.of());

  private final Map<String, UnaryOperator<JobOptions>> byTask;

  private SpindleTaskOptions(Map<String, UnaryOperator<JobOptions>> byTask) {
    this.byTask = Map.copyOf(byTask);
  }

  /** No task declares options: every job gets the queue's defaults. */
  public static SpindleTaskOptions none() {
    return NONE;
  }

  /**
   * The options of these tasks.
   *
   * @param byTask by task name, a function from the queue's default options to the task's
   */
  public static SpindleTaskOptions of(Map<String, UnaryOperator<JobOptions>> byTask) {
    return new SpindleTaskOptions(Objects.requireNonNull(byTask, "byTask"));
  }

  /** The options a job of {@code task} gets, given the queue's default options {@code base}. */
  public JobOptions apply(String task, JobOptions base) {
    UnaryOperator<JobOptions> f = byTask.get(task);
    return f == null ? base : f.apply(base);
  }

  /** The names of the tasks that declare options. */
  public Set<String> tasks() {
    return byTask.keySet();
  }
}
