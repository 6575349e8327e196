package dev.spindle.store.postgres;

import dev.spindle.testkit.postgres.PostgresServer;
import dev.spindle.testkit.store.OutageSkewCheck;
import org.junit.jupiter.api.Test;

/** A PostgreSQL outage (the server stopped, then started again) is not taken for clock skew. */
class PostgresOutageClockSkewTest {
  @Test
  void aWorkerDoesNotTakeTheReconnectWaitForClockSkew() {
    try (PostgresServer pg = PostgresServer.start();
         PostgresJobStore store = PostgresJobStore.builder(pg.host(), pg.port(), "postgres", pg.user())
             .password(pg.password()).schema("outage").option("connectTimeout", "2").open()) {
      OutageSkewCheck.run(store, pg::restartAfter);
    }
  }
}
