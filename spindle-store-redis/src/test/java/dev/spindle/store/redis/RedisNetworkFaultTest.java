package dev.spindle.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.spindle.TaskRegistry;
import dev.spindle.queue.JobHandle;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobState;
import dev.spindle.queue.StoreException;
import dev.spindle.queue.Worker;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.Subscription;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.testkit.redis.FaultProxy;
import dev.spindle.testkit.redis.RedisServer;
import dev.spindle.testkit.store.StoreContractTasks;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Network faults between the store and Redis, injected by a proxy: dropped connections, replies that
 * never arrive, and connections that stall while looking open. Nothing is done twice, nothing stays
 * held by a worker that does not know it, and consumers keep consuming.
 */
class RedisNetworkFaultTest {
  private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
  private static final AtomicInteger NS = new AtomicInteger();
  private static RedisServer redis;
  private FaultProxy proxy;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @BeforeAll
  static void startRedis() {
    redis = RedisServer.builder().appendOnly(false).start();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @BeforeEach
  void startProxy() {
    proxy = FaultProxy.in(redis);
    namespace = "net-" + NS.incrementAndGet();
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
    proxy.close();
  }

  private String namespace;

  private RedisJobStore open(String options) {
    RedisJobStore s = RedisJobStore.open(RedisStoreConfig.fromUrl(proxy.url() + "?namespace=" + namespace
        + (options.isEmpty() ? "" : "&" + options), Map.of()));
    closeables.add(s);
    return s;
  }

  private static NewJob job(String args) {
    return new NewJob("net.task", args, "default", 0, T0, null, JobPolicy.defaults(), T0);
  }

  private static WorkerRecord worker(String id) {
    return new WorkerRecord(id, id, "h", 1, List.of("default"), 8, "THREADS", "RUNNING", T0, T0, T0.plusSeconds(600),
        0, 0, 0, 0);
  }

  @Test
  void anEnqueueWhoseReplyIsLostIsRetriedWithoutAddingTheJobTwice() {
    RedisJobStore store = open("");
    proxy.dropNextReply();
    String id = store.enqueue(List.of(job("1"))).get(0).jobId();
    assertThat(store.inspector().listJobs(JobFilter.all())).extracting(JobInfo::id).containsExactly(id);
    assertThat(proxy.accepted()).as("the connection was made again").isGreaterThan(1);
  }

  @Test
  void aClaimWhoseReplyIsLostReturnsTheSameJobsOnRetry() {
    RedisJobStore store = open("");
    store.enqueue(List.of(job("1"), job("2"), job("3")));
    store.heartbeat(worker("w1"));
    proxy.dropNextReply();
    List<JobInfo> claimed = store.claim(new ClaimRequest("w1", List.of("default"), 5, T0)).jobs();
    assertThat(claimed).hasSize(3).allSatisfy(j -> assertThat(j.attempt()).isEqualTo(1));
    assertThat(store.heartbeat(worker("w1")).held()).containsExactlyInAnyOrderElementsOf(
        claimed.stream().map(JobInfo::id).toList());
  }

  @Test
  void jobsOfAClaimWhoseReplyNeverArrivedGoBackWithTheWorkersNextClaim() {
    RedisJobStore store = open("retryBudget=0s&timeout=1s");
    List<String> ids = store.enqueue(List.of(job("1"), job("2"))).stream().map(e -> e.jobId()).toList();
    store.heartbeat(worker("w1"));
    proxy.refuseNewConnections(true);
    proxy.dropNextReply();
    assertThatThrownBy(() -> store.claim(new ClaimRequest("w1", List.of("default"), 5, T0)))
        .isInstanceOf(StoreException.class);
    proxy.refuseNewConnections(false);
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> store.finishCursor() >= 0);
    assertThat(store.find(ids.get(0)).orElseThrow().state()).as("claimed by the lost call")
        .isEqualTo(JobState.RUNNING);
    List<JobInfo> again = store.claim(new ClaimRequest("w1", List.of("default"), 5, T0)).jobs();
    assertThat(again).extracting(JobInfo::id).as("handed back and claimed again").containsExactlyElementsOf(ids);
    assertThat(again).allSatisfy(j -> {
      assertThat(j.attempt()).as("the lost claim does not count").isEqualTo(1);
      assertThat(j.workerLost()).isZero();
    });
    assertThat(store.heartbeat(worker("w1")).held()).containsExactlyInAnyOrderElementsOf(ids);
  }

