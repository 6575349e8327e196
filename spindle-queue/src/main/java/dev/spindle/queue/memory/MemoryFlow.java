package dev.spindle.queue.memory;

import dev.spindle.queue.FlowLimit;
import dev.spindle.queue.spi.FlowHold;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The flow-control state of {@link InMemoryJobStore}: the stored limits and, per key, the running
 * jobs (concurrency permits), the GCRA theoretical arrival time (rate), the starts inside the
 * window, and a pause. Times are microseconds on the store's clock. Guarded by the store's lock;
 * not thread-safe.
 */
final class MemoryFlow {
  private final Map<String, FlowLimit> limits = new TreeMap<>();
  private final Map<String, Integer> running = new HashMap<>();
  private final Map<String, Long> tat = new HashMap<>();
  private final Map<String, ArrayDeque<Long>> starts = new HashMap<>();
  private final Map<String, Long> pausedUntil = new HashMap<>();

  void put(FlowLimit limit) {
    limits.put(limit.name(), limit);
  }

  boolean define(FlowLimit limit) {
    return limits.putIfAbsent(limit.name(), limit) == null;
  }

  boolean remove(String name) {
    return limits.remove(name) != null;
  }

  List<FlowLimit> limits() {
    return List.copyOf(limits.values());
  }

  /** A job of {@code key} started or stopped RUNNING. */
  void running(String key, int delta) {
    running.merge(key, delta, (a, b) -> a + b == 0 ? null : a + b);
  }

  void pause(String key, long untilMicros) {
    pausedUntil.merge(key, untilMicros, Math::max);
  }

  /** The weight of {@code key} in its queue's fair round (1 unless its limit says otherwise). */
  int weight(String key) {
    FlowLimit l = limits.get(FlowLimit.limitOf(key));
    return l == null ? 1 : l.weightOf(key);
  }

  /** The keys of limit {@code name} with flow state (running, rate, window, pause), plus {@code more}. */
  java.util.SortedSet<String> keysOf(String name, java.util.Collection<String> more) {
    String prefix = name + ":";
    java.util.SortedSet<String> out = new java.util.TreeSet<>();
    for (java.util.Collection<String> c : List.of(running.keySet(), tat.keySet(), starts.keySet(),
        pausedUntil.keySet(), more)) {
      c.stream().filter(k -> k.startsWith(prefix)).forEach(out::add);
    }
    return out;
  }

  /** The jobs of {@code key} RUNNING now. */
  int runningOf(String key) {
    return running.getOrDefault(key, 0);
  }

  /** What holds {@code key} at {@code now}, or null if a job of it may start. */
  @Nullable FlowHold hold(String key, long now) {
    Long paused = pausedUntil.get(key);
    String name = FlowLimit.limitOf(key);
    if (paused != null) {
      if (paused > now) {
        return new FlowHold(name, key, FlowHold.Rule.PAUSED, instant(paused), "the task reported a rate limit");
      }
      pausedUntil.remove(key);
    }
    FlowLimit l = limits.get(name);
    if (l == null) {
      return null;
    }
    int run = running.getOrDefault(key, 0);
    if (l.concurrency() > 0 && run >= l.concurrency()) {
      return new FlowHold(name, key, FlowHold.Rule.CONCURRENCY, null, run + " of " + l.concurrency() + " running");
    }
    if (l.ratePermits() > 0) {
      long t = tat.getOrDefault(key, Long.MIN_VALUE);
      long allowedAt = t == Long.MIN_VALUE ? Long.MIN_VALUE : t - (l.burst() - 1) * l.intervalMicros();
      if (allowedAt > now) {
        return new FlowHold(name, key, FlowHold.Rule.RATE, instant(allowedAt), l.ratePermits() + " per "
            + l.ratePeriod() + ", burst " + l.burst());
      }
    }
    if (l.windowMax() > 0) {
      ArrayDeque<Long> s = starts.get(key);
      if (s != null) {
        while (!s.isEmpty() && s.peekFirst() <= now - l.windowMicros()) {
          s.pollFirst();
        }
        if (s.size() >= l.windowMax()) {
          return new FlowHold(name, key, FlowHold.Rule.WINDOW, instant(s.peekFirst() + l.windowMicros()),
              s.size() + " of " + l.windowMax() + " starts in " + l.window());
        }
      }
    }
    return null;
  }

  /** A job of {@code key} was claimed at {@code now} (call after {@link #hold} returned null). */
  void started(String key, long now) {
    FlowLimit l = limits.get(FlowLimit.limitOf(key));
    if (l == null) {
      return;
    }
    if (l.ratePermits() > 0) {
      long t = tat.getOrDefault(key, Long.MIN_VALUE);
      tat.put(key, Math.max(t, now) + l.intervalMicros());
    }
    if (l.windowMax() > 0) {
      starts.computeIfAbsent(key, k -> new ArrayDeque<>()).addLast(now);
    }
  }

  static long micros(Instant t) {
    return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
  }

  static Instant instant(long micros) {
    return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
  }
}
