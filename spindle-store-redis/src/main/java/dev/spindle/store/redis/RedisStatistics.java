package dev.spindle.store.redis;

import dev.spindle.queue.spi.JobStatistics;
import dev.spindle.queue.spi.MinuteStats;
import dev.spindle.store.redis.internal.RedisLink;
import dev.spindle.store.redis.internal.Script;
import dev.spindle.store.redis.internal.Times;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@link JobStatistics} of {@link RedisJobStore}: per-minute counters kept by the scripts in
 * one hash per minute, and the oldest waiting job, each read by one read-only script. Thread-safe.
 */
final class RedisStatistics implements JobStatistics {
  private final RedisLink link;

  RedisStatistics(RedisLink link) {
    this.link = link;
  }

  @Override
  public List<MinuteStats> minutes(Instant from, Instant to) {
    if (!from.isBefore(to)) {
      return List.of();
    }
    long first = MinuteStats.minuteOf(from);
    long end = to.getEpochSecond() + (to.getNano() > 0 ? 1 : 0);
    return minutes(link.script(Script.STATS, true, Long.toString(first), Long.toString(end)));
  }

  static List<MinuteStats> minutes(List<?> r) {
    List<MinuteStats> out = new ArrayList<>(r.size());
    for (Object o : r) {
      List<?> row = (List<?>) o;
      List<?> kv = (List<?>) row.get(1);
      Map<Integer, Long> counters = new java.util.HashMap<>();
      for (int i = 0; i < kv.size(); i += 2) {
        counters.put(Integer.parseInt((String) kv.get(i)), Long.parseLong((String) kv.get(i + 1)));
      }
      out.add(MinuteStats.fromCounters(Instant.ofEpochSecond(Long.parseLong((String) row.get(0))), counters));
    }
    return out;
  }

  @Override
  public Optional<Instant> oldestWaiting() {
    String ra = link.script(Script.OLDEST, true);
    return ra == null || ra.isEmpty() ? Optional.empty() : Optional.ofNullable(Times.instant(ra));
  }
}
