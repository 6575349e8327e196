package dev.spindle.queue.spi;

import dev.spindle.queue.IllegalJobTransitionException;
import dev.spindle.queue.JobNotFoundException;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Resuming a workflow after one of its nodes failed, reached with {@link QueueControl#workflows()}:
 * the failed node runs again and the dependents its failure cancelled wait for it again, in one
 * transaction or script. Thread-safe; each call is atomic. The contract suite is {@code
 * dev.spindle.testkit.store.WorkflowControlContract}.
 */
public interface WorkflowControl {
  /** The states a node can be resumed from. */
  static Set<dev.spindle.queue.JobState> resumableStates() {
    return java.util.EnumSet.of(dev.spindle.queue.JobState.FAILED, dev.spindle.queue.JobState.DEAD);
  }

  /**
   * Retries the FAILED or DEAD node {@code jobId} and re-arms what its failure cancelled, atomically.
   * The node goes to QUEUED (WAITING if one of its dependencies has not ended) with its failure and
   * lost-worker counts reset; given {@code argsJson} (as stored: sealed if the job is encrypted), it
   * becomes the node's own arguments first. Every job a dependency failure cancelled because of it
   * goes back to WAITING (and, in turn, the jobs cancelled because of those) unless another
   * dependency still cancels it; a job an operator cancelled stays CANCELLED. Of two concurrent
   * resumes of one node, one resumes it and the other is refused.
   *
   * @return the moves made: the node's first, then the re-armed dependents
   * @throws JobNotFoundException if there is no such job
   * @throws IllegalJobTransitionException if the node is not FAILED or DEAD (resumed already, say),
   *     or another dependency still cancels it; nothing changed
   * @throws IllegalArgumentException if {@code argsJson} is given for a node whose input is built
   *     from its dependencies' results (it has no own arguments to edit); nothing changed
   */
  List<ResumeMove> resume(String jobId, @Nullable String argsJson, Instant now);
}
