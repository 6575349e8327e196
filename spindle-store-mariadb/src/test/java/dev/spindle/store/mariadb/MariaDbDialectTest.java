package dev.spindle.store.mariadb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.store.jdbc.JdbcConn;
import dev.spindle.store.jdbc.JdbcDialect;
import dev.spindle.testkit.mariadb.MariaDbServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The statements of {@link MariaDbDialect} run on a real MariaDB server and do what the engine expects. */
class MariaDbDialectTest {
  private static final MariaDbServer DB = MariaDbServer.shared();
  private static final JdbcDialect D = MariaDbDialect.INSTANCE;
  private static String database = "";

  @BeforeAll
  static void schema() throws SQLException {
    database = DB.newDatabase("dialect");
    try (Connection c = connect()) {
      MariaDbSchema.migrate(c, "test");
    }
  }

  @Test
  void idListsBindAsOneParameter() throws SQLException {
    try (Connection c = connect()) {
      PreparedStatement ps = c.prepareStatement(D.idsParameter() + " ORDER BY 1");
      D.bindIds(conn(c), ps, 1, new long[] {42, 7, 9_007_199_254_740_993L});
      assertThat(longs(ps)).containsExactly(7L, 42L, 9_007_199_254_740_993L);
      D.bindIds(conn(c), ps, 1, new long[0]);
      assertThat(longs(ps)).isEmpty();
    }
  }

  @Test
  void upsertsIgnoreOrUpdateAnExistingRow() throws SQLException {
    try (Connection c = connect()) {
      exec(c, "DELETE FROM spindle_queues");
      try (Statement st = c.createStatement()) { // the count says whether the row was added (defineLimit reads it)
        assertThat(st.executeUpdate(D.insertIgnoring("spindle_queues", "name, max_running", "('q', 1)", "name")))
            .isOne();
        assertThat(st.executeUpdate(D.insertIgnoring("spindle_queues", "name, max_running", "('q', 2)", "name")))
            .isZero();
      }
      assertThat(strings(c, "SELECT max_running FROM spindle_queues WHERE name = 'q'")).containsExactly("1");
      exec(c, "INSERT INTO spindle_queues (name, max_running) VALUES ('q', 5)" + D.onConflictUpdate("name")
          + "max_running = " + D.greatest("spindle_queues.max_running", D.proposed("max_running")));
      exec(c, "INSERT INTO spindle_queues (name, max_running) VALUES ('q', 3)" + D.onConflictUpdate("name")
          + "max_running = " + D.greatest("spindle_queues.max_running", D.proposed("max_running")));
      assertThat(strings(c, "SELECT max_running FROM spindle_queues WHERE name = 'q'")).containsExactly("5");
    }
  }

  @Test
  void textMatchesCaseFoldedAndTakesWildcardsLiterally() throws SQLException {
    try (Connection c = connect()) {
      exec(c, "DELETE FROM spindle_jobs");
      exec(c, "INSERT INTO spindle_jobs (id, task, queue, state, priority, args, error, created_at, run_at, policy_id)"
          + " VALUES (1, 't', 'q', 1, 0, '{\"name\":\"Alice\"}', NULL, 0, 0, 1),"
          + " (2, 't', 'q', 4, 0, '{}', 'Disk 100% FULL', 0, 0, 1), (3, 't', 'q', 1, 0, '{\"p\":\"10x!\"}', NULL, 0, 0, 1)");
      assertThat(match(c, "alice")).containsExactly(1L);
      assertThat(match(c, "100% full")).containsExactly(2L);
      assertThat(match(c, "0% f")).containsExactly(2L);
      assertThat(match(c, "1%l")).isEmpty();
      assertThat(match(c, "1_x")).isEmpty();
      assertThat(match(c, "10X!")).containsExactly(3L);
    }
  }

  @Test
  void skipLockedAndUnindexedReadsRun() throws SQLException {
    try (Connection a = connect(); Connection b = connect()) {
      exec(a, "DELETE FROM spindle_jobs");
      exec(a, "INSERT INTO spindle_jobs (id, task, queue, state, priority, args, created_at, run_at, policy_id)"
          + " VALUES (1, 't', 'q', 1, 0, '{}', 10, 0, 1), (2, 't', 'q', 1, 0, '{}', 20, 0, 1)");
      a.setAutoCommit(false);
      b.setAutoCommit(false);
      String claim = "SELECT j.id FROM spindle_jobs j WHERE j.state = 1 AND " + D.unindexed("j.created_at")
          + " >= 0 ORDER BY j.id LIMIT 1" + D.forUpdateSkipLocked("j");
      assertThat(longs(a.prepareStatement(claim))).containsExactly(1L);
      assertThat(longs(b.prepareStatement(claim))).containsExactly(2L);
      assertThat(longs(b.prepareStatement("SELECT id FROM spindle_jobs WHERE id = 2" + D.forUpdate())))
          .containsExactly(2L);
      a.rollback();
      b.rollback();
      assertThat(longs(a.prepareStatement("SELECT id FROM spindle_jobs WHERE id = 1" + D.forShare())))
          .containsExactly(1L);
      a.rollback();
    }
  }

  private static List<Long> match(Connection c, String text) throws SQLException {
    JdbcDialect.TextMatch m = D.textMatch(text);
    PreparedStatement ps = c.prepareStatement("SELECT " + m.id() + " FROM " + m.from() + " WHERE 1 = 1" + m.condition()
        + " ORDER BY 1");
    for (int i = 0; i < m.args().size(); i++) {
      ps.setObject(i + 1, m.args().get(i));
    }
    return longs(ps);
  }

  private static JdbcConn conn(Connection c) {
    return new JdbcConn() {
      @Override
      public PreparedStatement ps(String sql) throws SQLException {
        return c.prepareStatement(sql);
      }

      @Override
      public Connection jdbc() {
        return c;
      }
    };
  }

  private static Connection connect() throws SQLException {
    Connection c = DriverManager.getConnection(DB.jdbcUrl(database), DB.user(), DB.password());
    exec(c, "SET SESSION sql_mode = CONCAT(@@sql_mode, ',ANSI_QUOTES')");
    c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
    return c;
  }

  private static List<Long> longs(PreparedStatement ps) throws SQLException {
    List<Long> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(rs.getLong(1));
      }
    }
    return out;
  }

  private static List<String> strings(Connection c, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
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
}
