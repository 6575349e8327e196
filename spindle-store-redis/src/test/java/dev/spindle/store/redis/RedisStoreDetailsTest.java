package dev.spindle.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.TaskRegistry;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobState;
import dev.spindle.queue.Worker;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.testkit.redis.RedisServer;
import dev.spindle.testkit.store.ManualClock;
import dev.spindle.testkit.store.StoreContractTasks;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the contract does not pin down but the Redis encoding must get right: batches mixing
 * options come back in order, any character survives in keys, worker ids and reasons, instants keep
 * their nanoseconds, and idle workers are woken by pub/sub rather than by polling.
 */
class RedisStoreDetailsTest {
  private static final Instant T0 = Instant.parse("2030-01-01T00:00:00.123456789Z");
  private static final AtomicInteger NS = new AtomicInteger();
  private static RedisServer redis;
  private RedisJobStore store;

  @BeforeAll
  static void startRedis() {
    redis = RedisServer.builder().appendOnly(false).start();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @BeforeEach
  void open() {
    store = RedisJobStore.open(RedisStoreConfig.fromUrl(redis.url() + "?namespace=details-" + NS.incrementAndGet(),
        Map.of()));
  }

  @AfterEach
  void close() {
    store.close();
  }

  private static NewJob job(String args, String queue, int priority, Instant runAt, String unique, JobPolicy policy) {
    return new NewJob("details.task", args, queue, priority, runAt, unique, policy, T0);
  }

  private static WorkerRecord worker(String id) {
    return new WorkerRecord(id, "w", "h", 1, List.of("a", "b"), 4, "THREADS", "RUNNING", T0, T0, T0.plusSeconds(600), 0,
        0, 0, 0);
  }

  @Test
  void aBatchMixingOptionsComesBackInInputOrder() {
    JobPolicy other = JobPolicy.defaults().withMaxWorkerLost(7);
    List<NewJob> batch = List.of(job("1", "a", 0, T0, null, JobPolicy.defaults()),
        job("2", "b", 5, T0, null, JobPolicy.defaults()),
        job("3", "a", 0, T0.plusSeconds(60), null, JobPolicy.defaults()),
        job("4", "a", 0, T0, "k|1", other),
        job("5", "b", 5, T0, null, JobPolicy.defaults()),
        job("6", "a", 0, T0, "k|1", JobPolicy.defaults()));
    List<EnqueueResult> r = store.enqueue(batch);
    assertThat(r).extracting(EnqueueResult::created).containsExactly(true, true, true, true, true, false);
    assertThat(r.get(5).jobId()).isEqualTo(r.get(3).jobId());
    for (int i = 0; i < 5; i++) {
      JobInfo j = store.find(r.get(i).jobId()).orElseThrow();
      assertThat(j.argsJson()).isEqualTo(batch.get(i).argsJson());
      assertThat(j.queue()).isEqualTo(batch.get(i).queue());
      assertThat(j.priority()).isEqualTo(batch.get(i).priority());
      assertThat(j.policy()).isEqualTo(batch.get(i).policy());
      assertThat(j.state()).isEqualTo(r.get(i).state()).isEqualTo(i == 2 ? JobState.SCHEDULED : JobState.QUEUED);
    }
    List<Long> ids = r.subList(0, 5).stream().map(e -> Long.parseLong(e.jobId())).toList();
    assertThat(ids).doesNotHaveDuplicates();
    assertThat(ids.get(0)).as("ids increase with enqueue order within a group").isLessThan(ids.get(1));
  }

  @Test
  void anyCharacterSurvivesInUniqueKeysWorkerIdsReasonsAndPayloads() {
    String key = "üñí|%0A\n|%|\t\"{}";
    String worker = "w|ö%7C\n#x";
    String args = "{\"s\":\"line1\\nline2 | 100% ✓\"}";
    String id = store.enqueue(List.of(job(args, "a", 0, T0, key, JobPolicy.defaults()))).get(0).jobId();
    assertThat(store.enqueue(List.of(job("{}", "a", 0, T0, key, JobPolicy.defaults()))).get(0).jobId()).isEqualTo(id);
    store.heartbeat(worker(worker));
    JobInfo c = store.claim(new ClaimRequest(worker, List.of("a"), 1, T0)).jobs().get(0);
    assertThat(c.workerId()).isEqualTo(worker);
    assertThat(c.uniqueKey()).isEqualTo(key);
    assertThat(c.argsJson()).isEqualTo(args);
    assertThat(store.heartbeat(worker(worker)).held()).containsExactly(id);
    String reason = "custom|reason%\nwith ✓";
    assertThat(store.complete(List.of(Completion.dead(id, c.fence(), worker, reason, null)), T0)).containsExactly(true);
    JobInfo d = store.find(id).orElseThrow();
    assertThat(d.deadReason()).isEqualTo(reason);
    assertThat(d.workerId()).isEqualTo(worker);
    assertThat(d.uniqueKey()).isEqualTo(key);
    assertThat(store.inspector().requeue(id, T0).deadReason()).isNull();
  }

  @Test
  void instantsKeepTheirNanosecondsAndAResultMayHoldAnyCharacter() {
    // start and end times are the store's clock: a manual one (in place of Redis TIME) with nanoseconds
    ManualClock clock = new ManualClock(T0);
    store.close();
    store = RedisJobStore.open(RedisStoreConfig.fromUrl(redis.url() + "?namespace=details-" + NS.incrementAndGet(),
        Map.of()), clock);
    Instant runAt = T0.minusNanos(1);
    String id = store.enqueue(List.of(job("1", "a", 0, runAt, null, JobPolicy.defaults()))).get(0).jobId();
    store.heartbeat(worker("w"));
    Instant start = T0.plusNanos(7);
    clock.set(start);
    JobInfo c = store.claim(new ClaimRequest("w", List.of("a"), 1, start)).jobs().get(0);
    assertThat(c.runAt()).isEqualTo(runAt);
    assertThat(c.startedAt()).isEqualTo(start);
    String result = "\"a|b\\n|c%\"";
    Instant end = T0.plusSeconds(1).plusNanos(999_999_999);
    clock.set(end);
    store.complete(List.of(Completion.succeeded(id, c.fence(), "w", result)), end);
    JobInfo j = store.find(id).orElseThrow();
    assertThat(j.resultJson()).isEqualTo(result);
    assertThat(j.finishedAt()).isEqualTo(end);
    assertThat(j.expiresAt()).isEqualTo(end.plus(JobPolicy.defaults().resultTtl()));
    assertThat(j.createdAt()).isEqualTo(T0);
  }

  @Test
  void idleWorkersAreWokenByNotificationsNotByPolling() throws Exception {
    TaskRegistry reg = TaskRegistry.of(StoreContractTasks.class);
    try (JobQueue q = JobQueue.builder(store).registry(reg).build();
        Worker w = Worker.builder(store).registry(reg).concurrency(2).name("idle")
            .pollInterval(Duration.ofHours(1)).start()) {
      // with an hour between polls, only the change notification can start these promptly
      for (int i = 0; i < 3; i++) {
        assertThat(q.enqueue(StoreContractTasks.SQUARE, (long) i).result(Duration.ofSeconds(20))).isEqualTo((long) i * i);
      }
      // the result is stored before the worker counts it: wait for the count, not for a poll
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(w.stats().succeeded()).isEqualTo(3));
    }
  }

