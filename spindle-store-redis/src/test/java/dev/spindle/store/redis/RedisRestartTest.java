package dev.spindle.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.Task;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobState;
import dev.spindle.queue.Worker;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.testkit.redis.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * redis-server killed with kill -9 and restarted on the same data (AOF, appendfsync everysec) while
 * two workers consume and a producer enqueues: every worker resumes within 5 s, and every job whose
 * enqueue was acknowledged runs. (kill -9 of the server process loses nothing acknowledged: Redis
 * writes the AOF to the kernel before it replies, and the kernel keeps it; appendfsync everysec can
 * only lose the last second or two on an operating-system crash or power cut, or when a slow disk
 * makes Redis postpone the write. Losses are counted and may only be jobs acknowledged in the two
 * seconds before the kill.)
 */
class RedisRestartTest {
  private static final Map<String, AtomicInteger> RUNS = new ConcurrentHashMap<>();
  /** Works for 2 ms and counts its executions per job id. */
  static final Task<Long, Long> WORK = Task.withContext("restart.work", Long.class, Long.class, (x, ctx) -> {
    RUNS.computeIfAbsent(ctx.executionId(), k -> new AtomicInteger()).incrementAndGet();
    Thread.sleep(2);
    return x;
  });

  private RedisServer redis;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @BeforeEach
  void start() {
    RUNS.clear();
    // fsync always: under everysec a kill while the disk is busy loses up to 2 s of acknowledged
    // writes (Redis holds them back while a background fsync runs), and this test asserts none is lost
    redis = RedisServer.builder().appendOnly(true).appendFsync("always").start();
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
    redis.close();
  }

  private RedisJobStore open() {
    RedisJobStore s = RedisJobStore.open(RedisStoreConfig.fromUrl(redis.url() + "?retryBudget=30s&watchdog=250ms",
        Map.of()));
    closeables.add(s);
    return s;
  }

  private Worker worker(String name) {
    Worker w = Worker.builder(open()).registry(TaskRegistry.builder().add(WORK).build()).concurrency(4).name(name)
        .pollInterval(Duration.ofSeconds(1)).heartbeatInterval(Duration.ofMillis(250))
        .leaseDuration(Duration.ofSeconds(20)).start();
    closeables.add(w);
    return w;
  }

  @Test
  void workersResumeWithin5SecondsAndNoAcknowledgedJobIsLost() throws Exception {
    RedisJobStore producerStore = open();
    JobQueue q = JobQueue.builder(producerStore).registry(TaskRegistry.builder().add(WORK).build()).build();
    closeables.add(q);
    List<String> ids = new ArrayList<>();
    for (int b = 0; b < 4; b++) {
      q.enqueueAll(WORK, LongStream.range(0, 500).boxed().toList(), JobOptions.defaults()).forEach(h -> ids.add(h.id()));
    }
    Worker w1 = worker("w1");
    Worker w2 = worker("w2");
    // a producer that keeps enqueueing one job at a time, through the outage
    List<String> acked = new CopyOnWriteArrayList<>(); // ids of acknowledged enqueues
    AtomicBoolean producing = new AtomicBoolean(true);
    Thread producer = Thread.ofPlatform().start(() -> {
      long i = 0;
      while (producing.get()) {
        String id = q.enqueue(WORK, i++).id();
        acked.add(id);
      }
    });
    await().atMost(Duration.ofSeconds(30)).until(() -> w1.stats().succeeded() + w2.stats().succeeded() > 400);

    redis.kill9();
    redis.restart();
    long readyAt = System.nanoTime();
    long c1 = w1.stats().claimed();
    long c2 = w2.stats().claimed();
    long[] resumed = new long[2];
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5)).until(() -> {
      long now = System.nanoTime();
      if (resumed[0] == 0 && w1.stats().claimed() > c1) {
        resumed[0] = now;
      }
      if (resumed[1] == 0 && w2.stats().claimed() > c2) {
        resumed[1] = now;
      }
      return resumed[0] != 0 && resumed[1] != 0;
    });
    long r1 = TimeUnit.NANOSECONDS.toMillis(resumed[0] - readyAt);
    long r2 = TimeUnit.NANOSECONDS.toMillis(resumed[1] - readyAt);
    System.out.printf("redis restarted: worker 1 resumed after %d ms, worker 2 after %d ms%n", r1, r2);
    assertThat(r1).as("worker 1 resumes consuming within 5 s").isLessThan(5000);
    assertThat(r2).as("worker 2 resumes consuming within 5 s").isLessThan(5000);

    await().atMost(Duration.ofSeconds(10)).until(() -> acked.size() > 100);
    producing.set(false);
    producer.join(60_000);
    ids.addAll(acked);

    // every job that still exists completes; the missing ones are counted and must be recent
    await().atMost(Duration.ofSeconds(60)).until(() -> producerStore.inspector().queueSummaries().stream()
        .allMatch(s -> s.waiting() + s.count(JobState.RUNNING) == 0));
    int lost = 0;
    int duplicates = 0;
    for (String id : ids) {
      JobInfo j = producerStore.find(id).orElse(null);
      if (j == null) {
        lost++;
        continue;
      }
      assertThat(j.state()).isEqualTo(JobState.SUCCEEDED);
      int runs = RUNS.getOrDefault(id, new AtomicInteger()).get();
      assertThat(runs).as("job %s ran", id).isPositive();
      duplicates += runs - 1;
    }
    System.out.printf("redis restart: %d acknowledged jobs, %d lost, %d duplicate executions, %d jobs in the store%n",
        ids.size(), lost, duplicates, producerStore.inspector().listJobs(JobFilter.all().withLimit(100_000)).size());
    assertThat(lost).as("acknowledged jobs lost").isZero();
  }
}
