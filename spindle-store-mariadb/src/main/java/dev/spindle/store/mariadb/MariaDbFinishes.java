package dev.spindle.store.mariadb;

import dev.spindle.store.jdbc.internal.SqlJobEnds;
import dev.spindle.store.jdbc.internal.SqlStatistics;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;

/**
 * How jobs of the MariaDB store are numbered as they end and counted, inside the caller's transaction. Finish
 * numbers are taken under the row lock of {@code finish_seq} in {@code spindle_meta}, held to the
 * commit: transactions that finish jobs commit their numbers in order, so the committed value is
 * the feed's horizon (every number up to it is visible; a late commit never lands below a reader's
 * cursor). Statistics rows are spread over shards. Stateless.
 */
final class MariaDbFinishes implements SqlJobEnds.Numbering<MariaDbDb.Conn> {
  private static final int STAT_SHARDS = 16;

  @Override
  public String nextFinishSeq() {
    return "?";
  }

  @Override
  public long take(MariaDbDb.Conn c) throws SQLException {
    return lastTaken(c, true) + 1;
  }

  @Override
  public void taken(MariaDbDb.Conn c, long last) throws SQLException {
    PreparedStatement ps = c.ps("UPDATE spindle_meta SET value = ? WHERE \"key\" = 'finish_seq'");
    ps.setLong(1, last);
    ps.executeUpdate();
  }

  /** The last finish number taken: committed ({@code lock} false), or locked for this transaction. */
  static long lastTaken(MariaDbDb.Conn c, boolean lock) throws SQLException {
    try (ResultSet rs = c.ps("SELECT value FROM spindle_meta WHERE \"key\" = 'finish_seq'" + (lock ? " FOR UPDATE"
        : "")).executeQuery()) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  /** Adds to this minute's counters ({@link SqlStatistics#addSharded}). */
  @Override
  public void addStats(MariaDbDb.Conn c, Instant now, Map<Integer, Long> counters) throws SQLException {
    SqlStatistics.addSharded(c, MariaDbDialect.INSTANCE, now, counters, STAT_SHARDS);
  }
}
