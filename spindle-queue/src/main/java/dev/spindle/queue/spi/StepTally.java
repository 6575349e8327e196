package dev.spindle.queue.spi;

/**
 * What the attempt holding a durable job knows of the job's records, handed to {@link
 * DurableStore#record(String, long, String, StepRecord, dev.spindle.queue.DurableRules, StepTally)}
 * so that a store need not read it again: only the fence holder writes records, so the records it
 * loaded plus those it wrote since are all there are. Immutable; thread-safe.
 *
 * @param steps how many records the job holds (at least 0)
 * @param bytes the sum of their results' sizes, in bytes as UTF-8 (at least 0)
 * @param waiting whether the job's wait ({@link StepLog#waitingFor()}) is still kept: the next record
 *     ends it
 */
public record StepTally(int steps, long bytes, boolean waiting) {
  public StepTally {
    if (steps < 0 || bytes < 0) {
      throw new IllegalArgumentException("steps and bytes must be >= 0: " + steps + ", " + bytes);
    }
  }

  /** The tally of {@code log}, as loaded. */
  public static StepTally of(StepLog log) {
    long bytes = 0;
    for (StepRecord r : log.steps()) {
      bytes += r.resultBytes();
    }
    return new StepTally(log.steps().size(), bytes, log.waitingFor() != null);
  }

  /** This tally after {@code written} was recorded: one more record, its bytes, no wait. */
  public StepTally plus(StepRecord written) {
    return new StepTally(steps + 1, bytes + written.resultBytes(), false);
  }
}
