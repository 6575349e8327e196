package dev.spindle.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.spindle.TaskRegistry;
import dev.spindle.queue.JobHandle;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobState;
import dev.spindle.queue.StoreException;
import dev.spindle.queue.Worker;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.RetentionLimits;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.testkit.redis.RedisServer;
import dev.spindle.testkit.store.ManualClock;
import dev.spindle.testkit.store.StoreContractTasks;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Redis at maxmemory with policy noeviction ("OOM command not allowed"): enqueues fail with a clear
 * error and change nothing; claims, completions, heartbeats and purges still work, so running jobs
 * complete and memory can be freed.
 */
class RedisOutOfMemoryTest {
  private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
  private RedisServer redis;
  private RedisJobStore store;

  @BeforeEach
  void start() {
    redis = RedisServer.builder().appendOnly(false).maxMemory("0").start();
    store = RedisJobStore.open(RedisStoreConfig.fromUrl(redis.url() + "?retryBudget=2s", Map.of()));
  }

  @AfterEach
  void stop() {
    store.close();
    redis.close();
  }

  private void outOfMemory(boolean on) {
    redis.command("CONFIG", "SET", "maxmemory", on ? "1" : "0");
  }

  private static NewJob job(String args) {
    return new NewJob("oom.task", args, "default", 0, T0, null, JobPolicy.defaults(), T0);
  }

  @Test
  void enqueueFailsClearlyWhileRunningJobsStillComplete() {
    // leases and expiry are read on the store's clock: the test drives it (a manual clock in place of
    // Redis TIME) instead of passing instants that the store would only translate
    ManualClock clock = new ManualClock(T0);
    store.close();
    store = RedisJobStore.open(RedisStoreConfig.fromUrl(redis.url() + "?retryBudget=2s", Map.of()), clock);
    store.enqueue(List.of(job("1"), job("2"), job("3")));
    store.heartbeat(new WorkerRecord("w1", "w", "h", 1, List.of("default"), 4, "THREADS", "RUNNING", T0, T0,
        T0.plusSeconds(60), 0, 0, 0, 0));
    List<JobInfo> running = store.claim(new ClaimRequest("w1", List.of("default"), 2, T0)).jobs();
    assertThat(running).hasSize(2);

    outOfMemory(true);
    assertThatThrownBy(() -> store.enqueue(List.of(job("4"), job("5")))).isInstanceOf(StoreException.class)
        .satisfies(e -> assertThat(((StoreException) e).reason()).isEqualTo(StoreException.Reason.DISK_FULL))
        .hasMessageContaining("out of memory").hasMessageContaining("nothing was changed")
        .hasMessageContaining("Running jobs still complete");
    assertThat(store.inspector().listJobs(JobFilter.all())).as("nothing was added").hasSize(3);

    Instant later = clock.advance(Duration.ofSeconds(5));
    assertThat(store.heartbeat(new WorkerRecord("w1", "w", "h", 1, List.of("default"), 4, "THREADS", "RUNNING", T0,
        later, later.plusSeconds(60), 2, 0, 0, 0)).held()).hasSize(2);
    assertThat(store.complete(List.of(Completion.succeeded(running.get(0).id(), running.get(0).fence(), "w1", "10"),
        Completion.succeeded(running.get(1).id(), running.get(1).fence(), "w1", "20")), later)).containsExactly(true, true);
    assertThat(store.find(running.get(0).id()).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(store.claim(new ClaimRequest("w1", List.of("default"), 5, later)).jobs())
        .as("queued jobs still drain").hasSize(1);
    assertThat(store.purgeExpired(clock.advance(Duration.ofDays(2)), RetentionLimits.defaults()))
        .as("purging frees memory").isEqualTo(2);

    outOfMemory(false);
    assertThat(store.enqueue(List.of(job("6")))).hasSize(1);
  }

  @Test
  void aWorkerFinishesItsRunningJobWhenRedisRunsOutOfMemory() throws Exception {
    String gate = "oom-" + System.nanoTime();
    try (JobQueue q = JobQueue.builder(store).registry(TaskRegistry.of(StoreContractTasks.class)).build();
        Worker w = Worker.builder(store).registry(TaskRegistry.of(StoreContractTasks.class)).concurrency(2)
            .pollInterval(Duration.ofMillis(50)).heartbeatInterval(Duration.ofMillis(200)).name("oom").start()) {
      JobHandle<String> h = q.enqueue(StoreContractTasks.BLOCK, gate);
      assertThat(StoreContractTasks.awaitArrived(gate, 30, TimeUnit.SECONDS)).isTrue();
      outOfMemory(true);
      assertThatThrownBy(() -> q.enqueue(StoreContractTasks.ECHO, "refused")).isInstanceOf(StoreException.class)
          .hasMessageContaining("out of memory");
      StoreContractTasks.release(gate);
      assertThat(h.await(Duration.ofSeconds(30)).state()).isEqualTo(JobState.SUCCEEDED);
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(w.stats().succeeded()).isEqualTo(1));
      outOfMemory(false);
      assertThat(q.enqueue(StoreContractTasks.ECHO, "accepted").result(Duration.ofSeconds(30))).isEqualTo("accepted");
    } finally {
      StoreContractTasks.release(gate);
    }
  }
}
