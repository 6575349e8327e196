package dev.spindle.examples.queues;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A message on the result queue. Each carries its sender's name, so results arriving out of order
 * can be told apart. Immutable; serializes to JSON.
 *
 * @param kind what happened
 * @param sender the consumer's name (e.g. {@code consumer-0}), or {@code producer}
 * @param n the number checked ({@link Kind#RESULT}), or the items produced ({@link Kind#JOINED})
 * @param prime whether it is prime ({@link Kind#RESULT})
 * @param elapsed seconds the check took ({@link Kind#RESULT})
 * @param handled how many items the consumer processed ({@link Kind#STOPPED})
 * @param error why the sender failed ({@link Kind#FAILED}), else null
 */
public record Delivery(Kind kind, String sender, long n, boolean prime, double elapsed, long handled, @Nullable String error) {
  /** The kinds of message. */
  public enum Kind {
    /** A consumer checked an item. */
    RESULT,
    /**
     * The producer's {@code join()} returned: every item was processed. Sent on the result queue, so
     * it arrives after every result.
     */
    JOINED,
    /** A consumer took its poison pill and stops (procs.py's {@code PrimeResult(0, False, 0.0)}). */
    STOPPED,
    /** A consumer or the producer failed and will not acknowledge. */
    FAILED
  }

  public Delivery {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(sender, "sender");
    if ((kind == Kind.FAILED) != (error != null)) {
      throw new IllegalArgumentException("an error goes with FAILED and only with it");
    }
  }

  /** A checked item. */
  public static Delivery result(String consumer, long n, boolean prime, double elapsed) {
    return new Delivery(Kind.RESULT, consumer, n, prime, elapsed, 0, null);
  }

  /** The producer's notice that the job queue was joined after {@code items} items. */
  public static Delivery joined(long items) {
    return new Delivery(Kind.JOINED, "producer", items, false, 0, 0, null);
  }

  /** The acknowledgement of a poison pill. */
  public static Delivery stopped(String consumer, long handled) {
    return new Delivery(Kind.STOPPED, consumer, 0, false, 0, handled, null);
  }

  /** A sender that failed. */
  public static Delivery failed(String sender, String error) {
    return new Delivery(Kind.FAILED, sender, 0, false, 0, 0, Objects.requireNonNull(error, "error"));
  }

  /** True for {@link Kind#RESULT}. */
  public boolean isResult() {
    return kind == Kind.RESULT;
  }
}
