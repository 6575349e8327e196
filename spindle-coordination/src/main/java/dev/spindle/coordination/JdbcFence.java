package dev.spindle.coordination;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;

/**
 * Makes writes to your own SQL database conditional on a fencing token. Two ways:
 * <ul>
 *   <li>Rows that carry their own token column: write {@code UPDATE account SET balance = ?,
 *       last_token = ? WHERE id = ? AND last_token <= ?} with the lease's token twice, and treat 0
 *       rows updated as "a newer holder wrote first": {@link #update} runs it and says so.</li>
 *   <li>A fence table, one row per resource: call {@link #advance} in the same transaction as the
 *       guarded write and roll back when it returns false.</li>
 * </ul>
 * SQL is standard plus {@code INSERT ... ON CONFLICT} (SQLite 3.24+, PostgreSQL 9.5+). Stateless,
 * thread-safe; connections are used as given (no commit or rollback here).
 */
public final class JdbcFence {
  private JdbcFence() {}

  /**
   * Creates the fence table {@code table(resource VARCHAR(200) PRIMARY KEY, last_token BIGINT NOT
   * NULL)} if it does not exist.
   *
   * @throws IllegalArgumentException if {@code table} is not a plain identifier
   */
  public static void createTable(Connection c, String table) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("CREATE TABLE IF NOT EXISTS " + identifier(table)
          + " (resource VARCHAR(200) PRIMARY KEY, last_token BIGINT NOT NULL)");
    }
  }

  /**
   * Records {@code token} for {@code resource} unless a greater token is recorded: true if the
   * caller may write (its token is the newest or equal), false if it is stale.
   */
  public static boolean advance(Connection c, String table, String resource, long token) throws SQLException {
    String t = identifier(table);
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + t + " (resource, last_token) VALUES (?, ?)"
        + " ON CONFLICT (resource) DO UPDATE SET last_token = excluded.last_token"
        + " WHERE " + t + ".last_token <= excluded.last_token")) {
      ps.setString(1, Objects.requireNonNull(resource, "resource"));
      ps.setLong(2, token);
      return ps.executeUpdate() == 1;
    }
  }

  /**
   * Runs a guarded update whose last parameter is the token to compare ({@code ... AND last_token
   * <= ?}): {@code params} fill the other placeholders in order, then {@code token} is bound last.
   *
   * @return the rows updated (0: a newer token wrote first, or no row matched)
   */
  public static int update(Connection c, String sql, long token, Object... params) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      ps.setLong(params.length + 1, token);
      return ps.executeUpdate();
    }
  }

  private static String identifier(String table) {
    if (!table.matches("[A-Za-z_][A-Za-z0-9_]{0,62}")) {
      throw new IllegalArgumentException("not a plain table name: " + table);
    }
    return table;
  }
}
