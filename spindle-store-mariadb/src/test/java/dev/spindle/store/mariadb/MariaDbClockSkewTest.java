package dev.spindle.store.mariadb;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.ClockSkewContract;

/** Skewed worker and producer clocks (the store reads the server's clock) on a real MariaDB server, each store in a database of its own. */
class MariaDbClockSkewTest extends ClockSkewContract {
  @Override
  protected StoreBackend openStore() {
    return SharedMariaDb.open("skew", null);
  }
}
