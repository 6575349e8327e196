package dev.spindle.web;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.store.postgres.PostgresJobStore;
import dev.spindle.testkit.postgres.PostgresServer;

/** Hostile input to the API over a real PostgreSQL server (a schema per test). */
class PostgresBadInputTest extends DashboardBadInputContract {
  @Override
  StoreBackend openStore() {
    PostgresServer pg = PostgresServer.shared();
    return PostgresJobStore.builder(pg.host(), pg.port(), "postgres", pg.user()).password(pg.password())
        .schema(PostgresServer.newSchema("badinput")).open();
  }
}
