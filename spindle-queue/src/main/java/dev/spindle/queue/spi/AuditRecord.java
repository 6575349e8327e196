package dev.spindle.queue.spi;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One operator action in an {@link AuditLog}. Immutable.
 *
 * @param id increasing number assigned by the store (0 before it is stored)
 * @param at when
 * @param user who (a user name, never a secret)
 * @param action what, e.g. {@code job.retry}, {@code queue.pause}
 * @param target the job id, queue, schedule or filter
 * @param detail the outcome, or {@code null}
 */
public record AuditRecord(long id, Instant at, String user, String action, String target, @Nullable String detail) {
  public AuditRecord {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(target, "target");
  }
}
