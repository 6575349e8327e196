package dev.spindle.store.postgres.internal;

import dev.spindle.store.jdbc.internal.SqlFinishHorizon;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Set;

/**
 * PostgreSQL's finished-feed horizon ({@link SqlFinishHorizon}): numbers come from the sequence
 * {@code spindle_finish_seq}; the finishing lock is the advisory lock ({@link #CLASS_KEY}, the
 * schema's hash) taken in shared mode ({@link #lockCall()}), and its holders are read from {@code
 * pg_locks} by virtual transaction id. Thread-safe.
 */
public final class FinishHorizon extends SqlFinishHorizon<Db.Conn> {
  /** The first key of the advisory lock ("SPND"); the second is the schema's hash. */
  public static final int CLASS_KEY = 0x53504e44;

  private final int key;
  private final String lockCall;

  /** A horizon for the store whose schema hashes to {@code key} (see {@link #keyOf}). */
  public FinishHorizon(int key) {
    this.key = key;
    this.lockCall = "pg_advisory_xact_lock_shared(" + CLASS_KEY + ", " + key + ")";
  }

  /** The second lock key of the store's schema, read on {@code c}. */
  public static int keyOf(Db.Conn c) throws SQLException {
    try (ResultSet rs = c.ps("SELECT hashtext('spindle-finish:' || current_schema())").executeQuery()) {
      rs.next();
      return rs.getInt(1);
    }
  }

  /** The SQL call that takes the finishing lock in shared mode, for a finishing statement. */
  public String lockCall() {
    return lockCall;
  }

  /**
   * The sequence's last number taken. Not {@code SELECT last_value}: that reads the tuple without
   * the buffer lock, where {@code nextval} briefly writes the value it logs ahead (up to 32 on), so
   * a reader could settle past numbers nobody holds yet. {@code pg_sequence_last_value} reads under
   * the lock but is null until the first {@code nextval} after {@code setval(..., false)}; the tuple
   * is then trusted only if a second locked read after it is still null (no {@code nextval} meanwhile).
   */
  @Override
  protected long lastTaken(Db.Conn c) throws SQLException {
    for (int attempt = 0; attempt < 100; attempt++) {
      try (ResultSet rs = c.ps("SELECT pg_sequence_last_value('spindle_finish_seq'::regclass),"
          + " (SELECT last_value - 1 FROM spindle_finish_seq WHERE NOT is_called),"
          + " pg_sequence_last_value('spindle_finish_seq'::regclass)").executeQuery()) {
        rs.next();
        long locked = rs.getLong(1);
        if (!rs.wasNull()) {
          return locked;
        }
        long unlocked = rs.getLong(2);
        boolean none = rs.wasNull();
        rs.getLong(3);
        if (rs.wasNull() && !none) {
          return unlocked;
        }
      }
      // a first nextval ran meanwhile: read again, under the lock
    }
    return Long.MIN_VALUE; // nothing safe known: the horizon stays where it is
  }

  @Override
  protected Set<String> holders(Db.Conn c) throws SQLException {
    PreparedStatement ps = c.ps("SELECT virtualtransaction FROM pg_locks WHERE locktype = 'advisory'"
        + " AND classid = ?::bigint::oid AND objid = ?::bigint::oid AND objsubid = 2"
        + " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())");
    ps.setLong(1, Integer.toUnsignedLong(CLASS_KEY));
    ps.setLong(2, Integer.toUnsignedLong(key));
    Set<String> out = new HashSet<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }
}
