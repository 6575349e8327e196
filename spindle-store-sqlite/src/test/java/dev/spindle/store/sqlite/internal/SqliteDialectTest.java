package dev.spindle.store.sqlite.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.spindle.store.jdbc.JdbcDialect.ErrorKind;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/** How {@link SqliteDialect} reads errors a real SQLite file raises. */
class SqliteDialectTest {
  @TempDir Path dir;

  private Connection connect() throws SQLException {
    return DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("d.db"));
  }

  private static SQLException failing(Connection c, String sql) {
    return catchThrowableOfType(SQLException.class, () -> {
      try (Statement st = c.createStatement()) {
        st.execute(sql);
      }
    });
  }

  @Test
  void aDuplicateKeyIsAUniqueViolationAndASyntaxErrorIsOther() throws SQLException {
    try (Connection c = connect(); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE u (k INTEGER PRIMARY KEY, v TEXT UNIQUE)");
      st.execute("INSERT INTO u VALUES (1, 'a')");
      assertThat(SqliteDialect.INSTANCE.classify(failing(c, "INSERT INTO u VALUES (1, 'b')")))
          .isEqualTo(ErrorKind.UNIQUE_VIOLATION);
      assertThat(SqliteDialect.INSTANCE.classify(failing(c, "INSERT INTO u VALUES (2, 'a')")))
          .isEqualTo(ErrorKind.UNIQUE_VIOLATION);
      assertThat(SqliteDialect.INSTANCE.classify(failing(c, "SELEC 1"))).isEqualTo(ErrorKind.OTHER);
    }
  }

  @Test
  void aWriteLockHeldByAnotherConnectionIsBusy() throws SQLException {
    try (Connection holder = connect(); Connection other = connect(); Statement st = holder.createStatement()) {
      st.execute("CREATE TABLE t (x INTEGER)");
      st.execute("BEGIN IMMEDIATE");
      try (Statement o = other.createStatement()) {
        o.execute("PRAGMA busy_timeout = 0");
      }
      assertThat(SqliteDialect.INSTANCE.classify(failing(other, "BEGIN IMMEDIATE"))).isEqualTo(ErrorKind.BUSY);
      st.execute("ROLLBACK");
    }
  }

  @Test
  void aLockingProtocolErrorIsBusy() {
    // what SQLite returns when a WAL read could not start for ~10 s because another process stopped
    // inside the WAL's lock protocol (DbTest plays it against a real file)
    SQLException protocol = new SQLiteException("[SQLITE_PROTOCOL] locking protocol", SQLiteErrorCode.SQLITE_PROTOCOL);
    assertThat(SqliteDialect.INSTANCE.classify(protocol)).isEqualTo(ErrorKind.BUSY);
  }
}
