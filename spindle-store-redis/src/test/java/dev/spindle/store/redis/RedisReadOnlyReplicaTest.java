package dev.spindle.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.spindle.TaskRegistry;
import dev.spindle.queue.JobHandle;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobState;
import dev.spindle.queue.StoreException;
import dev.spindle.queue.Worker;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.testkit.redis.RedisServer;
import dev.spindle.testkit.store.StoreContractTasks;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A store pointed at a read-only replica refuses writes clearly, lists jobs, and opens without
 * moving an earlier version's index; a worker whose primary is demoted to a replica mid-job keeps
 * the outcome and writes it once the server is writable again.
 */
class RedisReadOnlyReplicaTest {
  private RedisServer primary;
  private RedisServer replica;

  @BeforeEach
  void start() {
    primary = RedisServer.builder().appendOnly(false).start();
    replica = RedisServer.builder().appendOnly(false).start();
    replica.replicaOf(primary);
  }

  @AfterEach
  void stop() {
    replica.close();
    primary.close();
  }

  private static RedisJobStore open(RedisServer s) {
    return RedisJobStore.open(RedisStoreConfig.fromUrl(s.url() + "?retryBudget=1s", Map.of()));
  }

  @Test
  void enqueueOnAReplicaFailsClearlyAndReadsStillWork() {
    try (RedisJobStore onPrimary = open(primary); RedisJobStore onReplica = open(replica);
        JobQueue q = JobQueue.builder(onPrimary).build(); JobQueue r = JobQueue.builder(onReplica).build()) {
      String id = q.enqueue("ro.task", "1").id();
      await().atMost(Duration.ofSeconds(30)).until(() -> onReplica.find(id).isPresent());
      assertThatThrownBy(() -> r.enqueue("ro.task", "2")).isInstanceOf(StoreException.class)
          .satisfies(e -> assertThat(((StoreException) e).reason()).isEqualTo(StoreException.Reason.READ_ONLY))
          .hasMessageContaining("read-only replica").hasMessageContaining("nothing was changed")
          .hasMessageContaining("primary");
      assertThat(onReplica.inspector().queueSummaries()).hasSize(1);
      assertThat(onReplica.inspector().page(JobFilter.all()).jobs()).extracting(JobInfo::id).containsExactly(id);
    }
  }

  @Test
  void aStoreOpensOnAReplicaThatHoldsTheIndexOfAnEarlierVersionAndListsItsJobs() {
    try (RedisJobStore onPrimary = open(primary); JobQueue q = JobQueue.builder(onPrimary).build()) {
      String id = q.enqueue("ro.task", "1").id();
      // the job as an earlier version indexed it: in the sorted set 'all', no bitmap
      primary.command("DEL", "{spindle}:jb:0", "{spindle}:jbk", "{spindle}:jbt");
      primary.command("ZADD", "{spindle}:all", id, String.format("%016d", Long.parseLong(id)));
      await().atMost(Duration.ofSeconds(30)).until(() -> replica.command("EXISTS", "{spindle}:all").equals(1L));

      try (RedisJobStore onReplica = open(replica)) { // the move writes, which a replica refuses: skipped
        assertThat(onReplica.find(id)).isPresent();
        assertThat(onReplica.inspector().page(JobFilter.all()).jobs()).extracting(JobInfo::id).containsExactly(id);
      }
      assertThat(replica.command("ZCARD", "{spindle}:all")).isEqualTo(1L);
    }
  }

  @Test
  void aRunningJobCompletesAfterItsPrimaryWasDemotedAndPromotedAgain() throws Exception {
    String gate = "ro-" + System.nanoTime();
    try (RedisJobStore store = open(primary);
        JobQueue q = JobQueue.builder(store).registry(TaskRegistry.of(StoreContractTasks.class)).build();
        Worker w = Worker.builder(store).registry(TaskRegistry.of(StoreContractTasks.class)).concurrency(2)
            .pollInterval(Duration.ofMillis(50)).heartbeatInterval(Duration.ofMillis(200))
            .leaseDuration(Duration.ofMinutes(5)).name("ro").start()) {
      JobHandle<String> h = q.enqueue(StoreContractTasks.BLOCK, gate);
      assertThat(StoreContractTasks.awaitArrived(gate, 30, TimeUnit.SECONDS)).isTrue();
      // fail over to the replica, and make the old primary a read-only replica of it
      await().atMost(Duration.ofSeconds(30)).until(() -> replica.command("EXISTS", "{spindle}:s:" + h.id())
          .equals(1L));
      replica.promote();
      primary.replicaOf(replica);
      assertThatThrownBy(() -> q.enqueue(StoreContractTasks.ECHO, "x")).isInstanceOf(StoreException.class)
          .hasMessageContaining("read-only replica");
      StoreContractTasks.release(gate);
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(w.stats().succeeded()).isZero());
      assertThat(store.find(h.id()).orElseThrow().state()).as("the outcome waits in the worker")
          .isEqualTo(JobState.RUNNING);
      primary.promote();
      assertThat(h.await(Duration.ofSeconds(30)).state()).isEqualTo(JobState.SUCCEEDED);
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(w.stats().succeeded()).isEqualTo(1));
    } finally {
      StoreContractTasks.release(gate);
    }
  }
}
