package dev.spindle.store.redis;

import dev.spindle.queue.FlowLimit;
import dev.spindle.queue.spi.FlowAdmin;
import dev.spindle.queue.spi.FlowControl;
import dev.spindle.queue.spi.FlowHold;
import dev.spindle.store.redis.internal.RedisLink;
import dev.spindle.store.redis.internal.Script;
import dev.spindle.store.redis.internal.Times;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Flow control of {@link RedisJobStore} through the {@code flow} script; the claim itself
 * checks the limits inside the {@code exchange} script (see {@code lua/lib/flow.lua}), so
 * an over-limit job is never fetched. Thread-safe.
 */
final class RedisFlow implements FlowControl, FlowAdmin {
  private final RedisJobStore store;
  private final RedisLink link;

  RedisFlow(RedisJobStore store, RedisLink link) {
    this.store = store;
    this.link = link;
  }

  /**
   * What the scripts read: concurrency, GCRA interval (us), burst, window max, window (us), then the
   * weights as {@code value:n,value:n} (empty without).
   */
  private static String numbers(FlowLimit l) {
    StringBuilder sb = new StringBuilder().append(l.concurrency()).append('|').append(l.intervalMicros()).append('|')
        .append(l.burst()).append('|').append(l.windowMax()).append('|').append(l.windowMicros()).append('|');
    String sep = "";
    for (var e : l.weights().entrySet()) {
      sb.append(sep).append(e.getKey()).append(':').append(e.getValue());
      sep = ",";
    }
    return sb.toString();
  }

  @Override
  public void putLimit(FlowLimit limit) {
    Objects.requireNonNull(limit, "limit");
    link.script(Script.FLOW, true, "put", limit.name(), limit.toSpec(), numbers(limit));
  }

  @Override
  public boolean defineLimit(FlowLimit limit) {
    Objects.requireNonNull(limit, "limit");
    List<?> r = link.script(Script.FLOW, true, "define", limit.name(), limit.toSpec(), numbers(limit));
    return ((Long) r.get(0)) == 1L;
  }

  @Override
  public boolean removeLimit(String name) {
    List<?> r = link.script(Script.FLOW, true, "remove", name);
    return ((Long) r.get(0)) == 1L;
  }

  @Override
  public List<FlowLimit> limits() {
    List<?> r = link.script(Script.FLOW, true, "limits");
    List<FlowLimit> out = new ArrayList<>(r.size());
    for (Object o : r) {
      out.add(FlowLimit.parse((String) o));
    }
    out.sort(Comparator.comparing(FlowLimit::name));
    return List.copyOf(out);
  }

  @Override
  public boolean pauseKey(String jobId, long fence, Instant until, Instant now) {
    String id = RedisJobStore.canonicalId(jobId);
    if (id == null) {
      return false;
    }
    List<?> r = link.script(Script.FLOW, true, "pause", store.nowArg(now), id, Long.toString(fence),
        Times.encode(until));
    return ((Long) r.get(0)) == 1L;
  }

  @Override
  public Optional<FlowHold> holdOf(String jobId) {
    String id = RedisJobStore.canonicalId(jobId);
    if (id == null) {
      return Optional.empty();
    }
    List<?> r = link.script(Script.FLOW, true, "hold", store.nowArg(Instant.now()), id);
    if (r == null || r.isEmpty()) {
      return Optional.empty();
    }
    String key = (String) r.get(2);
    String until = (String) r.get(1);
    Instant at = until.isEmpty() ? null : micros(Long.parseLong(until));
    return Optional.of(new FlowHold(FlowLimit.limitOf(key), key, FlowHold.Rule.valueOf((String) r.get(0)), at,
        (String) r.get(3)));
  }

  @Override
  public List<dev.spindle.queue.spi.FlowKeyState> keys(String limit, int max) {
    int n = FlowAdmin.checkMax(max);
    List<?> r = link.script(Script.FLOW, true, "keys", store.nowArg(Instant.now()), limit, Integer.toString(n));
    List<dev.spindle.queue.spi.FlowKeyState> out = new java.util.ArrayList<>();
    for (int i = 0; r != null && i + 5 < r.size(); i += 6) {
      String key = (String) r.get(i);
      String rule = (String) r.get(i + 3);
      String until = (String) r.get(i + 4);
      FlowHold hold = rule.isEmpty() ? null : new FlowHold(limit, key, FlowHold.Rule.valueOf(rule),
          until.isEmpty() ? null : micros(Long.parseLong(until)), (String) r.get(i + 5));
      out.add(new dev.spindle.queue.spi.FlowKeyState(key, Integer.parseInt((String) r.get(i + 1)),
          Integer.parseInt((String) r.get(i + 2)), hold));
    }
    return out;
  }

  private static Instant micros(long us) {
    return Instant.ofEpochSecond(Math.floorDiv(us, 1_000_000L), Math.floorMod(us, 1_000_000L) * 1000L);
  }
}
