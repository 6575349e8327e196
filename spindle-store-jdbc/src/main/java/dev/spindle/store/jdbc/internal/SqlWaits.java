package dev.spindle.store.jdbc.internal;

import dev.spindle.queue.spi.WaitFor;
import dev.spindle.spi.JsonCodec;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * How a job row keeps its {@link WaitFor}: {@code wait_kind} holds the kind's name, {@code wait_for}
 * the rest as JSON ({@code {"signal":..,"number":..,"sequence":..,"untilUs":..}}, the time in
 * microseconds on the store's clock). Stateless.
 */
final class SqlWaits {
  private static final JsonCodec JSON = JsonCodec.defaults();

  /** The JSON form of {@code wait_for}. */
  record Stored(@Nullable String signal, int number, int sequence, long untilUs) {}

  private SqlWaits() {}

  /** The {@code wait_for} text of {@code wait}. */
  static String json(WaitFor wait) {
    return JSON.toJson(new Stored(wait.signal(), wait.number(), wait.sequence(), SqlJobRows.micros(wait.until())),
        "a job's wait");
  }

  /** The wait kept in a row's columns, or null if it has none. */
  static @Nullable WaitFor read(@Nullable String kind, @Nullable String json) {
    if (kind == null || json == null) {
      return null;
    }
    Stored s = JSON.fromJson(json, Stored.class, "a job's wait");
    Instant until = SqlJobRows.instant(s.untilUs());
    return new WaitFor(WaitFor.Kind.valueOf(kind), s.signal(), s.number(), s.sequence(), until);
  }
}
