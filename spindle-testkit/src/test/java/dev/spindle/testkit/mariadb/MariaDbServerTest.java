package dev.spindle.testkit.mariadb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The fixture starts a password-protected server on a loopback port, {@code SKIP LOCKED} works on
 * it, it keeps committed data over a {@code kill -9}, and it deletes its directory when closed.
 */
class MariaDbServerTest {
  @Test
  void startsConnectsAndSkipsLockedRows() throws SQLException {
    try (MariaDbServer db = MariaDbServer.start(); Connection a = connect(db); Connection b = connect(db)) {
      assertThat(db.port()).isPositive();
      assertThat(db.sql("SELECT CURRENT_USER()")).isEqualTo("spindle@%");
      assertThat(db.sql("SELECT VERSION()")).contains("MariaDB");
      try (Statement s = a.createStatement()) {
        s.execute("CREATE TABLE jobs (id BIGINT PRIMARY KEY) ENGINE=InnoDB");
        s.execute("INSERT INTO jobs VALUES (1), (2), (3), (4)");
      }
      a.setAutoCommit(false);
      b.setAutoCommit(false);
      List<Long> first = claim(a, 2);
      List<Long> second = claim(b, 4);
      assertThat(first).containsExactly(1L, 2L);
      assertThat(second).containsExactly(3L, 4L);
      a.commit();
      b.commit();
    }
  }

  @Test
  void refusesAWrongPasswordAndKeepsCommittedDataOverAKill() throws SQLException {
    MariaDbServer db = MariaDbServer.start();
    Path socket = db.socket();
    try (db) {
      assertThatThrownBy(() -> DriverManager.getConnection(db.jdbcUrl(MariaDbServer.DATABASE), db.user(), "wrong"))
          .isInstanceOf(SQLException.class).hasMessageContaining("Access denied");
      String other = db.newDatabase("Kept Here");
      assertThat(other).matches("kept_here_\\d+");
      db.sql("CREATE TABLE " + other + ".kept (v INT) ENGINE=InnoDB; INSERT INTO " + other + ".kept VALUES (42)");
      db.kill();
      assertThat(Files.exists(socket)).as("a killed server leaves its socket").isTrue();
      db.restart();
      assertThat(db.sql("SELECT v FROM " + other + ".kept")).isEqualTo("42");
    }
    assertThat(socket.getParent()).doesNotExist();
  }

  private static Connection connect(MariaDbServer db) throws SQLException {
    return DriverManager.getConnection(db.jdbcUrl(MariaDbServer.DATABASE), db.user(), db.password());
  }

  private static List<Long> claim(Connection c, int limit) throws SQLException {
    List<Long> ids = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT id FROM jobs ORDER BY id LIMIT " + limit + " FOR UPDATE SKIP LOCKED")) {
      while (rs.next()) {
        ids.add(rs.getLong(1));
      }
    }
    return ids;
  }
}
