package dev.spindle.queue;

import dev.spindle.TaskRegistry;
import dev.spindle.queue.internal.Payloads;
import dev.spindle.queue.spi.Dependency;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.spi.JsonCodec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Turns a {@link Workflow} into the store's batch of new jobs: one place for submit and addChildren. */
final class WorkflowJobs {
  private WorkflowJobs() {}

  /**
   * The jobs of {@code w}, in node order, each depending on its nodes' batch indexes.
   *
   * @throws IllegalArgumentException if it has more than {@code maxSize} jobs, or a fan-in whose
   *     combined input can exceed the codec's limit ({@link FanInLimit})
   * @throws dev.spindle.UnknownTaskException if a task is not in a non-empty {@code registry}
   * @throws dev.spindle.PayloadException if an input cannot be encoded
   */
  static List<NewJob> of(Workflow w, TaskRegistry registry, JsonCodec codec, JobOptions defaults, Instant now,
      int maxSize) {
    List<Workflow.Node> nodes = w.nodes();
    if (nodes.size() > maxSize) {
      throw new IllegalArgumentException("the workflow has " + nodes.size() + " jobs; this queue accepts at most "
          + maxSize + " (JobQueue.Builder.maxWorkflowSize); nothing was added");
    }
    FanInLimit.check(nodes, codec.maxBytes());
    List<NewJob> jobs = new ArrayList<>(nodes.size());
    for (Workflow.Node n : nodes) {
      if (!registry.names().isEmpty()) {
        registry.require(n.task().name());
      }
      String json = n.hasInput() ? Payloads.toJson(codec, n.input(), "input of task '" + n.task().name() + "'")
          : "null";
      List<Dependency> deps = new ArrayList<>(n.deps().size());
      for (Workflow.Edge e : n.deps()) {
        deps.add(Dependency.onBatchJob(e.parent(), e.policy()));
      }
      JobOptions o = n.options() == null ? defaults : n.options();
      jobs.add(new NewJob(n.task().name(), json, o.queue(), o.priority(), o.effectiveRunAt(now), o.uniqueKey(),
          o.policy(), now).dependingOn(deps, n.inputMode()));
    }
    return jobs;
  }
}
