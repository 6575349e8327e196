package dev.spindle.store.redis.internal;

import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * How the Redis store writes times: exactly, as {@code "<epoch second>.<9-digit nanos>"} (durations
 * the same way), and as sorted-set scores in epoch microseconds, rounded so that nothing is ever due
 * early (run times and lease ends round up, "now" rounds down). Scores stay within the 2^53 range
 * that Redis scores and Lua numbers hold exactly. Stateless.
 */
public final class Times {
  private static final long MAX_SCORE = 1L << 53;

  private Times() {}

  /** The exact text form of an instant. */
  public static String encode(Instant t) {
    return encode(t.getEpochSecond(), t.getNano());
  }

  /** The exact text form of a duration. */
  public static String encode(Duration d) {
    return encode(d.getSeconds(), d.getNano());
  }

  private static String encode(long seconds, int nanos) {
    StringBuilder sb = new StringBuilder(24).append(seconds).append('.');
    String n = Integer.toString(nanos);
    for (int i = n.length(); i < 9; i++) {
      sb.append('0');
    }
    return sb.append(n).toString();
  }

  /** Reads {@link #encode(Instant)}'s form. */
  public static Instant instant(String v) {
    int dot = v.indexOf('.');
    return Instant.ofEpochSecond(Long.parseLong(v, 0, dot, 10), Integer.parseInt(v, dot + 1, v.length(), 10));
  }

  /** {@link #instant}, where a value may be absent: {@code null} stays {@code null}. */
  public static @Nullable Instant instantOrNull(@Nullable String v) {
    return v == null ? null : instant(v);
  }

  /** Reads {@link #encode(Duration)}'s form. */
  public static Duration duration(String v) {
    int dot = v.indexOf('.');
    return Duration.ofSeconds(Long.parseLong(v, 0, dot, 10), Integer.parseInt(v, dot + 1, v.length(), 10));
  }

  /** Epoch microseconds rounded down (for "now"). */
  public static long floorMicros(Instant t) {
    return clamp(t.getEpochSecond(), t.getNano() / 1000);
  }

  /** Epoch microseconds rounded up (for due times and lease ends). */
  public static long ceilMicros(Instant t) {
    return clamp(t.getEpochSecond(), (t.getNano() + 999) / 1000);
  }

  private static long clamp(long seconds, long micros) {
    if (seconds > MAX_SCORE / 1_000_000) {
      return MAX_SCORE;
    }
    if (seconds < -MAX_SCORE / 1_000_000) {
      return -MAX_SCORE;
    }
    return seconds * 1_000_000 + micros;
  }
}
