package dev.spindle.store.sqlite;

import dev.spindle.store.jdbc.internal.SqlJobEnds;
import dev.spindle.store.sqlite.internal.Db;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;

/**
 * How {@link SqliteJobStore} numbers finished jobs for the shared single-job ends ({@link
 * SqlJobEnds}): from the counter {@code finish_seq} in {@code spindle_meta}, which the one writer
 * reads and writes in its transaction. Stateless.
 */
final class SqliteJobEnds implements SqlJobEnds.Numbering<Db.Conn> {
  @Override
  public String nextFinishSeq() {
    return "?";
  }

  @Override
  public long take(Db.Conn c) throws SQLException {
    return SqliteMeta.get(c, "finish_seq") + 1;
  }

  @Override
  public void taken(Db.Conn c, long last) throws SQLException {
    SqliteMeta.set(c, "finish_seq", last);
  }

  @Override
  public void addStats(Db.Conn c, Instant now, Map<Integer, Long> counters) throws SQLException {
    SqliteStatistics.addStats(c, now, counters);
  }
}
