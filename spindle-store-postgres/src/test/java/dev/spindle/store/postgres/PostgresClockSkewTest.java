package dev.spindle.store.postgres;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.ClockSkewContract;

/** Skewed worker and producer clocks (the store reads the server's clock) on a real PostgreSQL server, each store in a schema of its own. */
class PostgresClockSkewTest extends ClockSkewContract {
  @Override
  protected StoreBackend openStore() {
    return SharedPostgres.open("skew", null);
  }
}
