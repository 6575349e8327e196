package dev.spindle.store.redis;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.AttemptLedgerContract;

/** The attempts ledger contract on a real standalone redis-server; each test gets its own namespace. */
class RedisAttemptLedgerContractTest extends AttemptLedgerContract {
  @Override
  protected StoreBackend openStore() {
    return SharedRedis.open("ledger", clock);
  }
}
