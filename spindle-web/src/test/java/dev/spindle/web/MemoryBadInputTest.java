package dev.spindle.web;

import dev.spindle.queue.JobStores;
import dev.spindle.queue.spi.StoreBackend;

/** Hostile input to the API over the in-memory store. */
class MemoryBadInputTest extends DashboardBadInputContract {
  private static int n;

  @Override
  StoreBackend openStore() {
    return JobStores.open("memory:bad-input-" + (++n));
  }
}
