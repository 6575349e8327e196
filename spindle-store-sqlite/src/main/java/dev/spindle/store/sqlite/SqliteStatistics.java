package dev.spindle.store.sqlite;

import dev.spindle.queue.spi.JobStatistics;
import dev.spindle.queue.spi.MinuteStats;
import dev.spindle.store.sqlite.internal.Db;
import dev.spindle.store.sqlite.internal.JobRows;
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

/**
 * The {@link JobStatistics} of {@link SqliteJobStore}: per-minute counters in
 * {@code spindle_stats} (written by the store's moves through {@link #addStats}) and the oldest
 * waiting job. Thread-safe.
 */
final class SqliteStatistics implements JobStatistics {
  private final Db db;

  SqliteStatistics(Db db) {
    this.db = db;
  }

  @Override
  public List<MinuteStats> minutes(Instant from, Instant to) {
    if (!from.isBefore(to)) {
      return List.of();
    }
    return db.read("read statistics", c -> minutesIn(c, from, to));
  }

  List<MinuteStats> minutesIn(Db.Conn c, Instant from, Instant to) throws SQLException {
    PreparedStatement ps = c.ps("SELECT minute, counter, n FROM spindle_stats WHERE minute >= ? AND minute < ?"
        + " ORDER BY minute");
    ps.setLong(1, MinuteStats.minuteOf(from));
    ps.setLong(2, to.getEpochSecond() + (to.getNano() > 0 ? 1 : 0));
    Map<Long, Map<Integer, Long>> byMinute = new TreeMap<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        byMinute.computeIfAbsent(rs.getLong(1), m -> new HashMap<>()).put(rs.getInt(2), rs.getLong(3));
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

  Optional<Instant> oldestIn(Db.Conn c) throws SQLException {
    try (ResultSet rs = c.ps("SELECT run_at FROM spindle_jobs WHERE id = (SELECT min(id) FROM spindle_jobs"
        + " WHERE state = " + JobRows.QUEUED + ")").executeQuery()) {
      return rs.next() ? Optional.of(JobRows.instant(rs.getLong(1))) : Optional.<Instant>empty();
    }
  }

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
