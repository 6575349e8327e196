package dev.spindle.queue;

import dev.spindle.TaskContext;
import java.util.List;
import java.util.Optional;

/**
 * What a task running as a queue job can do besides computing its result: add children. Reach it
 * from the task's context with {@link #of}; present when the job runs in the worker's JVM
 * ({@code SEQUENTIAL}, {@code THREADS}, {@code VIRTUAL}), absent in child JVMs ({@code PROCESSES}).
 *
 * <pre>{@code
 * Task<String, Integer> CRAWL = Task.withContext("crawl", String.class, Integer.class, (url, ctx) -> {
 *   List<String> links = fetchLinks(url);
 *   RunningJob.of(ctx).orElseThrow().addChildren(
 *       Workflow.group(links.stream().map(l -> Workflow.task(FETCH, l)).toList()));
 *   return links.size();   // whatever waits for this job now waits for the fetches too
 * });
 * }</pre>
 *
 * <p>Thread-safe.
 */
public interface RunningJob {
  /** The running queue job behind {@code context}, if it is one that can add children. */
  static Optional<RunningJob> of(TaskContext context) {
    return context instanceof RunningJob r ? Optional.of(r) : Optional.empty();
  }

  /** The job's id. */
  String jobId();

  /**
   * Adds {@code children} to the store at once, all or none, while this job still holds its claim:
   * they run as soon as their own dependencies allow (not after this job), and every job waiting
   * for this one now also waits for the children's last jobs, with the same failure policy (they
   * are not part of its input). A retry of this job that adds children again adds new ones: give
   * them unique keys ({@link JobOptions.Builder#uniqueKey}) to add them once.
   *
   * @return the children's job ids, in the workflow's node order
   * @throws IllegalStateException if this job lost its claim (timed out, reclaimed): nothing added
   * @throws UnsupportedOperationException if the store does not keep dependencies
   * @throws dev.spindle.UnknownTaskException if a child's task is not in the worker's registry
   */
  List<String> addChildren(Workflow children);
}
