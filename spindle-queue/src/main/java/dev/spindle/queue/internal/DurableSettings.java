package dev.spindle.queue.internal;

import dev.spindle.queue.DurableRules;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * A worker's durable-execution settings: the rules its jobs' steps follow and the tasks whose results
 * it memoizes, with how long. Immutable; thread-safe.
 *
 * @param rules the limits and the divergence rule
 * @param memoized per task name, how long an identical call's result is served without running
 */
public record DurableSettings(DurableRules rules, Map<String, Duration> memoized) {
  public DurableSettings {
    Objects.requireNonNull(rules, "rules");
    memoized = Map.copyOf(memoized);
  }

  /** The default rules, nothing memoized. */
  public static DurableSettings defaults() {
    return new DurableSettings(DurableRules.defaults(), Map.of());
  }
}
