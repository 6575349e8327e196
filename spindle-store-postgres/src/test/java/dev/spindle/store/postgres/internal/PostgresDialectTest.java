package dev.spindle.store.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.spindle.store.jdbc.JdbcDialect.ErrorKind;
import dev.spindle.testkit.postgres.PostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** How {@link PostgresDialect} reads errors a real server raises, by SQLSTATE. */
class PostgresDialectTest {
  private static Connection connect() throws SQLException {
    PostgresServer pg = PostgresServer.shared();
    return DriverManager.getConnection(pg.jdbcUrl("postgres"), pg.user(), pg.password());
  }

  private static SQLException failing(Connection c, String sql) {
    return catchThrowableOfType(SQLException.class, () -> {
      try (Statement st = c.createStatement()) {
        st.execute(sql);
      }
    });
  }

  @Test
  void aDuplicateKeyIsAUniqueViolation() throws SQLException {
    try (Connection c = connect()) {
      SQLException e = failing(c, "CREATE TEMP TABLE u (k int PRIMARY KEY); INSERT INTO u VALUES (1), (1)");
      assertThat(PostgresDialect.INSTANCE.classify(e)).isEqualTo(ErrorKind.UNIQUE_VIOLATION);
    }
  }

  @Test
  void serializationFailuresAndDeadlocksMayBeRetried() throws SQLException {
    try (Connection c = connect()) {
      for (String state : new String[] {"40001", "40P01"}) {
        SQLException e = failing(c, "DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = '" + state + "'; END $$");
        assertThat(PostgresDialect.INSTANCE.classify(e)).as(state).isEqualTo(ErrorKind.SERIALIZATION_FAILURE);
      }
    }
  }

  @Test
  void aTerminatedSessionIsALostConnectionAndASyntaxErrorIsOther() throws SQLException {
    try (Connection c = connect()) {
      assertThat(PostgresDialect.INSTANCE.classify(failing(c, "SELEC 1"))).isEqualTo(ErrorKind.OTHER);
      SQLException e = failing(c, "SELECT pg_terminate_backend(pg_backend_pid())");
      assertThat(PostgresDialect.INSTANCE.classify(e)).isEqualTo(ErrorKind.CONNECTION_LOST);
    }
  }
}
