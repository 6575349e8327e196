package dev.spindle.store.postgres;

import dev.spindle.store.jdbc.internal.SqlCallerEnqueue;
import dev.spindle.store.postgres.internal.ChangeFeed;
import dev.spindle.store.postgres.internal.Db;
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

  /** The store's schema on the {@code search_path} for the rest of the transaction. */
  private SqlCallerEnqueue.Setting<Db.Conn> searchPath(String schema) {
    return new SqlCallerEnqueue.Setting<>("SELECT current_setting('search_path')",
        "SELECT set_config('search_path', ?, true)", "\"" + schema + "\"");
  }

  @Override
  public @Nullable String enter(Db.Conn c) throws SQLException {
    return schema == null ? null : searchPath(schema).enter(c);
  }

  @Override
  public void inserted(Db.Conn c) throws SQLException {
    feed.notifyIn(c);
  }

  @Override
  public void restore(Db.Conn c, @Nullable String saved) throws SQLException {
    if (schema != null) {
      searchPath(schema).restore(c, saved);
    }
  }
}
