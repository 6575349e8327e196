package dev.spindle.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.queue.DependencyPolicy;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobState;
import dev.spindle.queue.StoreException;
import dev.spindle.queue.WorkflowInput;
import dev.spindle.queue.spi.Dependency;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.testkit.redis.RedisServer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link RedisJobStore#enqueueAsync} on a real redis-server of its own (so that pausing it and
 * counting its commands concerns this class alone): enqueues in flight together share script
 * calls and get ids in the order they were made; unique keys hold across them; workflows and large
 * batches take the blocking path off the caller's thread; calls cut off by a dropped connection
 * are retried and add their jobs once; a closed store fails the future; and a stage that would
 * block on the Redis client's I/O thread fails at once instead of waiting for itself.
 */
class RedisEnqueueAsyncTest {
  private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
  private RedisServer redis;
  private RedisJobStore store;

  @BeforeEach
  void start() {
    redis = RedisServer.builder().appendOnly(false).start();
    store = RedisJobStore.open(RedisStoreConfig.fromUrl(redis.url() + "?retryBudget=30s&watchdog=1h", Map.of()));
  }

  @AfterEach
  void stop() {
    store.close();
    redis.close();
  }

  private static NewJob job(String args, String unique) {
    return new NewJob("async.task", args, "default", 0, T0, unique, JobPolicy.defaults(), T0);
  }

  private long fcalls() {
    String line = redis.info("commandstats", "cmdstat_fcall");
    return line == null ? 0 : Long.parseLong(line.replaceAll("^calls=(\\d+),.*$", "$1"));
  }

  private static String id(CompletableFuture<List<EnqueueResult>> f) throws Exception {
    List<EnqueueResult> r = f.get();
    assertThat(r).hasSize(1);
    return r.get(0).jobId();
  }

  @Test
  void enqueuesInFlightTogetherShareScriptCallsAndGetIdsInTheOrderTheyWereMade() throws Exception {
    store.enqueue(List.of(job("warm-up", null))); // the library loaded, the namespace marked
    long before = fcalls();
    List<CompletableFuture<List<EnqueueResult>>> futures = new ArrayList<>();
    redis.command("CLIENT", "PAUSE", "60000", "WRITE"); // the first calls wait in Redis, the rest in the store
    for (int i = 0; i < 200; i++) {
      futures.add(store.enqueueAsync(List.of(job(Integer.toString(i), null))));
    }
    redis.command("CLIENT", "UNPAUSE");

    List<String> ids = new ArrayList<>();
    for (CompletableFuture<List<EnqueueResult>> f : futures) {
      ids.add(id(f));
    }
    assertThat(fcalls() - before).as("script calls for 200 enqueues").isLessThanOrEqualTo(
        RedisEnqueue.CALLS_IN_FLIGHT + 1);
    for (int i = 0; i < 200; i++) {
      assertThat(ids.get(i)).as("job " + i).isEqualTo(Integer.toString(i + 2)); // after the warm-up's 1
      assertThat(store.find(ids.get(i)).orElseThrow().argsJson()).isEqualTo(Integer.toString(i));
    }
  }

  @Test
  void aUniqueKeyUsedByAnEarlierBatchOfTheSameCallAnswersThatJob() throws Exception {
    store.enqueue(List.of(job("warm-up", null)));
    redis.command("CLIENT", "PAUSE", "60000", "WRITE");
    List<CompletableFuture<List<EnqueueResult>>> futures = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      futures.add(store.enqueueAsync(List.of(job("k" + i, i % 2 == 0 ? "order-7" : null))));
    }
    redis.command("CLIENT", "UNPAUSE");

    EnqueueResult first = futures.get(0).get().get(0);
    assertThat(first.created()).isTrue();
    for (int i = 2; i < 6; i += 2) {
      EnqueueResult again = futures.get(i).get().get(0);
      assertThat(again.created()).isFalse();
      assertThat(again.jobId()).isEqualTo(first.jobId());
    }
    for (int i = 1; i < 6; i += 2) {
      assertThat(futures.get(i).get().get(0).created()).isTrue();
    }
  }

  @Test
  void aWorkflowAndABatchLargerThanOneCallAreAddedOffTheCallersThread() throws Exception {
    List<NewJob> large = new ArrayList<>();
    for (int i = 0; i < RedisJobStore.MAX_JOBS_PER_SCRIPT + 10; i++) {
      large.add(job("big-" + i, null));
    }
    NewJob root = job("root", null);
    NewJob leaf = job("leaf", null).dependingOn(List.of(Dependency.onBatchJob(0, DependencyPolicy.REQUIRE_SUCCESS)), WorkflowInput.ARGS);

    List<EnqueueResult> added = store.enqueueAsync(large).get();
    List<EnqueueResult> workflow = store.enqueueAsync(List.of(root, leaf)).get();

    assertThat(added).hasSize(large.size());
    assertThat(added).extracting(EnqueueResult::jobId).doesNotHaveDuplicates();
    assertThat(workflow).extracting(EnqueueResult::state).containsExactly(JobState.QUEUED, JobState.WAITING);
  }

  @Test
  void callsCutOffByADroppedConnectionAreRetriedAndAddTheirJobsOnce() throws Exception {
    store.enqueue(List.of(job("warm-up", null))); // id 1
    redis.command("CLIENT", "PAUSE", "60000", "WRITE");
    List<CompletableFuture<List<EnqueueResult>>> futures = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      futures.add(store.enqueueAsync(List.of(job("cut-" + i, null))));
    }
    redis.command("CLIENT", "KILL", "TYPE", "normal"); // the store's connection, with calls waiting in it
    redis.command("CLIENT", "UNPAUSE");

    List<String> ids = new ArrayList<>();
    for (CompletableFuture<List<EnqueueResult>> f : futures) {
      ids.add(id(f));
    }
    assertThat(ids).doesNotHaveDuplicates().hasSize(50);
    assertThat(ids.stream().mapToLong(Long::parseLong).max().orElseThrow()).as("no call added its jobs twice")
        .isEqualTo(51);
    assertThat(store.find("52")).isEmpty();
  }

  @Test
  void aClosedStoreFailsTheFutureWithAStoreException() {
    store.close();

    CompletableFuture<List<EnqueueResult>> f = store.enqueueAsync(List.of(job("late", null)));

    assertThatThrownBy(f::get).isInstanceOf(ExecutionException.class).cause().isInstanceOf(StoreException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void aStageThatWouldBlockOnTheStoreOnItsIoThreadFailsAtOnce() {
    store.enqueue(List.of(job("warm-up", null)));
    CompletableFuture<Void> gate = new CompletableFuture<>();
    // attached before anything is sent, and the reply held in Redis until all is attached, so it
    // runs where the reply completes the enqueue: the I/O thread
    CompletableFuture<List<EnqueueResult>> nested = gate.thenCompose(x -> store.enqueueAsync(List.of(job("a", null))))
        .thenApply(r -> store.enqueue(List.of(job("b", null))));
    redis.command("CLIENT", "PAUSE", "60000", "WRITE");

    gate.complete(null);
    redis.command("CLIENT", "UNPAUSE");

    assertThatThrownBy(nested::get).cause().isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("I/O thread").hasMessageContaining("thenApplyAsync");
    assertThat(store.enqueue(List.of(job("c", null)))).hasSize(1); // off that thread, blocking calls work
  }
}
