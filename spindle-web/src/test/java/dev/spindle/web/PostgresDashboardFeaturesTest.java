package dev.spindle.web;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.store.postgres.PostgresJobStore;
import dev.spindle.testkit.postgres.PostgresServer;

/** Search, statistics and schedule pausing over a real PostgreSQL server (a schema per test). */
class PostgresDashboardFeaturesTest extends DashboardFeaturesContract {
  @Override
  StoreBackend openStore() {
    PostgresServer pg = PostgresServer.shared();
    return PostgresJobStore.builder(pg.host(), pg.port(), "postgres", pg.user()).password(pg.password())
        .schema(PostgresServer.newSchema("features")).open();
  }
}
