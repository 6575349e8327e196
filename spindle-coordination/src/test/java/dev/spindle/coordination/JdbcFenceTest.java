package dev.spindle.coordination;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JdbcFenceTest {
  @TempDir
  Path dir;

  @Test
  void theFenceTableAcceptsTheNewestTokenAndRejectsOlderOnes() throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("app.db"))) {
      JdbcFence.createTable(c, "fence");
      JdbcFence.createTable(c, "fence");
      assertThat(JdbcFence.advance(c, "fence", "invoices", 5)).isTrue();
      assertThat(JdbcFence.advance(c, "fence", "invoices", 5)).as("same holder again").isTrue();
      assertThat(JdbcFence.advance(c, "fence", "invoices", 4)).as("stale").isFalse();
      assertThat(JdbcFence.advance(c, "fence", "invoices", 7)).isTrue();
      assertThat(JdbcFence.advance(c, "fence", "invoices", 6)).isFalse();
      assertThat(JdbcFence.advance(c, "fence", "other", 1)).as("per resource").isTrue();
      assertThatThrownBy(() -> JdbcFence.createTable(c, "x; DROP TABLE y")).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void aGuardedUpdateOfARowWithItsOwnTokenColumnIgnoresStaleHolders() throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("app.db"));
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE account (id INTEGER PRIMARY KEY, balance INTEGER, last_token INTEGER NOT NULL)");
      st.execute("INSERT INTO account VALUES (1, 100, 0)");
      String sql = "UPDATE account SET balance = ?, last_token = ? WHERE id = ? AND last_token <= ?";
      assertThat(JdbcFence.update(c, sql, 9, 150, 9, 1)).isEqualTo(1);
      assertThat(JdbcFence.update(c, sql, 8, 999, 8, 1)).as("a stale holder").isZero();
      try (ResultSet rs = st.executeQuery("SELECT balance, last_token FROM account WHERE id = 1")) {
        rs.next();
        assertThat(rs.getLong(1)).isEqualTo(150);
        assertThat(rs.getLong(2)).isEqualTo(9);
      }
    }
  }
}
