package dev.spindle.queue;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A stored recurring schedule with its firing state. Immutable.
 *
 * @param schedule the definition
 * @param nextFireAt the next tick to fire
 * @param lastFireAt the last tick fired, or {@code null}
 * @param version the store's version of it (changes on every fire or replacement)
 */
public record ScheduleInfo(Schedule schedule, Instant nextFireAt, @Nullable Instant lastFireAt, long version) {
  public ScheduleInfo {
    Objects.requireNonNull(schedule, "schedule");
    Objects.requireNonNull(nextFireAt, "nextFireAt");
  }
}
