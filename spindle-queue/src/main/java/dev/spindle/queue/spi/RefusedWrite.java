package dev.spindle.queue.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * A write the fence refused, as the {@link AttemptLedger} keeps it: a worker that no longer held the
 * job (its lease ran out and the job was reclaimed, maybe claimed again) tried to complete it or to
 * record a durable step. Proof that a stale attempt kept running. Immutable; thread-safe.
 *
 * @param fence the fencing token the refused worker presented
 * @param workerId the refused worker
 * @param at when the store refused it (store's clock)
 * @param attempted what it tried to write, e.g. {@code complete SUCCEEDED} or {@code step charge#0}
 */
public record RefusedWrite(long fence, String workerId, Instant at, String attempted) {
  /** What a refused completion of {@code outcome} tried. */
  public static String completion(Completion.Outcome outcome) {
    return "complete " + outcome.name();
  }

  /** What a refused step write of ({@code name}, {@code occurrence}) tried. */
  public static String step(String name, int occurrence) {
    return "step " + name + "#" + occurrence;
  }

  public RefusedWrite {
    Objects.requireNonNull(workerId, "workerId");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(attempted, "attempted");
  }
}
