package dev.spindle.queue.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * A signal stored for a job. Immutable; thread-safe.
 *
 * @param name the signal's name
 * @param number its 0-based number among the job's signals of that name, in store order
 * @param payloadJson the payload as JSON
 * @param receivedAt when the store kept it, on the store's clock
 */
public record SignalRecord(String name, int number, String payloadJson, Instant receivedAt) {
  public SignalRecord {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(payloadJson, "payloadJson");
    Objects.requireNonNull(receivedAt, "receivedAt");
  }
}
