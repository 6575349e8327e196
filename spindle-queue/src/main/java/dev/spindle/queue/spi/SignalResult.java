package dev.spindle.queue.spi;

/**
 * What {@link DurableStore#signal} did, decided by {@link dev.spindle.queue.DurableRules#onSignal}.
 */
public enum SignalResult {
  /** Stored for the job, which does not wait for it now (it takes it when it asks). */
  STORED,
  /** Stored, and the job, suspended on that name, was moved SCHEDULED to QUEUED. */
  WOKE,
  /** No such job; nothing stored. */
  NO_SUCH_JOB,
  /** The job has ended (SUCCEEDED, FAILED, DEAD, CANCELLED); nothing stored. */
  FINISHED,
  /** The job holds {@link dev.spindle.queue.DurableRules#maxPendingSignals()} signals not yet taken; nothing stored. */
  FULL;

  /** True if the signal was stored. */
  public boolean stored() {
    return this == STORED || this == WOKE;
  }
}
