package dev.spindle.queue;

/**
 * Where a workflow node's input comes from. The store writes the input into the job when it is
 * released from WAITING, in the same step, so a worker runs it like any other job.
 */
public enum WorkflowInput {
  /** The arguments given at enqueue. */
  ARGS,
  /** The result of its single dependency (a chain: each output is the next input). */
  RESULT,
  /** A JSON array of its dependencies' results, in the order they were declared (a chord callback). */
  RESULTS,
  /**
   * A JSON array of its dependencies' outcomes, in declared order: objects
   * {@code {"jobId": "7", "state": "FAILED", "result": ..., "error": {...}}} (see {@link JobOutcome}),
   * for dependents that run after failures too.
   */
  OUTCOMES
}
