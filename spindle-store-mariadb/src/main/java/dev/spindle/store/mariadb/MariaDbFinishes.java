package dev.spindle.store.mariadb;

import dev.spindle.queue.spi.MinuteStats;
import dev.spindle.store.jdbc.internal.SqlJobEnds;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

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

  /** Adds to this minute's counters ({@link MinuteStats}) in a fixed order, on a random shard. */
  @Override
  public void addStats(MariaDbDb.Conn c, Instant now, Map<Integer, Long> counters) throws SQLException {
    if (counters.isEmpty()) {
      return;
    }
    StringBuilder sql = new StringBuilder("INSERT INTO spindle_stats (minute, counter, shard, n) VALUES ");
    for (int i = 0; i < counters.size(); i++) {
      sql.append(i == 0 ? "(?, ?, ?, ?)" : ", (?, ?, ?, ?)");
    }
    PreparedStatement ps = c.ps(sql.append(" ON DUPLICATE KEY UPDATE n = n + VALUES(n)").toString());
    int shard = ThreadLocalRandom.current().nextInt(STAT_SHARDS);
    int i = 1;
    for (Map.Entry<Integer, Long> e : new TreeMap<>(counters).entrySet()) {
      ps.setLong(i++, MinuteStats.minuteOf(now));
      ps.setInt(i++, e.getKey());
      ps.setInt(i++, shard);
      ps.setLong(i++, e.getValue());
    }
    ps.executeUpdate();
  }
}
