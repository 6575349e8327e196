package dev.spindle.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.store.postgres.internal.Db;
import dev.spindle.store.postgres.internal.VacuumAdvice;
import dev.spindle.testkit.postgres.PostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * The advice a store logs when it opens on a server whose autovacuum settings let a busy job table
 * bloat: read from a real server (the test server keeps PostgreSQL's default naptime of 1 minute),
 * and decided for the other settings.
 */
class PostgresVacuumAdviceTest {
  @Test
  void aServerWithTheDefaultNaptimeGetsAdviceToLowerIt() throws Exception {
    PostgresServer pg = PostgresServer.shared();
    Properties props = new Properties();
    props.setProperty("user", pg.user());
    props.setProperty("password", pg.password());
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + pg.host() + ":" + pg.port() + "/postgres",
        props)) {
      Optional<VacuumAdvice.Advice> advice = VacuumAdvice.read(new Db.Conn(c));
      assertThat(advice).hasValueSatisfying(a -> {
        assertThat(a.serious()).isFalse();
        assertThat(a.text()).contains("autovacuum_naptime is 60 s").contains("autovacuum_naptime = '10s'");
      });
    }
  }

  @Test
  void aShortNaptimeNeedsNoAdviceAndAutovacuumOffIsAWarning() {
    assertThat(VacuumAdvice.advise(true, 10)).isEmpty();
    assertThat(VacuumAdvice.advise(true, VacuumAdvice.MAX_NAPTIME_SECONDS)).isEmpty();
    assertThat(VacuumAdvice.advise(true, VacuumAdvice.MAX_NAPTIME_SECONDS + 1)).hasValueSatisfying(
        a -> assertThat(a.serious()).isFalse());
    assertThat(VacuumAdvice.advise(false, 10)).hasValueSatisfying(a -> {
      assertThat(a.serious()).isTrue();
      assertThat(a.text()).startsWith("autovacuum is off");
    });
  }
}
