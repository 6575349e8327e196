package dev.spindle.queue.spi;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A recurring schedule as stored. The store treats {@code definition} as opaque text; workers read it
 * ({@link dev.spindle.queue.Schedule#fromJson}) to compute tick times.
 *
 * @param name unique name
 * @param definition the schedule's JSON definition (task, arguments, cron or interval, misfire rules,
 *     job options)
 * @param nextFireAt the next tick to fire
 * @param lastFireAt the last tick fired, or {@code null}
 * @param version incremented by every change; {@link JobStore#fireSchedule} compares it
 * @param createdAt when it was first saved
 */
public record ScheduleRecord(String name, String definition, Instant nextFireAt, @Nullable Instant lastFireAt, long version,
    Instant createdAt) {
  public ScheduleRecord {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(definition, "definition");
    Objects.requireNonNull(nextFireAt, "nextFireAt");
    Objects.requireNonNull(createdAt, "createdAt");
  }
}
