package dev.spindle.store.jdbc.internal;

import dev.spindle.store.jdbc.JdbcConn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A connection of the engine's connection layer ({@link SqlTransactions}): its prepared statements
 * either cached for the connection's life (a connection kept open, as SQLite's writer and readers)
 * or closed when the transaction ends ({@link #closeStatements}; a pooled connection, whose driver
 * caches server-side statements itself). Used by one thread at a time; its methods synchronize only
 * so that closing the store can close it while a late caller still holds it.
 */
public class SqlConn implements JdbcConn {
  private final Connection connection;
  private final boolean caching;
  private final Map<String, PreparedStatement> cached = new HashMap<>();
  private final List<PreparedStatement> open = new ArrayList<>();
  /** Set after an error that may have left a statement or the transaction half done. */
  private volatile boolean broken;
  private boolean closed;

  /**
   * Wraps {@code connection}.
   *
   * @param caching keep prepared statements for the connection's life (else until {@link #closeStatements})
   */
  public SqlConn(Connection connection, boolean caching) {
    this.connection = connection;
    this.caching = caching;
  }

  /** A prepared statement for {@code sql}, owned by this connection: callers never close it. */
  @Override
  public synchronized PreparedStatement ps(String sql) throws SQLException {
    if (closed) {
      throw new SQLException("the connection is closed");
    }
    if (!caching) {
      PreparedStatement ps = connection.prepareStatement(sql);
      open.add(ps);
      return ps;
    }
    PreparedStatement ps = cached.get(sql);
    if (ps == null) {
      ps = connection.prepareStatement(sql);
      cached.put(sql, ps);
    }
    return ps;
  }

  /** Runs a statement without a result (prepared through {@link #ps}). */
  public void exec(String sql) throws SQLException {
    ps(sql).execute();
  }

  /** Runs a one-off statement (DDL, pragmas) without keeping it. */
  public void execOnce(String sql) throws SQLException {
    try (Statement st = connection.createStatement()) {
      st.execute(sql);
    }
  }

  /** The JDBC connection. */
  @Override
  public Connection jdbc() {
    return connection;
  }

  /** Marks the connection for replacement: an error other than a busy wait may have broken it. */
  void markBroken() {
    broken = true;
  }

  /** Whether {@link #markBroken} was called. */
  public boolean broken() {
    return broken;
  }

  /**
   * Forgets whatever batches the cached statements hold: after a transaction that failed, so that
   * no batch it left half built goes into a later one.
   */
  public synchronized void clearBatches() {
    for (PreparedStatement ps : cached.values()) {
      try {
        ps.clearBatch();
      } catch (SQLException e) {
        // a closed statement holds no batch
      }
    }
  }

  /** Closes the statements of this transaction (those not cached). */
  public synchronized void closeStatements() {
    closeAll(open);
    open.clear();
  }

  /** Closes every statement and the connection. Idempotent. */
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    closeAll(cached.values());
    closeAll(open);
    try {
      connection.close();
    } catch (SQLException e) {
      // closing anyway
    }
  }

  private static void closeAll(Iterable<PreparedStatement> statements) {
    for (PreparedStatement ps : statements) {
      try {
        ps.close();
      } catch (SQLException e) {
        // closing anyway
      }
    }
  }
}