  @Test
  void aCompletionSentAgainAfterALostReplyIsReportedApplied() {
    RedisJobStore store = open("retryBudget=0s&timeout=1s");
    store.enqueue(List.of(job("1")));
    store.heartbeat(worker("w1"));
    JobInfo c = store.claim(new ClaimRequest("w1", List.of("default"), 1, T0)).jobs().get(0);
    Completion done = Completion.succeeded(c.id(), c.fence(), "w1", "42");
    proxy.refuseNewConnections(true);
    proxy.dropNextReply();
    assertThatThrownBy(() -> store.complete(List.of(done), T0)).isInstanceOf(StoreException.class);
    proxy.refuseNewConnections(false);
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> store.finishCursor() >= 0);
    assertThat(store.complete(List.of(done), T0)).as("it was applied the first time").containsExactly(true);
    assertThat(store.find(c.id()).orElseThrow().resultJson()).isEqualTo("42");
  }

  @Test
  void workersKeepConsumingThroughRepeatedConnectionDrops() throws Exception {
    RedisJobStore store = open("");
    JobQueue q = JobQueue.builder(store).registry(TaskRegistry.of(StoreContractTasks.class)).build();
    closeables.add(q);
    for (int i = 0; i < 2; i++) {
      closeables.add(Worker.builder(open("")).registry(TaskRegistry.of(StoreContractTasks.class)).concurrency(4)
          .name("blip-" + i).heartbeatInterval(Duration.ofMillis(100)).pollInterval(Duration.ofMillis(500)).start());
    }
    List<JobHandle<Long>> hs = new ArrayList<>();
    for (int round = 0; round < 5; round++) {
      hs.addAll(q.enqueueAll(StoreContractTasks.SQUARE, LongStream.range(0, 200).boxed().toList(), JobOptions.defaults()));
      proxy.dropConnections();
    }
    for (int i = 0; i < hs.size(); i++) {
      assertThat(hs.get(i).result(Duration.ofSeconds(60))).isEqualTo((long) (i % 200) * (i % 200));
    }
    List<JobInfo> jobs = store.inspector().listJobs(JobFilter.all().withLimit(10_000));
    assertThat(jobs).hasSize(1000).allSatisfy(j -> {
      assertThat(j.state()).isEqualTo(JobState.SUCCEEDED);
      assertThat(j.attempt()).isEqualTo(1);
    });
  }

  @Test
  void aStalledConnectionIsReplacedAndNotificationsResume() {
    RedisJobStore store = open("timeout=500ms&watchdog=100ms&retryBudget=10s");
    AtomicInteger calls = new AtomicInteger();
    Subscription sub = store.subscribe(calls::incrementAndGet);
    closeables.add(sub);
    sub.waiting(); // changes are published only while somebody waits
    store.enqueue(List.of(job("before")));
    await().atMost(Duration.ofSeconds(30)).until(() -> calls.get() > 0);
    proxy.freeze(); // every open connection stalls, looking open
    int before = calls.get();
    sub.waiting();
    String id = store.enqueue(List.of(job("after"))).get(0).jobId();
    assertThat(store.find(id)).as("the call went through a new connection").isPresent();
    await().atMost(Duration.ofSeconds(30)).until(() -> calls.get() > before);
    await().atMost(Duration.ofSeconds(30)).until(() -> store.resubscriptions() > 0);
    int again = calls.get();
    sub.waiting();
    store.enqueue(List.of(job("later")));
    await().atMost(Duration.ofSeconds(30)).until(() -> calls.get() > again);
  }
}
