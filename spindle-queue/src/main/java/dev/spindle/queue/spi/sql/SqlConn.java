package dev.spindle.queue.spi.sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * A connection inside one transaction of a SQL store, as the shared parts see it. Used by one
 * thread at a time.
 */
public interface SqlConn {
  /**
   * A prepared statement for {@code sql}, owned by the store (cached or closed at the end of the
   * transaction): callers never close it.
   */
  PreparedStatement ps(String sql) throws SQLException;

  /** The JDBC connection (for one-off statements the caller closes itself). */
  Connection jdbc();
}
