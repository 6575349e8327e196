package dev.spindle.queue;

import dev.spindle.queue.spi.ResumeMove;
import java.util.List;
import java.util.Objects;

/**
 * What resuming a workflow does ({@link WorkflowResume#preview}) or did ({@link
 * WorkflowResume#resume}): the node retried and every job that moves, with its state before and
 * after. Immutable.
 *
 * @param nodeId the FAILED or DEAD node retried
 * @param task its task
 * @param moves the jobs that move: the node first, then the dependents re-armed (CANCELLED to WAITING)
 * @param argsEdited true if the node runs with new arguments
 * @param applied false for a preview, true once done
 */
public record ResumePlan(String nodeId, String task, List<ResumeMove> moves, boolean argsEdited, boolean applied) {
  /** Copies the moves. */
  public ResumePlan {
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(task, "task");
    moves = List.copyOf(moves);
  }

  /** A one-line summary, e.g. {@code job 7 FAILED -> QUEUED, 2 dependents re-armed}. No job data. */
  public String summary() {
    ResumeMove first = moves.get(0);
    return "job " + nodeId + " " + first.from() + " -> " + first.to() + ", " + (moves.size() - 1) + " dependent(s)"
        + " re-armed" + (argsEdited ? ", with new arguments" : "");
  }
}
