package dev.spindle.web;

import dev.spindle.queue.memory.InMemoryJobStore;
import dev.spindle.queue.spi.StoreBackend;

/** Encrypted jobs on the in-memory store. */
class MemoryEncryptedJobsTest extends EncryptedJobsContract {
  @Override
  StoreBackend openStore() {
    return new InMemoryJobStore();
  }
}
