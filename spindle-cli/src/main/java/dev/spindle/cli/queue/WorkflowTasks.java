package dev.spindle.cli.queue;

import dev.spindle.Task;
import dev.spindle.TaskCatalog;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.JobOutcome;
import java.util.Collection;
import java.util.List;

/**
 * The tasks of the workflow demo ({@code ./spindle workflow}): the Celery chapter's chain
 * ({@code add.s(4, 6) | multiply.s(10)}), a chord of squares summed by a callback, and a branch that
 * fails under a {@code finally} callback that reports how every job ended.
 */
public final class WorkflowTasks implements TaskCatalog {
  /** {@code wf.add}: the sum of two numbers. */
  public static final Task<long[], Long> ADD = Task.of("wf.add", long[].class, Long.class, xs -> xs[0] + xs[1]);
  /** {@code wf.multiply-by-10}: the chain's second step, fed the first one's result. */
  public static final Task<Long, Long> MULTIPLY_BY_10 = Task.of("wf.multiply-by-10", Long.class, Long.class,
      x -> x * 10);
  /** {@code wf.square}. */
  public static final Task<Long, Long> SQUARE = Task.of("wf.square", Long.class, Long.class, x -> x * x);
  /** {@code wf.sum}: a chord callback receiving every result in the group's order. */
  public static final Task<long[], Long> SUM = Task.of("wf.sum", long[].class, Long.class, xs -> {
    long s = 0;
    for (long x : xs) {
      s += x;
    }
    return s;
  });
  /** {@code wf.refuse}: always fails, to show what a failure does to a workflow. */
  public static final Task<String, String> REFUSE = Task.of("wf.refuse", String.class, String.class, why -> {
    throw new IllegalStateException(why);
  });
  /** {@code wf.report}: a {@code finally} callback; one line per dependency outcome. */
  public static final Task<JobOutcome[], String> REPORT = Task.of("wf.report", JobOutcome[].class, String.class,
      outcomes -> {
        StringBuilder b = new StringBuilder();
        for (JobOutcome o : outcomes) {
          b.append(b.isEmpty() ? "" : "; ").append("job ").append(o.jobId()).append(' ').append(o.state());
        }
        return b.toString();
      });

  /** A registry holding this catalog. */
  public static final TaskRegistry REGISTRY = TaskRegistry.of(WorkflowTasks.class);

  /** Public for {@link TaskRegistry}'s reflective construction. */
  public WorkflowTasks() {}

  @Override
  public Collection<Task<?, ?>> tasks() {
    return List.of(ADD, MULTIPLY_BY_10, SQUARE, SUM, REFUSE, REPORT);
  }
}
