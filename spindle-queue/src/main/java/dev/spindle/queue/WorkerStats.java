package dev.spindle.queue;

/**
 * A snapshot of a worker's counters since it started. Counts are of outcomes the store accepted.
 *
 * @param running executions running now
 * @param claimed jobs claimed
 * @param succeeded executions that returned
 * @param retried executions that failed and were scheduled again
 * @param failed executions that failed for good
 * @param dead jobs dead-lettered by this worker (unknown task, bad arguments)
 * @param cancelled executions cancelled while running
 * @param released jobs handed back unfinished at shutdown
 * @param leaseLost executions whose lease was lost (their outcome was discarded)
 * @param timedOut executions stopped by their timeout
 * @param storeCalls calls to the store that wrote outcomes, claimed jobs or both (one round trip
 *     each, failed ones included): {@code processed() / storeCalls} is how well the worker batches
 * @param stuck threads of its executor still inside an execution that timed out (or was cancelled)
 *     and ignored the interrupt; each was replaced, so its slot runs other jobs
 *     ({@link dev.spindle.ExecutorStats#stuck})
 * @param parked durable jobs sleeping in this worker now with their slot given back ({@link
 *     DurableRules#parkedSleep}); not counted in {@code running}
 */
public record WorkerStats(int running, long claimed, long succeeded, long retried, long failed, long dead,
    long cancelled, long released, long leaseLost, long timedOut, long storeCalls, int stuck, int parked) {

  /** Counters without parked jobs. */
  public WorkerStats(int running, long claimed, long succeeded, long retried, long failed, long dead, long cancelled,
      long released, long leaseLost, long timedOut, long storeCalls, int stuck) {
    this(running, claimed, succeeded, retried, failed, dead, cancelled, released, leaseLost, timedOut, storeCalls, stuck,
        0);
  }

  /** Counters without stuck threads or parked jobs. */
  public WorkerStats(int running, long claimed, long succeeded, long retried, long failed, long dead, long cancelled,
      long released, long leaseLost, long timedOut, long storeCalls) {
    this(running, claimed, succeeded, retried, failed, dead, cancelled, released, leaseLost, timedOut, storeCalls, 0);
  }

  /** Executions finished with any outcome recorded in the store. */
  public long processed() {
    return succeeded + retried + failed + dead + cancelled;
  }
}
