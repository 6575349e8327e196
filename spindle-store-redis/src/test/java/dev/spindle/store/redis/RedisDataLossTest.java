package dev.spindle.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.store.redis.internal.NamespaceEpoch;
import dev.spindle.store.redis.internal.RedisLink;
import dev.spindle.testkit.redis.RedisServer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A redis-server without persistence that restarts comes back
 * empty. Before, job ids silently started at 1 again and nothing said the jobs were gone. Now a
 * store instance that lived through it notices (at its next enqueue or heartbeat), keeps ids above
 * every id it knew, and records the loss, which {@link RedisJobStore#health()} (so
 * {@code spindle status}) shows to everyone.
 */
class RedisDataLossTest {
  private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
  private RedisServer redis;
  private final List<RedisJobStore> stores = new ArrayList<>();

  @BeforeEach
  void start() {
    redis = RedisServer.builder().appendOnly(false).start(); // no AOF, no RDB: a restart loses everything
  }

  @AfterEach
  void stop() {
    stores.forEach(RedisJobStore::close);
    redis.close();
  }

  private RedisJobStore open() {
    RedisJobStore s = RedisJobStore.open(RedisStoreConfig.fromUrl(redis.url() + "?retryBudget=30s", Map.of()));
    stores.add(s);
    return s;
  }

