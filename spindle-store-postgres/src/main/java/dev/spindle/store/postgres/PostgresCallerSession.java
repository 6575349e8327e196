package dev.spindle.store.postgres;

import dev.spindle.store.jdbc.internal.SqlCallerEnqueue;
import dev.spindle.store.postgres.internal.ChangeFeed;
import dev.spindle.store.postgres.internal.Db;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.jspecify.annotations.Nullable;

/**
 * The PostgreSQL side of {@link SqlCallerEnqueue}: the store's schema on the {@code search_path}
 * for the store's statements only (the caller's restored after), and a NOTIFY in the caller's
 * transaction, delivered at its commit (none when NOTIFY is off). Thread-safe (immutable).
 *
 * @param schema the store's schema, or null for the caller's own {@code search_path}
 */
record PostgresCallerSession(@Nullable String schema, ChangeFeed feed) implements SqlCallerEnqueue.Session<Db.Conn> {
  /** The database a connection reaches: its name and the server's start time. */
  static final String IDENTITY = "SELECT current_database() || '@' || pg_postmaster_start_time()";

  @Override
  public @Nullable String enter(Db.Conn c) throws SQLException {
    if (schema == null) {
      return null;
    }
    String saved;
    try (ResultSet rs = c.ps("SELECT current_setting('search_path')").executeQuery()) {
      rs.next();
      saved = rs.getString(1);
    }
    setSearchPath(c, "\"" + schema + "\"");
    return saved;
  }

  @Override
  public void inserted(Db.Conn c) throws SQLException {
    feed.notifyIn(c);
  }

  @Override
  public void restore(Db.Conn c, @Nullable String saved) throws SQLException {
    if (saved != null) {
      setSearchPath(c, saved);
    }
  }

  private static void setSearchPath(Db.Conn c, String path) throws SQLException {
    PreparedStatement ps = c.ps("SELECT set_config('search_path', ?, true)");
    ps.setString(1, path);
    ps.execute();
  }
}
