package dev.spindle.store.sqlite;

import dev.spindle.queue.spi.MinuteStats;
import dev.spindle.store.sqlite.internal.Db;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;

/**
 * This store's per-minute counters in {@code spindle_stats}, written inside the store's moves
 * (reading them is shared: {@link dev.spindle.store.jdbc.internal.SqlStatistics}). Stateless.
 */
final class SqliteStatistics {
  private SqliteStatistics() {}

  /** Adds to this minute's counters (see {@link MinuteStats}), inside the caller's transaction. */
  static void addStats(Db.Conn c, Instant now, Map<Integer, Long> counters) throws SQLException {
    if (counters.isEmpty()) {
      return;
    }
    PreparedStatement ps = c.ps("INSERT INTO spindle_stats (minute, counter, n) VALUES (?, ?, ?)"
        + " ON CONFLICT (minute, counter) DO UPDATE SET n = n + excluded.n");
    long minute = MinuteStats.minuteOf(now);
    for (Map.Entry<Integer, Long> e : counters.entrySet()) {
      ps.setLong(1, minute);
      ps.setInt(2, e.getKey());
      ps.setLong(3, e.getValue());
      ps.addBatch();
    }
    ps.executeBatch();
  }
}
