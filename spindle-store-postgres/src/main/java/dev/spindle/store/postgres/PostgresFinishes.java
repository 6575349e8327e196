package dev.spindle.store.postgres;

import dev.spindle.store.jdbc.internal.SqlJobEnds;
import dev.spindle.store.jdbc.internal.SqlNumbering;
import dev.spindle.store.postgres.internal.Db;
import dev.spindle.store.postgres.internal.FinishHorizon;
import dev.spindle.store.postgres.internal.PostgresDialect;
import java.sql.SQLException;

/**
 * How jobs of {@link PostgresJobStore} end, inside the caller's transaction: a terminal move
 * ({@link SqlJobEnds}) takes the next finish sequence number under the {@link FinishHorizon} (the
 * engine reads the feed up to that horizon); and the per-minute counters are added to one of
 * several shards of {@code spindle_stats} ({@link SqlNumbering}). Thread-safe (stateless apart
 * from its collaborators).
 */
final class PostgresFinishes extends SqlNumbering<Db.Conn> {
  private final FinishHorizon horizon;

  PostgresFinishes(FinishHorizon horizon) {
    super(PostgresDialect.INSTANCE);
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
}
