package dev.spindle.store.postgres;

import dev.spindle.queue.spi.MinuteStats;
import dev.spindle.store.jdbc.internal.SqlJobEnds;
import dev.spindle.store.postgres.internal.Db;
import dev.spindle.store.postgres.internal.FinishHorizon;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How jobs of {@link PostgresJobStore} end, inside the caller's transaction: a terminal move
 * ({@link SqlJobEnds}) takes the next finish sequence number under the {@link FinishHorizon} (the
 * engine reads the feed up to that horizon); and the per-minute counters are added to one of
 * several shards of {@code spindle_stats}. Thread-safe (stateless apart from its collaborators).
 */
final class PostgresFinishes implements SqlJobEnds.Numbering<Db.Conn> {
  /**
   * Statistics rows per minute and counter: a transaction adds to a random one, so concurrent
   * transactions (of any process: thread ids repeat across worker processes) rarely wait for each other.
   */
  private static final int STAT_SHARDS = 16;

  private final FinishHorizon horizon;

  PostgresFinishes(FinishHorizon horizon) {
    this.horizon = horizon;
  }

  /** The next number of the sequence {@code spindle_finish_seq}, in the updating statement. */
  @Override
  public String nextFinishSeq() {
    return "nextval('spindle_finish_seq')";
  }

  /** Takes the finishing lock in shared mode before the number is taken ({@link FinishHorizon}). */
  @Override
  public long take(Db.Conn c) throws SQLException {
    horizon.lockIn(c);
    return -1;
  }

  @Override
  public void taken(Db.Conn c, long last) {}

  @Override
  public void addStats(Db.Conn c, Instant now, Map<Integer, Long> counters) throws SQLException {
    if (counters.isEmpty()) {
      return;
    }
    PreparedStatement ps = c.ps("INSERT INTO spindle_stats AS s (minute, counter, shard, n)"
        + " SELECT ?, unnest(?::int[]), ?, unnest(?::bigint[])"
        + " ON CONFLICT (minute, counter, shard) DO UPDATE SET n = s.n + excluded.n");
    // counters in a fixed order: two transactions lock a shard's rows in the same order
    TreeMap<Integer, Long> sorted = new TreeMap<>(counters);
    ps.setLong(1, MinuteStats.minuteOf(now));
    ps.setArray(2, c.jdbc().createArrayOf("int4", sorted.keySet().toArray(new Integer[0])));
    ps.setInt(3, ThreadLocalRandom.current().nextInt(STAT_SHARDS));
    ps.setArray(4, c.jdbc().createArrayOf("int8", sorted.values().toArray(new Long[0])));
    ps.executeUpdate();
  }
}
