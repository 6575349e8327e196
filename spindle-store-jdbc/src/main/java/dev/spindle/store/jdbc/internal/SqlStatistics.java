package dev.spindle.store.jdbc.internal;

import dev.spindle.queue.spi.JobStatistics;
import dev.spindle.queue.spi.MinuteStats;
import dev.spindle.store.jdbc.JdbcConn;
import dev.spindle.store.jdbc.JdbcDialect;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The {@link JobStatistics} of a SQL store: per-minute counters in
 * {@code spindle_stats} (written by the store's own moves) and the oldest waiting job. Thread-safe.
 *
 * @param <C> the store's connection type
 */
public final class SqlStatistics<C extends JdbcConn> implements JobStatistics {
  private final SqlDb<C> db;

  /** The statistics of a store on {@code db}. */
  public SqlStatistics(SqlDb<C> db) {
    this.db = db;
  }

  /** Statistics rows per minute and counter where writers run concurrently ({@link #add}). */
  public static final int SHARDS = 16;

  /**
   * Adds {@code counters} to this minute's rows of {@code spindle_stats} in one statement, inside the
   * caller's transaction. Where writers run concurrently ({@link JdbcDialect.Writers#POOL}) each
   * counter goes to a random one of {@link #SHARDS} rows (column {@code shard}), so concurrent
   * transactions, of any process, rarely wait for each other; the counters go in a fixed order, so
   * two transactions lock a shard's rows in the same order. Nothing if there are none.
   */
  public static void add(JdbcConn c, JdbcDialect dialect, Instant now, Map<Integer, Long> counters)
      throws SQLException {
    if (counters.isEmpty()) {
      return;
    }
    boolean sharded = dialect.writers() == JdbcDialect.Writers.POOL;
    String row = sharded ? "(?, ?, ?, ?)" : "(?, ?, ?)";
    StringBuilder sql = new StringBuilder("INSERT INTO spindle_stats (minute, counter, " + (sharded ? "shard, " : "")
        + "n) VALUES ");
    for (int i = 0; i < counters.size(); i++) {
      sql.append(i == 0 ? "" : ", ").append(row);
    }
    sql.append(dialect.onConflictUpdate(sharded ? "minute, counter, shard" : "minute, counter"))
        .append("n = spindle_stats.n + ").append(dialect.proposed("n"));
    PreparedStatement ps = c.ps(sql.toString());
    long minute = MinuteStats.minuteOf(now);
    int shard = ThreadLocalRandom.current().nextInt(SHARDS);
    int i = 1;
    for (Map.Entry<Integer, Long> e : new TreeMap<>(counters).entrySet()) {
      ps.setLong(i++, minute);
      ps.setInt(i++, e.getKey());
      if (sharded) {
        ps.setInt(i++, shard);
      }
      ps.setLong(i++, e.getValue());
    }
    ps.executeUpdate();
  }

  @Override
  public List<MinuteStats> minutes(Instant from, Instant to) {
    if (!from.isBefore(to)) {
      return List.of();
    }
    return db.read("read statistics", c -> minutesIn(c, from, to));
  }

  /** {@link #minutes} inside the caller's transaction. */
  public List<MinuteStats> minutesIn(JdbcConn c, Instant from, Instant to) throws SQLException {
    PreparedStatement ps = c.ps("SELECT minute, counter, n FROM spindle_stats WHERE minute >= ? AND minute < ?"
        + " ORDER BY minute");
    ps.setLong(1, MinuteStats.minuteOf(from));
    ps.setLong(2, to.getEpochSecond() + (to.getNano() > 0 ? 1 : 0));
    Map<Long, Map<Integer, Long>> byMinute = new TreeMap<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        // summed: a store may spread a counter over several rows (PostgreSQL's shards)
        byMinute.computeIfAbsent(rs.getLong(1), m -> new HashMap<>()).merge(rs.getInt(2), rs.getLong(3), Long::sum);
      }
    }
    List<MinuteStats> out = new ArrayList<>();
    byMinute.forEach((m, cs) -> out.add(MinuteStats.fromCounters(Instant.ofEpochSecond(m), cs)));
    return out;
  }

  @Override
  public Optional<Instant> oldestWaiting() {
    return db.read("find the oldest waiting job", c -> oldestIn(c));
  }

  /** {@link #oldestWaiting} inside the caller's transaction. */
  public Optional<Instant> oldestIn(JdbcConn c) throws SQLException {
    try (ResultSet rs = c.ps("SELECT run_at FROM spindle_jobs WHERE id = (SELECT min(id) FROM spindle_jobs"
        + " WHERE state = " + SqlJobRows.QUEUED + ")").executeQuery()) {
      return rs.next() ? Optional.of(SqlJobRows.instant(rs.getLong(1))) : Optional.<Instant>empty();
    }
  }
}
