package dev.spindle.store.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.store.jdbc.internal.SqlArrayClaims;
import dev.spindle.testkit.postgres.PostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/**
 * Planner settings sent ahead of a query in its round trip ({@link Db#setLocalSql}, {@link
 * SqlArrayClaims#afterSettings}): they apply to that query and the rest of its transaction only, and
 * only plain words are written into the statement.
 */
class DbSetLocalTest {
  @Test
  void theSettingsApplyToTheQuerySentWithThemAndEndWithTheTransaction() throws SQLException {
    PostgresServer pg = PostgresServer.shared();
    try (Connection jdbc = DriverManager.getConnection(pg.jdbcUrl("postgres"), pg.user(), pg.password())) {
      jdbc.setAutoCommit(false);
      Db.Conn c = new Db.Conn(jdbc);
      try {
        var ps = c.ps(Db.setLocalSql("enable_sort", "off", "jit", "off") + "; SELECT current_setting('enable_sort'),"
            + " current_setting('jit'), ?::int");
        ps.setInt(1, 7); // the query's parameters are numbered as if it were alone
        try (ResultSet rs = SqlArrayClaims.afterSettings(ps)) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getString(1)).isEqualTo("off");
          assertThat(rs.getString(2)).isEqualTo("off");
          assertThat(rs.getInt(3)).isEqualTo(7);
        }
        try (ResultSet rs = c.ps("SHOW enable_sort").executeQuery()) {
          rs.next();
          assertThat(rs.getString(1)).as("for the rest of the transaction").isEqualTo("off");
        }
        jdbc.commit();
        try (ResultSet rs = c.ps("SHOW enable_sort").executeQuery()) {
          rs.next();
          assertThat(rs.getString(1)).as("not after it").isEqualTo("on");
        }
        jdbc.commit();
      } finally {
        c.closeStatements();
      }
    }
  }

  @Test
  void onlyPairsOfPlainWordsAreWrittenIntoTheStatement() {
    assertThat(Db.setLocalSql("plan_cache_mode", "force_generic_plan"))
        .isEqualTo("SELECT set_config('plan_cache_mode', 'force_generic_plan', true)");
    assertThatThrownBy(() -> Db.setLocalSql("enable_sort")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("pairs of a setting's name and value, not 1");
    assertThatThrownBy(() -> Db.setLocalSql("enable_sort", "off'); DROP TABLE x; --"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be a plain word");
  }
}
