package dev.spindle.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobState;
import dev.spindle.queue.StoreException;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.Exchange;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.testkit.redis.RedisCluster;
import dev.spindle.testkit.redis.RedisServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The partitioned queue on a real three-master Redis Cluster with append-only files: a master
 * killed with SIGKILL mid-run and restarted loses nothing (its partition's jobs wait, the others
 * keep draining), and changing the partition count (growing; shrinking with drainUpTo).
 */
class PartitionedRedisJobStoreTest {
  private static final AtomicInteger NAMESPACES = new AtomicInteger();
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static RedisCluster cluster;

  /**
   * AOF with {@code appendfsync always}: under {@code everysec} a node killed while the disk is busy
   * loses up to two seconds of writes it acknowledged (Redis holds them back while a background
   * fsync runs), and this test asserts that nothing is lost (it failed so in full test runs).
   */
  @BeforeAll
  static void startCluster() {
    cluster = RedisCluster.start(3, true, "always");
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
  }

  private static String spread() {
    while (true) {
      String ns = "pt-" + NAMESPACES.incrementAndGet();
      Set<RedisServer> nodes = new HashSet<>();
      for (int p = 0; p < 3; p++) {
        nodes.add(cluster.nodeForSlot(RedisCluster.slot(PartitionedRedisJobStore.namespace(ns, p))));
      }
      if (nodes.size() == 3) {
        return ns;
      }
    }
  }

  private static PartitionedRedisJobStore open(String ns, String options) {
    return PartitionedRedisJobStore.open(RedisStoreConfig.fromUrl(cluster.seedUrl() + "?cluster=true&namespace=" + ns
        + "&watchdog=200ms&timeout=1s&retryBudget=1s" + options, Map.of()));
  }

  private static List<NewJob> jobs(int n, String tag) {
    List<NewJob> out = new ArrayList<>();
    Instant now = Instant.now();
    for (int i = 0; i < n; i++) {
      out.add(new NewJob("t", "\"" + tag + i + "\"", "default", 0, now, null, JobPolicy.defaults(), now));
    }
    return out;
  }

  private static WorkerRecord worker(String id) {
    Instant now = Instant.now();
    return new WorkerRecord(id, "w", "host", 1, List.of("default"), 8, "THREADS", "RUNNING", now, now,
        now.plus(Duration.ofMinutes(10)), 0, 0, 0, 0);
  }

  /** Claims and completes until stopped; records each completion it sent (by job id). */
  private static Thread consumer(PartitionedRedisJobStore store, String workerId, Map<String, Integer> done,
      AtomicBoolean stop, Map<String, String> errors) {
    return Thread.ofPlatform().name(workerId).start(() -> {
      List<Completion> outcomes = new ArrayList<>();
      while (!stop.get()) {
        try {
          Instant now = Instant.now();
          Exchange x = store.completeAndClaim(outcomes, new ClaimRequest(workerId, List.of("default"), 8, now), now);
          for (Completion c : outcomes) {
            done.merge(c.jobId(), 1, Integer::sum);
          }
          outcomes = new ArrayList<>();
          for (JobInfo j : x.claim().jobs()) {
            outcomes.add(Completion.succeeded(j.id(), j.fence(), workerId, "1"));
          }
          if (x.claim().jobs().isEmpty()) {
            Thread.onSpinWait();
          }
        } catch (StoreException e) {
          // every partition unreachable at once: keep the outcomes and try again
          errors.merge(e.reason() + ": " + e.getMessage(), "1", (a, b) -> String.valueOf(Integer.parseInt(a) + 1));
        }
      }
    });
  }

  private static String stacks(List<Thread> threads) {
    StringBuilder b = new StringBuilder();
    for (Thread t : threads) {
      b.append('\n').append(t.getName()).append(' ').append(t.getState());
      for (StackTraceElement e : t.getStackTrace()) {
        b.append("\n  at ").append(e);
      }
    }
    return b.toString();
  }

