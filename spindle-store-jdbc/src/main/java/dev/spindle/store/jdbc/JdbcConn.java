package dev.spindle.store.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * A connection inside one transaction of the SQL store engine, as a {@link JdbcDialect} and the
 * engine's parts see it. Used by one thread at a time.
 */
public interface JdbcConn {
  /**
   * A prepared statement for {@code sql}, owned by the engine (cached, or closed at the end of the
   * transaction): callers never close it.
   */
  PreparedStatement ps(String sql) throws SQLException;

  /** The JDBC connection (for one-off statements the caller closes itself). */
  Connection jdbc();
}
