package dev.spindle.queue.spi;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One recorded step of a durable job: the JSON result of a step body, a timer, a taken signal or a
 * recorded value ({@code now()}, {@code randomUuid()}), keyed by ({@code name}, {@code occurrence}).
 * A store writes it at most once per key, only under the job's current fence ({@link DurableStore}).
 * Immutable; thread-safe.
 *
 * @param name the step's name (at most {@link dev.spindle.queue.DurableRules#MAX_NAME_LENGTH}
 *     characters, no {@code #} or {@code /})
 * @param occurrence how many steps of that name this job called before it, 0-based
 * @param sequence the position of the call among all durable calls of the attempt that wrote it,
 *     0-based: replay compares the k-th call with the record of sequence k
 * @param kind what the record holds
 * @param resultJson the result as JSON; {@code null} for a signal wait that timed out
 * @param fence the fencing token of the attempt that wrote it
 * @param attempt the job's attempt number that wrote it (1-based)
 * @param tookMillis how long the body ran, in milliseconds (0 for records without a body)
 * @param recordedAt when the store wrote it, on the store's clock; what a caller passes is ignored
 *     and replaced by the store's time
 */
public record StepRecord(String name, int occurrence, int sequence, Kind kind, @Nullable String resultJson,
    long fence, int attempt, long tookMillis, Instant recordedAt) {

  /** What a step record holds. */
  public enum Kind {
    /** The JSON result of a step body, or a recorded value. */
    VALUE,
    /** A durable timer: {@code {"fireAt":"<instant>"}} on the store's clock. */
    TIMER,
    /** A taken signal's payload, or {@code null} if the wait timed out. */
    SIGNAL,
    /** The result of a child job (reserved for {@code call}). */
    CALL
  }

  public StepRecord {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(recordedAt, "recordedAt");
    if (occurrence < 0 || sequence < 0) {
      throw new IllegalArgumentException("occurrence and sequence must be >= 0: " + occurrence + ", " + sequence);
    }
  }

  /** The key {@code name#occurrence} stores index the record by. */
  public String key() {
    return name + "#" + occurrence;
  }

  /** The result's size in bytes as UTF-8 (0 if none): what the size limits count. */
  public int resultBytes() {
    return resultJson == null ? 0 : utf8Length(resultJson);
  }

  /** This record as written by the store at {@code at}. */
  public StepRecord recordedAt(Instant at) {
    return new StepRecord(name, occurrence, sequence, kind, resultJson, fence, attempt, tookMillis, at);
  }

  /** The UTF-8 length of {@code s} without encoding it. */
  public static int utf8Length(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n += 1;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }
}
