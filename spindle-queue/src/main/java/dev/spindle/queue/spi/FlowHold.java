package dev.spindle.queue.spi;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Why a ready (QUEUED) job is not claimed now: the flow limit and key that hold it, the rule, and
 * until when. Immutable.
 *
 * @param limit the limit's name
 * @param key the job's key ({@code limit:value})
 * @param rule which rule holds it
 * @param until when it may be claimed at the earliest, on the store's clock, or {@code null} if that
 *     depends on other jobs ending (concurrency)
 * @param detail a short text for people, e.g. {@code 5 of 5 running}
 */
public record FlowHold(String limit, String key, Rule rule, @Nullable Instant until, String detail) {
  /** The rule that holds a job. */
  public enum Rule {
    /** Every permit is taken by a running job of the key. */
    CONCURRENCY,
    /** The rate's tokens are used up. */
    RATE,
    /** The sliding window is full. */
    WINDOW,
    /** A task reported {@link dev.spindle.queue.RateLimitedException}: the key pauses. */
    PAUSED
  }

  public FlowHold {
    Objects.requireNonNull(limit, "limit");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(detail, "detail");
  }

  /** One line for people: {@code held by limit api (tenant-a): RATE until ...}. */
  public String describe() {
    return "held by flow limit " + limit + " key '" + key.substring(key.indexOf(':') + 1) + "': " + rule
        + (until == null ? "" : " until " + until) + " (" + detail + ")";
  }
}
