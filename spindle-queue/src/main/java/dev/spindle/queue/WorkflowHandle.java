package dev.spindle.queue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The jobs of a submitted {@link Workflow}, in the workflow's node order (dependencies before their
 * dependents). Immutable; thread-safe.
 *
 * @param jobs a handle per node, in node order (results read as JSON)
 * @param byName the handles of nodes built with {@link Workflow#dag()}, by name
 * @param last the handles of the nodes nothing depends on (a chain's last step, a chord's callback)
 */
public record WorkflowHandle(List<JobHandle<tools.jackson.databind.JsonNode>> jobs,
    Map<String, JobHandle<tools.jackson.databind.JsonNode>> byName,
    List<JobHandle<tools.jackson.databind.JsonNode>> last) {
  public WorkflowHandle {
    jobs = List.copyOf(jobs);
    byName = Map.copyOf(byName);
    last = List.copyOf(last);
  }

  /** The job ids, in node order. */
  public List<String> ids() {
    return jobs.stream().map(JobHandle::id).toList();
  }

  /** The handle of the node named {@code name} (a {@link Workflow#dag()} node). */
  public JobHandle<tools.jackson.databind.JsonNode> job(String name) {
    JobHandle<tools.jackson.databind.JsonNode> h = byName.get(Objects.requireNonNull(name, "name"));
    if (h == null) {
      throw new IllegalArgumentException("the workflow has no node named '" + name + "'");
    }
    return h;
  }

  /**
   * Waits until every job of the workflow ended (each path ends: nothing waits forever), at most
   * {@code timeout} in all.
   *
   * @return the jobs as they ended, in node order
   * @throws dev.spindle.TaskTimeoutException if a job has not ended when the time is up
   */
  public List<JobInfo> await(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<JobInfo> out = new java.util.ArrayList<>(jobs.size());
    for (JobHandle<?> h : jobs) {
      out.add(h.await(Duration.ofNanos(Math.max(0, deadline - System.nanoTime()))));
    }
    return out;
  }

  /**
   * Cancels every job that has not ended (waiting ones at once, running ones at their worker's next
   * heartbeat).
   *
   * @return how many were cancelled or asked to stop
   */
  public int cancel() {
    int n = 0;
    for (int i = jobs.size() - 1; i >= 0; i--) {
      if (jobs.get(i).cancel()) {
        n++;
      }
    }
    return n;
  }
}