  @Test
  void aMasterKilledMidRunLosesNothingItsJobsWaitAndTheOthersKeepDraining() throws Exception {
    String ns = spread();
    try (PartitionedRedisJobStore store = open(ns, "&partitions=3")) {
      List<String> ids = new ArrayList<>();
      for (int b = 0; b < 12; b++) {
        store.enqueue(jobs(50, "b" + b)).forEach(r -> ids.add(r.jobId()));
      }
      int victim = 1;
      RedisServer node = cluster.nodeForSlot(RedisCluster.slot(PartitionedRedisJobStore.namespace(ns, victim)));
      Set<String> onVictim = new HashSet<>();
      for (String id : ids) {
        if (store.partitionOf(id) == victim) {
          onVictim.add(id);
        }
      }
      assertThat(onVictim).hasSize(200);
      Map<String, Integer> done = new ConcurrentHashMap<>();
      AtomicBoolean stop = new AtomicBoolean();
      store.heartbeat(worker("c1"));
      store.heartbeat(worker("c2"));
      Map<String, String> errors = new ConcurrentHashMap<>();
      List<Thread> consumers = List.of(consumer(store, "c1", done, stop, errors), consumer(store, "c2", done, stop, errors));
      try {
        await().atMost(WAIT).until(() -> done.size() >= 30);
        node.kill9();
        int doneOnVictimAtKill = (int) done.keySet().stream().filter(onVictim::contains).count();
        await().atMost(WAIT).untilAsserted(() -> assertThat(ids.stream().filter(id -> !onVictim.contains(id)))
            .as(() -> "the others drain; consumers' errors: " + errors + "; consumers: " + stacks(consumers))
            .allMatch(done::containsKey));
        assertThat(node.isRunning()).as("the others drained while the master was down").isFalse();
        assertThat(done.keySet().stream().filter(onVictim::contains).count())
            .as("no job of the dead partition ran meanwhile (beyond completions sent at the kill)")
            .isLessThanOrEqualTo(doneOnVictimAtKill + 16);
        node.restart();
        await().atMost(WAIT).untilAsserted(() -> assertThat(done.keySet())
            .as(() -> "all ran after the restart; consumers' errors: " + errors + "; consumers: " + stacks(consumers))
            .containsAll(ids));
      } finally {
        stop.set(true);
        for (Thread t : consumers) {
          t.join();
        }
      }
      await().atMost(WAIT).untilAsserted(() -> {
        store.heartbeat(worker("c1"));
        assertThat(store.pendingCompletions()).isZero();
      });
      // a restarted master serves again once the cluster has taken it back (CLUSTERDOWN until then)
      await().atMost(WAIT).ignoreException(dev.spindle.queue.StoreException.class).untilAsserted(() -> {
        for (String id : ids) {
          assertThat(store.find(id)).as(id).hasValueSatisfying(j -> assertThat(j.state()).isEqualTo(JobState.SUCCEEDED));
        }
      });
      assertThat(done.values()).as("each job completed once").allMatch(n -> n == 1);
    }
  }

  @Test
  void growingKeepsEveryJobAndShrinkingDrainsTheRemovedPartitions() {
    String ns = spread();
    List<String> ids = new ArrayList<>();
    try (PartitionedRedisJobStore two = open(ns, "&partitions=2")) {
      for (int i = 0; i < 4; i++) {
        ids.add(two.enqueue(jobs(1, "two")).get(0).jobId());
      }
      assertThat(ids).extracting(two::partitionOf).containsOnly(0, 1);
    }
    try (PartitionedRedisJobStore three = open(ns, "&partitions=3")) {
      for (int i = 0; i < 3; i++) {
        ids.add(three.enqueue(jobs(1, "three")).get(0).jobId());
      }
      assertThat(ids.subList(4, 7)).extracting(three::partitionOf).containsExactlyInAnyOrder(0, 1, 2);
      assertThat(ids).allSatisfy(id -> assertThat(three.find(id)).isPresent());
    }
    try (PartitionedRedisJobStore shrunk = open(ns, "&partitions=2&drainUpTo=3")) {
      assertThat(shrunk.describe()).contains("2 partitions, draining up to 3");
      List<EnqueueResult> more = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        more.addAll(shrunk.enqueue(jobs(1, "shrunk")));
      }
      assertThat(more).extracting(r -> shrunk.partitionOf(r.jobId())).containsOnly(0, 1);
      more.forEach(r -> ids.add(r.jobId()));
      shrunk.heartbeat(worker("w"));
      Set<String> claimed = new HashSet<>();
      Instant now = Instant.now();
      for (int i = 0; i < 5 && claimed.size() < ids.size(); i++) {
        shrunk.claim(new ClaimRequest("w", List.of("default"), 100, now)).jobs().forEach(j -> claimed.add(j.id()));
      }
      assertThat(claimed).as("the removed partition drained too").containsExactlyInAnyOrderElementsOf(ids);
    }
  }

  @Test
  void theUrlNamesThePartitionsAndIdsRouteToThem() {
    RedisStoreConfig c = RedisStoreConfig.fromUrl("redis://h:1?cluster=true&partitions=4&drainUpTo=6", Map.of());
    assertThat(c.partitions()).isEqualTo(4);
    assertThat(c.drainUpTo()).isEqualTo(6);
    assertThat(c.forPartition("x.p1").namespace()).isEqualTo("x.p1");
    assertThat(RedisStoreConfig.fromUrl("redis://h:1?partitions=2", Map.of()).drainUpTo()).isEqualTo(2);
    assertThatThrownBy(() -> RedisStoreConfig.fromUrl("redis://h:1?partitions=0", Map.of()))
        .hasMessageContaining("partitions must be 1..1000");
    assertThatThrownBy(() -> RedisStoreConfig.fromUrl("redis://h:1?partitions=two", Map.of()))
        .hasMessageContaining("must be a number");
    assertThat(PartitionedRedisJobStore.namespace("q", 0)).isEqualTo("q");
    assertThat(PartitionedRedisJobStore.namespace("q", 7)).isEqualTo("q.p7");
    try (PartitionedRedisJobStore store = open(spread(), "&partitions=3")) {
      assertThat(store.partitionOf("42002")).isEqualTo(2);
      assertThat(store.partitionOf("42007")).as("no partition 7").isEqualTo(-1);
      assertThat(store.partitionOf("7")).isEqualTo(-1);
      assertThat(store.find("42007")).isEmpty();
      assertThat(new RedisJobStoreProvider().open(cluster.seedUrl() + "?cluster=true&partitions=2&namespace=prov"))
          .isInstanceOf(PartitionedRedisJobStore.class).satisfies(s -> s.close());
    }
  }
}