  private static List<NewJob> jobs(int n) {
    List<NewJob> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new NewJob("loss.task", Integer.toString(i), "default", 0, T0, null, JobPolicy.defaults(), T0));
    }
    return out;
  }

  private static long lastId(List<EnqueueResult> r) {
    return Long.parseLong(r.get(r.size() - 1).jobId());
  }

  @Test
  void aProducerThatLivedThroughAnEmptyRestartNeverReusesIdsAndTheLossIsReported() {
    RedisJobStore producer = open();
    assertThat(lastId(producer.enqueue(jobs(5)))).isEqualTo(5);
    assertThat(producer.health()).noneSatisfy(l -> assertThat(l).contains("DATA LOST"));

    redis.kill9();
    redis.restart();

    List<EnqueueResult> after = producer.enqueue(jobs(2));
    assertThat(Long.parseLong(after.get(0).jobId())).as("ids continue, never restart at 1").isEqualTo(6);
    assertThat(producer.find("6")).isPresent();

    List<String> status = open().health(); // a process started after the loss sees the record
    assertThat(status).anySatisfy(l -> assertThat(l).contains("DATA LOST").contains("found no marker")
        .contains("during enqueue").contains("ids continue above 5"));
  }

  @Test
  void anEnqueueThatDoesNotWaitAfterAnEmptyRestartAlsoReportsTheLossAndKeepsIdsAbove() throws Exception {
    RedisJobStore producer = open();
    assertThat(lastId(producer.enqueue(jobs(5)))).isEqualTo(5);

    redis.kill9();
    redis.restart();

    List<EnqueueResult> after = producer.enqueueAsync(jobs(2)).get();
    assertThat(Long.parseLong(after.get(0).jobId())).as("ids continue, never restart at 1").isEqualTo(6);
    assertThat(producer.find("7")).isPresent();
    assertThat(producer.health()).anySatisfy(l -> assertThat(l).contains("DATA LOST").contains("during enqueue"));
  }

  @Test
  void aWorkerNoticesAtItsNextHeartbeatEvenIfANewProcessWroteFirst() {
    RedisJobStore worker = open();
    assertThat(lastId(worker.enqueue(jobs(3)))).isEqualTo(3);
    worker.heartbeat(record());

    redis.kill9();
    redis.restart();
    RedisJobStore fresh = open(); // knows nothing of before: its first id is 1 again
    assertThat(lastId(fresh.enqueue(jobs(1)))).isEqualTo(1);

    worker.heartbeat(record());
    assertThat(fresh.health()).anySatisfy(l -> assertThat(l).contains("DATA LOST").contains("heartbeat of worker w1")
        .contains("ids continue above 3"));
    assertThat(lastId(fresh.enqueue(jobs(1)))).as("the counter was raised above the ids the worker knew")
        .isEqualTo(4);
    assertThat(lastId(worker.enqueue(jobs(1)))).isEqualTo(5);
  }

  @Test
  void anIdCounterThatWentBackIsNoticedAtTheNextHeartbeat() {
    RedisJobStore worker = open();
    assertThat(lastId(worker.enqueue(jobs(4)))).isEqualTo(4);
    worker.heartbeat(record());
    redis.command("DEL", "{spindle}:id"); // as eviction or a careless cleanup would

    worker.heartbeat(record());
    assertThat(worker.health()).anySatisfy(l -> assertThat(l).contains("DATA LOST")
        .contains("the job id counter went back from at least 4 to 0").contains("ids continue above 4"));
    assertThat(lastId(worker.enqueue(jobs(1)))).isEqualTo(5);
  }

  @Test
  void aHealthyRestartWithPersistenceIsNotAnIncident() {
    try (RedisServer durable = RedisServer.builder().appendOnly(true).start();
        RedisJobStore s = RedisJobStore.open(RedisStoreConfig.fromUrl(durable.url() + "?retryBudget=30s",
            Map.of()))) {
      assertThat(lastId(s.enqueue(jobs(2)))).isEqualTo(2);
      durable.command("BGREWRITEAOF");
      durable.stop(); // SIGTERM: Redis writes its AOF and exits
      durable.restart();
      assertThat(lastId(s.enqueue(jobs(1)))).isEqualTo(3);
      s.heartbeat(record());
      assertThat(s.health()).noneSatisfy(l -> assertThat(l).contains("DATA LOST"))
          .anySatisfy(l -> assertThat(l).contains("namespace epoch ").contains(" since "));
    }
  }

  /**
   * A request checked against the marker before a loss whose answer is handled after another thread
   * already recorded that loss (and adopted the new marker) records nothing more. The answer was
   * compared with the marker the instance knew when it arrived, so the late thread recorded the new,
   * healthy marker as lost too.
   */
  @Test
  void aLateAnswerAboutALossAlreadyRecordedRecordsNothingMore() {
    try (RedisLink link = RedisLink.open(RedisStoreConfig.fromUrl(redis.url() + "?retryBudget=30s", Map.of()))) {
      NamespaceEpoch epoch = new NamespaceEpoch(link);
      epoch.establish();
      String lost = epoch.expected();
      assertThat(lost).isNotEmpty();

      redis.kill9();
      redis.restart();

      epoch.changed(lost, "", "enqueue"); // the first thread to hear of it records the loss
      String adopted = epoch.expected();
      assertThat(adopted).isNotEmpty().isNotEqualTo(lost);
      epoch.changed(lost, "", "enqueue"); // a second thread, whose request also carried the lost marker
      epoch.check("a heartbeat"); // and a heartbeat after both

      assertThat(redis.command("HKEYS", "{spindle}:incidents")).asInstanceOf(InstanceOfAssertFactories.LIST)
          .containsExactly(lost);
      assertThat(epoch.expected()).isEqualTo(adopted);
    }
  }

  /** Many threads of one instance that all find the marker gone after a restart record one loss. */
  @Test
  void threadsThatAllFindTheMarkerGoneRecordOneLoss() throws Exception {
    RedisJobStore store = open();
    store.enqueue(jobs(3));
    store.heartbeat(record());
    String before = store.health().stream().filter(l -> l.contains("namespace epoch ")).findFirst().orElseThrow();

    redis.kill9();
    redis.restart();

    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> running = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        running.add(pool.submit(() -> {
          go.await();
          store.enqueue(jobs(1));
          store.heartbeat(record());
          return null;
        }));
      }
      go.countDown();
      for (Future<?> f : running) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    List<String> losses = store.health().stream().filter(l -> l.contains("DATA LOST")).toList();
    assertThat(losses).as("one record, of the marker that was lost").hasSize(1);
    assertThat(losses.get(0)).contains(before.substring(before.indexOf("namespace epoch ") + "namespace epoch ".length()));
    assertThat(lastId(store.enqueue(jobs(1)))).as("ids continue above every id known").isEqualTo(3 + threads + 1L);
  }

  /**
   * A heartbeat that reads the id counter while enqueues on other threads of the same instance hand
   * out newer ids is no loss: the check compares the counter only with ids this instance knew
   * before it read the counter. (It compared with the highest id known after the read, so an id
   * handed out in between reported a healthy counter as gone back: "went back from at least 204 to
   * 203", seen in a benchmark run.)
   */
  @Test
  void heartbeatsBesideConcurrentEnqueuesNeverReportALoss() throws Exception {
    RedisJobStore store = open();
    store.heartbeat(record());
    int producers = 4;
    int perProducer = 1_500;
    ExecutorService pool = Executors.newFixedThreadPool(producers);
    try {
      List<Future<?>> running = new ArrayList<>();
      for (int p = 0; p < producers; p++) {
        running.add(pool.submit(() -> {
          for (int i = 0; i < perProducer; i++) {
            store.enqueue(jobs(1));
          }
        }));
      }
      int heartbeats = 0;
      while (!running.stream().allMatch(Future::isDone)) {
        store.heartbeat(record());
        heartbeats++;
      }
      for (Future<?> f : running) {
        f.get();
      }
      assertThat(heartbeats).as("heartbeats ran beside the enqueues").isPositive();
    } finally {
      pool.shutdownNow();
    }
    assertThat(lastId(store.enqueue(jobs(1)))).isEqualTo(producers * perProducer + 1L);
    assertThat(store.health()).noneSatisfy(l -> assertThat(l).contains("DATA LOST"));
  }

  private static WorkerRecord record() {
    return new WorkerRecord("w1", "w", "h", 1, List.of("default"), 4, "THREADS", "RUNNING", T0, T0,
        T0.plusSeconds(60), 0, 0, 0, 0);
  }
}
