package dev.spindle.store.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.cluster.PartitionSelectorException;
import io.lettuce.core.cluster.models.partitions.Partitions;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * A Cluster client whose slot table lacks a key's slot (a topology older than the cluster's) sent
 * nothing: the call is retried after a topology refresh instead of failing.
 */
class UnknownSlotTest {
  @Test
  void aSlotMissingFromTheClientsTopologyIsRetryable() {
    PartitionSelectorException e = new PartitionSelectorException("Cannot determine a partition for slot 5731.",
        new Partitions());
    assertThat(StoreErrors.unknownSlot(e)).isTrue();
    assertThat(StoreErrors.retryable(e)).isTrue();
    assertThat(StoreErrors.retryable(new CompletionException(e))).isTrue();
  }

  @Test
  void otherClusterErrorsAreNotMistakenForIt() {
    assertThat(StoreErrors.unknownSlot(new IllegalStateException("slot 5731"))).isFalse();
  }
}
