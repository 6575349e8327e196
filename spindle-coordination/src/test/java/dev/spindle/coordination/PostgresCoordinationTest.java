package dev.spindle.coordination;

import dev.spindle.testkit.postgres.PostgresServer;

class PostgresCoordinationTest extends CoordinationContract {
  private static final String SCHEMA = PostgresServer.newSchema("coord");

  @Override
  Coordinator.Builder backend() {
    PostgresServer pg = PostgresServer.shared();
    return Coordinator.builder().schema(SCHEMA).postgres(pg.jdbcUrl("postgres"), pg.user(), pg.password());
  }
}
