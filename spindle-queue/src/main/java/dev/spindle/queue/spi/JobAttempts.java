package dev.spindle.queue.spi;

import java.util.List;

/**
 * A job's ledger as {@link AttemptLedger#attempts} reads it: its last attempts and the writes the
 * fence refused, oldest first. Immutable; thread-safe.
 *
 * @param attempts the attempts kept (the last {@link AttemptLedger#keep()} claims), by fence
 * @param refused the refused writes kept (of the same claims), by time
 */
public record JobAttempts(List<AttemptRecord> attempts, List<RefusedWrite> refused) {
  public JobAttempts {
    attempts = List.copyOf(attempts);
    refused = List.copyOf(refused);
  }

  /** A job with no attempt yet. */
  public static JobAttempts none() {
    return new JobAttempts(List.of(), List.of());
  }

  /**
   * True if the job's body may have run twice at once: a write of a stale attempt was refused, or an
   * attempt was {@link AttemptOutcome#LOST} (its worker may still have run it) and another started
   * after it.
   */
  public boolean duplicate() {
    if (!refused.isEmpty()) {
      return true;
    }
    for (int i = 0; i < attempts.size() - 1; i++) {
      if (attempts.get(i).outcome() == AttemptOutcome.LOST) {
        return true;
      }
    }
    return false;
  }
}
