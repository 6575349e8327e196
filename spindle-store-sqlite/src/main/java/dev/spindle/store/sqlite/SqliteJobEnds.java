package dev.spindle.store.sqlite;

import dev.spindle.queue.spi.MinuteStats;
import dev.spindle.store.jdbc.internal.SqlJobEnds;
import dev.spindle.store.jdbc.internal.SqlMeta;
import dev.spindle.store.sqlite.internal.Db;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;

/**
 * How {@link SqliteJobStore} numbers finished jobs for the engine ({@link SqlJobEnds}): from the
 * counter {@code finish_seq} in {@code spindle_meta} ({@link SqlMeta}), which the one writer reads
 * and writes in its transaction (no row lock needed); and how it adds to the per-minute counters in {@code spindle_stats}. Stateless.
 */
final class SqliteJobEnds implements SqlJobEnds.Numbering<Db.Conn> {
  @Override
  public String nextFinishSeq() {
    return "?";
  }

  @Override
  public long take(Db.Conn c) throws SQLException {
    return SqlMeta.get(c, "finish_seq") + 1;
  }

  @Override
  public void taken(Db.Conn c, long last) throws SQLException {
    SqlMeta.set(c, "finish_seq", last);
  }

  @Override
  public void addStats(Db.Conn c, Instant now, Map<Integer, Long> counters) throws SQLException {
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
