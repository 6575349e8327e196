package dev.spindle.testkit.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.queue.FlowLimit;
import dev.spindle.queue.JobError;
import dev.spindle.queue.JobHandle;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobState;
import dev.spindle.queue.Worker;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.Exchange;
import dev.spindle.queue.spi.FinishedBatch;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.RetentionLimits;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.store.redis.PartitionedRedisJobStore;
import dev.spindle.store.redis.RedisStoreConfig;
import dev.spindle.testkit.redis.RedisCluster;
import dev.spindle.testkit.redis.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The store contract on a partitioned queue: three partitions on a real three-master Redis Cluster,
 * each partition on a different master. It lives in the contract's package so that the tests whose
 * store-wide guarantee becomes per partition (see {@link PartitionedRedisJobStore}) are replaced by
 * versions asserting the per-partition guarantee; every other test runs unchanged.
 */
class PartitionedRedisContractTest extends JobStoreContract {
  private static final AtomicInteger NAMESPACES = new AtomicInteger();
  private static RedisCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = RedisCluster.start(3);
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
  }

  /** A fresh namespace whose three partitions land on three different masters. */
  static String spreadNamespace(RedisCluster c, String prefix, AtomicInteger counter, int partitions) {
    while (true) {
      String ns = prefix + "-" + counter.incrementAndGet();
      Set<RedisServer> nodes = new HashSet<>();
      for (int p = 0; p < partitions; p++) {
        nodes.add(c.nodeForSlot(RedisCluster.slot(PartitionedRedisJobStore.namespace(ns, p))));
      }
      if (nodes.size() == Math.min(partitions, c.nodes().size())) {
        return ns;
      }
    }
  }

  @Override
  protected StoreBackend openStore() {
    String ns = spreadNamespace(cluster, "part", NAMESPACES, 3);
    return PartitionedRedisJobStore.open(RedisStoreConfig.fromUrl(cluster.seedUrl() + "?cluster=true&namespace=" + ns
        + "&partitions=3&watchdog=200ms", Map.of()), clock);
  }

  private PartitionedRedisJobStore partitioned() {
    return (PartitionedRedisJobStore) store;
  }

  private String enqueueOn(String orderingKey, NewJob job) {
    return partitioned().enqueueByKey(orderingKey, List.of(job)).get(0).jobId();
  }

  /** Claim order and queue limits hold per partition: the task-routing tests' jobs share one. */
  @Override
  protected String enqueueOrdered(NewJob job) {
    return enqueueOn("route", job);
  }

  private static final Duration LONG = Duration.ofSeconds(30);

  private static void gateReached(String gate) throws InterruptedException {
    assertThat(StoreContractTasks.awaitArrived(gate, LONG.toSeconds(), java.util.concurrent.TimeUnit.SECONDS))
        .as("task blocked on %s started", gate).isTrue();
  }

  /**
   * Per partition: the feed delivers every finished job once, in finish order within each
   * partition, with increasing finish sequence numbers (across partitions the order is the
   * sequence's, not the wall clock's).
   */
  @Override
  @Test
  void finishedFeedIsOrderedAndPaged() {
    register("w1", Duration.ofMinutes(1));
    long cursor = store.finishCursor();
    for (int i = 0; i < 6; i++) {
      enqueue(job("store.echo", json("j" + i)));
    }
    List<JobInfo> claimed = claim("w1", 6);
    assertThat(claimed).hasSize(6);
    List<JobInfo> reversed = new ArrayList<>(claimed);
    Collections.reverse(reversed);
    Map<Integer, List<String>> order = new TreeMap<>();
    for (JobInfo c : reversed) {
      store.complete(List.of(Completion.succeeded(c.id(), c.fence(), "w1", "1")), clock.instant());
      order.computeIfAbsent(partitioned().partitionOf(c.id()), k -> new ArrayList<>()).add(c.id());
    }
    assertThat(order).as("the jobs spread over the partitions").hasSize(3);
    List<JobInfo> seen = new ArrayList<>();
    long c = cursor;
    for (int page = 0; page < 4; page++) {
      FinishedBatch b = store.finishedAfter(c, 2);
      seen.addAll(b.jobs());
      c = b.cursor();
    }
    assertThat(seen).extracting(JobInfo::finishSeq).isSorted().doesNotHaveDuplicates();
    Map<Integer, List<String>> seenOrder = new TreeMap<>();
    for (JobInfo j : seen) {
      seenOrder.computeIfAbsent(partitioned().partitionOf(j.id()), k -> new ArrayList<>()).add(j.id());
    }
    assertThat(seenOrder).isEqualTo(order);
    assertThat(store.finishCursor()).isEqualTo(c);
    JobInfo late = claimed.get(0);
    enqueue(job("store.echo", json("late")));
    JobInfo more = claim("w1", 1).get(0);
    store.complete(List.of(Completion.succeeded(more.id(), more.fence(), "w1", "1")), clock.instant());
    assertThat(store.finishedAfter(c, 10).jobs()).as("a later finish on any partition comes after the cursor of %s",
        late.id()).extracting(JobInfo::id).containsExactly(more.id());
  }

  /** Limits hold per partition: jobs of one ordering key share a partition, so its limit applies. */
  @Override
  @Test
  void queueLimitIsEnforcedAcrossWorkers() {
    store.setQueueLimit("limited", 2);
    assertThat(inspector.queueLimits()).containsEntry("limited", 2);
    for (int i = 0; i < 5; i++) {
      enqueueOn("k", job("store.echo", json("j" + i), JobOptions.builder().queue("limited").build()));
    }
    String free = enqueueOn("k", job("store.echo", json("free"), JobOptions.builder().queue("free").build()));
    register("w1", Duration.ofMinutes(5));
    register("w2", Duration.ofMinutes(5));
    List<JobInfo> c1 = claim("w1", 1, "limited");
    List<JobInfo> c2 = claim("w2", 5, "limited", "free");
    assertThat(c1).hasSize(1);
    assertThat(c2).hasSize(2);
    assertThat(c2.get(1).id()).isEqualTo(free);
    assertThat(claim("w1", 5, "limited")).isEmpty();
    store.complete(List.of(Completion.succeeded(c1.get(0).id(), c1.get(0).fence(), "w1", "1")), clock.instant());
    assertThat(claim("w1", 5, "limited")).hasSize(1);
    for (int i = 0; i < 3; i++) {
      enqueue(job("store.echo", json("other" + i), JobOptions.builder().queue("limited").build()));
    }
    assertThat(claim("w2", 9, "limited")).as("the other partitions' own limit of 2").hasSize(2);
    store.setQueueLimit("limited", 0);
    assertThat(inspector.queueLimits()).doesNotContainKey("limited");
    assertThat(claim("w2", 9, "limited")).hasSize(3);
  }

  /** The per-partition limit holds across workers (three partitions: three jobs of the narrow queue run). */
  @Override
  @Test
  void queueConcurrencyLimitHoldsAcrossWorkers() throws Exception {
    JobQueue q = queue();
    store.setQueueLimit("narrow", 1);
    JobOptions narrow = JobOptions.builder().queue("narrow").build();
    List<String> gs = List.of(gate("n1"), gate("n2"), gate("n3"));
    List<JobHandle<String>> hs = new ArrayList<>();
    for (String g : gs) {
      hs.add(q.enqueue(StoreContractTasks.BLOCK, g, narrow));
    }
    assertThat(hs).extracting(h -> partitioned().partitionOf(h.id())).containsExactlyInAnyOrder(0, 1, 2);
    JobHandle<Integer> probe = q.enqueue(StoreContractTasks.COUNT, key, narrow);
    int probeOn = partitioned().partitionOf(probe.id());
    startWorker(b -> b.queues("narrow").concurrency(3).name("a-" + key));
    startWorker(b -> b.queues("narrow").concurrency(3).name("b-" + key));
    for (String g : gs) {
      gateReached(g);
    }
    assertThat(probe.state()).as("its partition's slot is taken").isEqualTo(JobState.QUEUED);
    int blocker = 0;
    for (int i = 0; i < 3; i++) {
      if (partitioned().partitionOf(hs.get(i).id()) != probeOn) {
        StoreContractTasks.release(gs.get(i));
        assertThat(hs.get(i).result(LONG)).isEqualTo(gs.get(i));
      } else {
        blocker = i;
      }
    }
    assertThat(probe.state()).isEqualTo(JobState.QUEUED);
    StoreContractTasks.release(gs.get(blocker));
    assertThat(probe.result(LONG)).isEqualTo(1);
  }

  /** As the contract's, with both jobs on one partition (where the limit holds). */
  @Override
  @Test
  void completeAndClaimAppliesCompletionsBeforeClaiming() {
    store.setQueueLimit("default", 1);
    String a = enqueueOn("k", job("store.echo", json("a")));
    String b = enqueueOn("k", job("store.echo", json("b")));
    register("w1", Duration.ofMinutes(5));
    JobInfo ca = claim("w1", 5).get(0);
    assertThat(ca.id()).isEqualTo(a);
    Exchange ex = store.completeAndClaim(List.of(Completion.succeeded(a, ca.fence(), "w1", "1")),
        new ClaimRequest("w1", List.of("default"), 5, clock.instant()), clock.instant());
    assertThat(ex.applied()).containsExactly(true);
    assertThat(ex.claim().jobs()).extracting(JobInfo::id).as("the freed slot is usable at once").containsExactly(b);
    Exchange onlyComplete = store.completeAndClaim(
        List.of(Completion.succeeded(b, ex.claim().jobs().get(0).fence(), "w1", "2")), null, clock.instant());
    assertThat(onlyComplete.applied()).containsExactly(true);
    assertThat(onlyComplete.claim().jobs()).isEmpty();
  }

  /** Retention caps count per partition: as the contract's, with the jobs on one partition. */
  @Override
  @Test
  void retentionDeletesExpiredJobsThenTheOldestBeyondTheLimits() {
    JobOptions shortTtl = JobOptions.builder().retention(Duration.ofMinutes(1), Duration.ofMinutes(2)).build();
    register("w1", Duration.ofHours(5));
    List<String> ok = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      ok.add(enqueueOn("k", job("store.echo", json("s" + i), shortTtl)));
    }
    String bad = enqueueOn("k", job("store.echo", json("f"), shortTtl));
    for (JobInfo c : claim("w1", 5)) {
      Completion k = c.id().equals(bad) ? Completion.failed(c.id(), c.fence(), "w1",
          JobError.of("x.Y", "z").toJson()) : Completion.succeeded(c.id(), c.fence(), "w1", "1");
      store.complete(List.of(k), clock.instant());
      clock.advance(Duration.ofSeconds(1));
    }
    RetentionLimits roomy = new RetentionLimits(100, 100, 1000);
    assertThat(store.purgeExpired(clock.instant(), roomy)).isZero();
    assertThat(store.purgeExpired(clock.instant(), new RetentionLimits(2, 100, 1000))).isEqualTo(2);
    assertThat(store.find(ok.get(0))).isEmpty();
    assertThat(store.find(ok.get(1))).isEmpty();
    assertThat(store.find(ok.get(2))).isPresent();
    clock.advance(Duration.ofSeconds(60));
    assertThat(store.purgeExpired(clock.instant(), roomy)).isEqualTo(2);
    assertThat(store.find(bad)).isPresent();
    clock.advance(Duration.ofMinutes(1));
    assertThat(store.purgeExpired(clock.instant(), new RetentionLimits(100, 100, 1))).isEqualTo(1);
    assertThat(store.find(bad)).isEmpty();
  }

  /**
   * No prefetch while the only slot is busy (FIFO holds per partition, so the blocking job is
   * enqueued before the others exist).
   */
  @Override
  @Test
  void workerClaimsOnlyWhenASlotIsFree() throws Exception {
    JobQueue q = queue();
    String g = gate("busy");
    JobHandle<String> blocked = q.enqueue(StoreContractTasks.BLOCK, g);
    Worker one = startWorker(b -> b.concurrency(1).name("one-" + key));
    gateReached(g);
    List<JobHandle<Integer>> rest = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      rest.add(q.enqueue(StoreContractTasks.COUNT, key + i));
    }
    assertThat(one.stats().claimed()).isEqualTo(1);
    assertThat(rest).allSatisfy(h -> assertThat(h.state()).isEqualTo(JobState.QUEUED));
    startWorker(b -> b.concurrency(1).name("two-" + key));
    for (JobHandle<Integer> h : rest) {
      assertThat(h.result(LONG)).isEqualTo(1);
    }
    assertThat(blocked.state()).isEqualTo(JobState.RUNNING);
    assertThat(one.stats().claimed()).isEqualTo(1);
    StoreContractTasks.release(g);
    assertThat(blocked.result(LONG)).isEqualTo(g);
  }

  /**
   * The partitioned store enforces no flow limits ({@code flow()} is empty): a job naming one is
   * refused with a clear error and nothing is enqueued.
   */
  @Test
  void aFlowLimitIsRefusedClearlyAndNothingIsEnqueued() {
    assertThat(store.flow()).isEmpty();
    JobQueue q = queue();
    JobOptions limited = JobOptions.builder().flow(FlowLimit.builder("one").concurrency(1).build()).build();
    assertThatThrownBy(() -> q.enqueue(StoreContractTasks.COUNT, key, limited))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("enforces no flow limits");
    assertThat(inspector.listJobs(JobFilter.all())).isEmpty();
  }
}