  private static long publishes() {
    String stat = redis.info("commandstats", "cmdstat_publish");
    if (stat == null) {
      return 0;
    }
    return Long.parseLong(stat.substring("calls=".length(), stat.indexOf(',')));
  }

  @Test
  void changesArePublishedOnlyWhileSomebodyWaits() {
    store.close(); // a watchdog that never sends its canary: every PUBLISH counted below is a change's
    store = RedisJobStore.open(RedisStoreConfig.fromUrl(redis.url() + "?namespace=details-" + NS.incrementAndGet()
        + "&watchdog=1h", Map.of()));
    Instant now = Instant.now();
    long before = publishes();
    // nobody waits: a busy fleet's enqueues and completions publish nothing
    for (int i = 0; i < 5; i++) {
      store.enqueue(List.of(job(Integer.toString(i), "a", 0, T0, null, JobPolicy.defaults())));
    }
    store.heartbeat(worker("w"));
    List<JobInfo> got = store.claim(new ClaimRequest("w", List.of("a"), 5, now)).jobs();
    assertThat(got).hasSize(5); // a full claim: its worker does not wait
    store.complete(List.of(Completion.succeeded(got.get(0).id(), got.get(0).fence(), "w", "1")), now);
    assertThat(publishes()).isEqualTo(before);

    // a claim that found fewer jobs than it asked for: its worker waits, so the next change is told
    assertThat(store.claim(new ClaimRequest("w", List.of("a"), 1, now)).jobs()).isEmpty();
    store.enqueue(List.of(job("x", "a", 0, T0, null, JobPolicy.defaults())));
    assertThat(publishes()).isEqualTo(before + 1);
    // and only that one: the message woke every waiter, who look again (and wait again) themselves
    store.enqueue(List.of(job("y", "a", 0, T0, null, JobPolicy.defaults())));
    assertThat(publishes()).isEqualTo(before + 1);

    // a subscriber about to wait announces it: the next finished job is told, once
    AtomicInteger calls = new AtomicInteger();
    try (var sub = store.subscribe(calls::incrementAndGet)) {
      long subscribed = publishes();
      sub.waiting();
      sub.waiting(); // no message since the first: nothing to announce again
      store.complete(List.of(Completion.succeeded(got.get(1).id(), got.get(1).fence(), "w", "1")), now);
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(calls.get()).isPositive());
      store.complete(List.of(Completion.succeeded(got.get(2).id(), got.get(2).fence(), "w", "1")), now);
      assertThat(publishes() - subscribed).isEqualTo(1L);
      assertThat(redis.command("EXISTS", store.config().keyPrefix() + "wait")).isEqualTo(0L);
    }
  }

  @Test
  void aLostMessageDoesNotSilenceTheWaitsAfterIt() {
    store.close();
    store = RedisJobStore.open(RedisStoreConfig.fromUrl(redis.url() + "?namespace=details-" + NS.incrementAndGet()
        + "&watchdog=300ms", Map.of()));
    String waitKey = store.config().keyPrefix() + "wait";
    AtomicInteger calls = new AtomicInteger();
    try (var sub = store.subscribe(calls::incrementAndGet)) {
      sub.waiting();
      assertThat(redis.command("EXISTS", waitKey)).isEqualTo(1L);
      // a change took the key and published to nobody (a reconnecting subscription, cluster nodes
      // that had not met yet): no message will come for this wait
      redis.command("DEL", waitKey);
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
        sub.waiting();
        return Long.valueOf(1L).equals(redis.command("EXISTS", waitKey));
      });
      store.enqueue(List.of(job("after", "a", 0, T0, null, JobPolicy.defaults())));
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(calls.get()).isPositive());
    }
  }

  @Test
  void theDatabaseIndexAndTheNamespaceSeparateStores() {
    String ns = "db-" + NS.incrementAndGet();
    try (RedisJobStore db0 = RedisJobStore.open(RedisStoreConfig.fromUrl(redis.url() + "/0?namespace=" + ns, Map.of()));
        RedisJobStore db3 = RedisJobStore.open(RedisStoreConfig.fromUrl(redis.url() + "/3?namespace=" + ns, Map.of()));
        RedisJobStore other = RedisJobStore.open(RedisStoreConfig.fromUrl(redis.url() + "/3?namespace=" + ns + "x",
            Map.of()))) {
      String id = db3.enqueue(List.of(job("1", "a", 0, T0, null, JobPolicy.defaults()))).get(0).jobId();
      assertThat(db3.find(id)).isPresent();
      assertThat(db0.find(id)).isEmpty();
      assertThat(other.find(id)).isEmpty();
      assertThat(db3.describe()).isEqualTo("redis://127.0.0.1:" + redis.port() + "/3 (namespace " + ns + ")");
      assertThat(redis.command("SELECT", "3")).isEqualTo("OK");
    }
  }

  @Test
  void jobStoresOpensRedisLocations() {
    try (var s = dev.spindle.queue.JobStores.open(redis.url() + "/0?namespace=stores")) {
      assertThat(s).isInstanceOf(RedisJobStore.class);
      assertThat(s.describe()).startsWith("redis://127.0.0.1:");
    }
  }

  @Test
  void bigBatchesAreAtomicAndKeepTheirOrder() {
    List<NewJob> batch = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      batch.add(job(Integer.toString(i), i % 3 == 0 ? "a" : "b", i % 2, T0, null, JobPolicy.defaults()));
    }
    List<EnqueueResult> r = store.enqueue(batch);
    assertThat(r).hasSize(5000);
    for (int i : new int[] {0, 1, 2, 2500, 4999}) {
      assertThat(store.find(r.get(i).jobId()).orElseThrow().argsJson()).isEqualTo(Integer.toString(i));
    }
    store.heartbeat(worker("w"));
    List<JobInfo> claimed = store.claim(new ClaimRequest("w", List.of("a", "b"), 10_000, T0)).jobs();
    assertThat(claimed).hasSize(5000);
    assertThat(claimed.get(0).queue()).isEqualTo("a");
    assertThat(claimed.get(0).priority()).isEqualTo(1);
  }
}
