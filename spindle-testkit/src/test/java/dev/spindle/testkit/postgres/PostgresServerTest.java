package dev.spindle.testkit.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The fixture starts a password-protected server on a loopback port and keeps its data over a restart. */
class PostgresServerTest {
  @Test
  void startsAnswersAndKeepsDataOverARestart() {
    try (PostgresServer pg = PostgresServer.start()) {
      assertThat(pg.port()).isPositive();
      assertThat(pg.psql("SELECT current_user || ' ' || version()")).startsWith("spindle PostgreSQL 1");
      pg.psql("CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)");
      pg.restart();
      assertThat(pg.psql("SELECT v FROM kept")).isEqualTo("42");
      assertThat(pg.psql("SELECT count(*) FROM pg_hba_file_rules WHERE auth_method = 'trust'")).isEqualTo("0");
    }
  }
}
