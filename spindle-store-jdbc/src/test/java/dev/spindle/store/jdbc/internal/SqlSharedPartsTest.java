package dev.spindle.store.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.queue.StoreException;
import dev.spindle.store.jdbc.JdbcDialect;
import dev.spindle.store.jdbc.JdbcDialect.ErrorKind;
import dev.spindle.store.jdbc.JdbcDialect.TextMatch;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The engine's parts that dialect modules share, checked through SQLite itself: the schema runner
 * over {@code spindle_meta} ({@link SqlMigrations.MetaSchema}), the standard text match, ids taken
 * from a sequence query, one session setting swapped and given back, errors read by a table, and a
 * driver's chain of causes.
 */
class SqlSharedPartsTest {
  /** A dialect with the engine's defaults for everything it may leave out. */
  private static final JdbcDialect STANDARD = TestDialect.STANDARD;

  private static final List<List<String>> MIGRATIONS = List.of(
      List.of("CREATE TABLE spindle_meta (\"key\" TEXT PRIMARY KEY, value INTEGER NOT NULL)",
          "CREATE TABLE a (x INTEGER)"),
      List.of("CREATE TABLE b (x INTEGER)"));

  private static SqlMigrations.MetaSchema schema(List<List<String>> migrations) {
    return new SqlMigrations.MetaSchema(migrations, false, STANDARD,
        "SELECT count(*) > 0 FROM sqlite_master WHERE name = 'spindle_meta'") {};
  }

  @Test
  void anEmptyDatabaseIsMigratedOnceAndItsVersionRecordedInTheMetaTable() throws SQLException {
    SqlMigrations.MetaSchema schema = schema(MIGRATIONS);
    try (Connection c = memory()) {
      assertThat(schema.found(c)).isZero();
      assertThat(SqlMigrations.migrate(c, schema, "test")).isZero();
      assertThat(schema.found(c)).isEqualTo(2);
      assertThat(SqlMigrations.migrate(c, schema, "test")).as("nothing runs again").isEqualTo(2);
      assertThat(tables(c)).containsExactlyInAnyOrder("spindle_meta", "a", "b");
    }
    assertThat(schema.statements()).containsExactly(MIGRATIONS.get(0).get(0), MIGRATIONS.get(0).get(1),
        MIGRATIONS.get(1).get(0));
  }

  @Test
  void aNewerSchemaIsRefusedAndLeftUnchanged() throws SQLException {
    try (Connection c = memory()) {
      SqlMigrations.migrate(c, schema(MIGRATIONS), "test");
      SqlMigrations.MetaSchema older = schema(MIGRATIONS.subList(0, 1));
      assertThatThrownBy(() -> SqlMigrations.migrate(c, older, "sql://x")).isInstanceOf(StoreException.class)
          .hasMessageContaining("sql://x has schema version 2");
      assertThat(older.found(c)).isEqualTo(2);
    }
  }

  @Test
  void whereDdlCommitsOnItsOwnEachMigrationIsRecordedSoAFailedRunResumesAfterIt() throws SQLException {
    List<List<String>> failing = List.of(MIGRATIONS.get(0), List.of("CREATE TABLE a (x INTEGER)"));
    try (Connection c = memory()) {
      assertThatThrownBy(() -> SqlMigrations.migrate(c, schema(failing), "test")).isInstanceOf(SQLException.class);
      assertThat(schema(failing).found(c)).isEqualTo(1);
      assertThat(SqlMigrations.migrate(c, schema(MIGRATIONS), "test")).isEqualTo(1);
      assertThat(tables(c)).contains("b");
    }
  }

  @Test
  void theStandardTextMatchFindsTextCaseFoldedWithItsWildcardsTakenLiterally() throws SQLException {
    try (Connection c = memory()) {
      exec(c, "CREATE TABLE spindle_jobs (id INTEGER PRIMARY KEY, args TEXT, error TEXT)");
      exec(c, "INSERT INTO spindle_jobs VALUES (1, '{\"a\":\"50% Off_Now!\"}', NULL), (2, '{\"a\":\"50 Off\"}',"
          + " 'Boom at 50% OFF_'), (3, '{\"a\":\"500 offxnow\"}', NULL)");
      assertThat(matching(c, "50% off_")).containsExactly(1L, 2L);
      assertThat(matching(c, "now!")).containsExactly(1L);
      assertThat(matching(c, "BOOM")).containsExactly(2L);
    }
  }

