package dev.spindle.store.redis;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.store.AttemptLedgerContract;

/**
 * The attempts ledger contract on a partitioned queue: three partitions on three masters of a
 * real Redis Cluster, each call routed to the partition that holds the job.
 */
class PartitionedRedisAttemptLedgerContractTest extends AttemptLedgerContract {
  @Override
  protected StoreBackend openStore() {
    return SharedRedisCluster.openPartitioned("pledger-store", clock);
  }
}
