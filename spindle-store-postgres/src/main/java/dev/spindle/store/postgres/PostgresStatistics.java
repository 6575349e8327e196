package dev.spindle.store.postgres;

import dev.spindle.queue.spi.MinuteStats;
import dev.spindle.store.postgres.internal.Db;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * This store's per-minute counters in {@code spindle_stats}, written inside the store's moves
 * (reading them is shared: {@link dev.spindle.store.jdbc.internal.SqlStatistics}). Stateless.
 */
final class PostgresStatistics {
  /**
   * Statistics rows per minute and counter: a transaction adds to a random one, so concurrent
   * transactions (of any process: thread ids repeat across worker processes) rarely wait for each other.
   */
  private static final int STAT_SHARDS = 16;

  private PostgresStatistics() {}

  /** Adds to this minute's counters (see {@link MinuteStats}), inside the caller's transaction. */
  static void addStats(Db.Conn c, Instant now, Map<Integer, Long> counters) throws SQLException {
    if (counters.isEmpty()) {
      return;
    }
    PreparedStatement ps = c.ps("INSERT INTO spindle_stats AS s (minute, counter, shard, n)"
        + " SELECT ?, unnest(?::int[]), ?, unnest(?::bigint[])"
        + " ON CONFLICT (minute, counter, shard) DO UPDATE SET n = s.n + excluded.n");
    // counters in a fixed order: two transactions lock a shard's rows in the same order
    TreeMap<Integer, Long> sorted = new TreeMap<>(counters);
    Integer[] keys = sorted.keySet().toArray(new Integer[0]);
    Long[] values = sorted.values().toArray(new Long[0]);
    ps.setLong(1, MinuteStats.minuteOf(now));
    ps.setArray(2, c.jdbc().createArrayOf("int4", keys));
    ps.setInt(3, ThreadLocalRandom.current().nextInt(STAT_SHARDS));
    ps.setArray(4, c.jdbc().createArrayOf("int8", values));
    ps.executeUpdate();
  }
}