  @Test
  void flowKeysAreLockedByTheDefaultOnlyWhereClaimsRunConcurrently() throws SQLException {
    try (Connection jdbc = memory()) {
      SqlConn c = new SqlConn(jdbc, false);
      assertThatThrownBy(() -> STANDARD.tryLockFlowKey(c, "k")).isInstanceOf(UnsupportedOperationException.class)
          .hasMessageContaining("standard");
    }
  }

  @Test
  void sequenceIdsTakeAsManyChunksAsABatchNeedsAndComeSorted() throws SQLException {
    List<Integer> chunks = new ArrayList<>();
    SqlEnqueue.Rows<SqlConn> rows = SqlEnqueue.sequenceIds(k -> {
      chunks.add(k);
      return "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " + k + ")"
          + " SELECT 1000 - i FROM n";
    }, 3);
    try (Connection jdbc = memory()) {
      SqlConn c = new SqlConn(jdbc, false);
      try {
        assertThat(rows.newIds(c, 7)).containsExactly(997, 997, 998, 998, 999, 999, 999);
      } finally {
        c.closeStatements();
      }
    }
    assertThat(chunks).containsExactly(3, 3, 1);
  }

  @Test
  void aSessionSettingIsGivenTheStoresValueAndTheCallersBackAfter() throws SQLException {
    SqlCallerEnqueue.Setting<SqlConn> setting = new SqlCallerEnqueue.Setting<>(
        "SELECT value FROM settings", "UPDATE settings SET value = ?", "store's");
    try (Connection jdbc = memory()) {
      exec(jdbc, "CREATE TABLE settings (value TEXT)");
      exec(jdbc, "INSERT INTO settings VALUES ('caller''s')");
      SqlConn c = new SqlConn(jdbc, false);
      try {
        String saved = setting.enter(c);
        assertThat(saved).isEqualTo("caller's");
        assertThat(value(jdbc)).isEqualTo("store's");
        setting.restore(c, saved);
        assertThat(value(jdbc)).isEqualTo("caller's");
      } finally {
        c.closeStatements();
      }
    }
  }

  @Test
  void errorsAreReadByTheFirstRowThatCoversThemAndOthersAreIo() {
    List<SqlPool.ErrorRow> table = List.of(
        new SqlPool.ErrorRow(e -> e.getErrorCode() == 1, StoreException.Reason.BUSY, "busy", "; retry."),
        new SqlPool.ErrorRow(e -> e.getErrorCode() >= 1, StoreException.Reason.DISK_FULL, "full", "."));
    StoreException busy = SqlPool.translate(table, "Db", new SQLException("one", "x", 1), "claim", "db://h/d");
    assertThat(busy.reason()).isEqualTo(StoreException.Reason.BUSY);
    assertThat(busy).hasMessage("busy (claim on db://h/d); retry. one");
    assertThat(SqlPool.translate(table, "Db", new SQLException("two", "x", 2), "claim", "db://h/d").reason())
        .isEqualTo(StoreException.Reason.DISK_FULL);
    StoreException other = SqlPool.translate(table, "Db", new SQLException("zero", "x", 0), "claim", "db://h/d");
    assertThat(other.reason()).isEqualTo(StoreException.Reason.IO);
    assertThat(other).hasMessage("Db error (claim on db://h/d): zero");
  }

  @Test
  void theFirstCauseADriverKnowsGivesTheKind() {
    SQLException wrapped = new SQLException("outer", new RuntimeException(new SQLException("inner", "40001")));
    assertThat(JdbcDialect.firstKnown(wrapped, e -> "40001".equals(e.getSQLState())
        ? ErrorKind.SERIALIZATION_FAILURE : ErrorKind.OTHER)).isEqualTo(ErrorKind.SERIALIZATION_FAILURE);
    assertThat(JdbcDialect.firstKnown(new SQLException("plain"), e -> ErrorKind.OTHER)).isEqualTo(ErrorKind.OTHER);
  }

  private static List<Long> matching(Connection c, String text) throws SQLException {
    TextMatch m = STANDARD.textMatch(text);
    try (PreparedStatement ps = c.prepareStatement("SELECT " + m.id() + " FROM " + m.from() + " WHERE 1 = 1"
        + m.condition() + " ORDER BY " + m.id())) {
      for (int i = 0; i < m.args().size(); i++) {
        ps.setObject(i + 1, m.args().get(i));
      }
      List<Long> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getLong(1));
        }
      }
      return out;
    }
  }

  private static String value(Connection c) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT value FROM settings")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static List<String> tables(Connection c) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table'")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  private static void exec(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  private static Connection memory() throws SQLException {
    return DriverManager.getConnection("jdbc:sqlite::memory:");
  }
}
