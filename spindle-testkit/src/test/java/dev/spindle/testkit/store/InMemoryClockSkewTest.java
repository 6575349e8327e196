package dev.spindle.testkit.store;

import dev.spindle.queue.memory.InMemoryJobStore;
import dev.spindle.queue.spi.StoreBackend;

/** Skewed worker and producer clocks on the in-memory store (its own system clock). */
class InMemoryClockSkewTest extends ClockSkewContract {
  @Override
  protected StoreBackend openStore() {
    return new InMemoryJobStore("skew");
  }
}
