package dev.spindle.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.spindle.Task;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.internal.Durations;
import dev.spindle.queue.memory.InMemoryJobStore;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.WorkerRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * No input may kill a worker's dispatcher, and a worker whose internal thread
 * dies stops loudly instead of heartbeating as a zombie. Real in-memory store and real threads.
 */
class WorkerHardeningTest {
  private static final Task<Long, Long> DOUBLE = Task.of("t.double", Long.class, Long.class, x -> 2 * x);
  private static final TaskRegistry REGISTRY = TaskRegistry.builder().add(DOUBLE).build();

  @Test
  void aJobStoredFarInTheFutureDoesNotStopTheWorker() {
    try (InMemoryJobStore store = new InMemoryJobStore()) {
      Instant now = Instant.now();
      // written through the SPI, as an older client or another store user could have: no horizon check
      store.enqueue(List.of(new NewJob("t.double", "1", JobOptions.DEFAULT_QUEUE, 0,
          Instant.parse("2400-01-01T00:00:00Z"), null, JobPolicy.defaults(), now)));
      try (Worker w = Worker.builder(store).registry(REGISTRY).concurrency(2).pollInterval(Duration.ofMillis(50))
          .shutdownGrace(Duration.ofSeconds(5)).start();
           JobQueue q = JobQueue.builder(store).registry(REGISTRY).build()) {
        // the first claim round sees the far job: its wait computation must not kill the dispatcher
        JobHandle<Long> h = q.enqueue(DOUBLE, 21L);
        assertThat(h.result(Duration.ofSeconds(10))).isEqualTo(42L);
        assertThat(w.failure()).isEmpty();
      }
    }
  }

  @Test
  void aJobTheStoreSaysTheWorkerHoldsButNeverGaveItIsHandedBack() {
    try (InMemoryJobStore store = new InMemoryJobStore();
         Worker w = Worker.builder(store).registry(REGISTRY).concurrency(1).queues("work")
             .heartbeatInterval(Duration.ofMillis(20)).leaseDuration(Duration.ofSeconds(30))
             .pollInterval(Duration.ofMillis(50)).shutdownGrace(Duration.ofSeconds(5)).start()) {
      Instant now = Instant.now();
      store.enqueue(List.of(new NewJob("t.double", "1", "elsewhere", 0, now, null, JobPolicy.defaults(), now)));
      // a claim under this worker's id whose answer never reached it, as when a connection breaks
      // while the claim commits: the worker's heartbeats would renew the job's lease forever
      JobInfo lost = store.claim(new ClaimRequest(w.id(), List.of("elsewhere"), 1, now)).jobs().get(0);
      assertThat(lost.state()).isEqualTo(JobState.RUNNING);
      await().atMost(Duration.ofSeconds(10)).until(() -> store.find(lost.id()).orElseThrow().state() == JobState.QUEUED);
      assertThat(store.claim(new ClaimRequest("w2", List.of("elsewhere"), 1, Instant.now())).jobs())
          .as("claimable again").extracting(JobInfo::id).containsExactly(lost.id());
      assertThat(w.failure()).isEmpty();
    }
  }

  /** An input type whose creator fails with an Error, as buggy user code can. */
  public record Bomb(String fuse) {
    public Bomb {
      if ("lit".equals(fuse)) {
        throw new AssertionError("boom while reading the arguments");
      }
    }
  }

  @Test
  void argumentsWhoseReadingThrowsAnErrorDeadLetterTheJobNotTheWorker() {
    Task<Bomb, String> defuse = Task.of("t.defuse", Bomb.class, String.class, Bomb::fuse);
    TaskRegistry registry = TaskRegistry.builder().add(DOUBLE).add(defuse).build();
    try (InMemoryJobStore store = new InMemoryJobStore();
         Worker w = Worker.builder(store).registry(registry).concurrency(1).pollInterval(Duration.ofMillis(50))
             .shutdownGrace(Duration.ofSeconds(5)).start();
         JobQueue q = JobQueue.builder(store).build()) { // no registry: the check happens in the worker
      JobHandle<?> bad = q.enqueue("t.defuse", "{\"fuse\":\"lit\"}");
      JobInfo j = bad.await(Duration.ofSeconds(10));
      assertThat(j.state()).isEqualTo(JobState.DEAD);
      assertThat(j.deadReason()).isEqualTo(JobInfo.BAD_ARGS);
      assertThat(q.enqueue(DOUBLE, 4L).result(Duration.ofSeconds(10))).isEqualTo(8L);
      assertThat(w.failure()).isEmpty();
    }
  }

  /** An exception whose message cannot be read. */
  static final class UnreadableException extends RuntimeException {
    @Override
    public String getMessage() {
      throw new AssertionError("getMessage is broken");
    }
  }

  @Test
  void aFailureWhoseErrorCannotBeReadStillEndsTheJob() {
    Task<Long, Long> broken = Task.of("t.broken", Long.class, Long.class, x -> {
      throw new UnreadableException();
    });
    TaskRegistry registry = TaskRegistry.builder().add(DOUBLE).add(broken).build();
    try (InMemoryJobStore store = new InMemoryJobStore();
         Worker w = Worker.builder(store).registry(registry).concurrency(1).pollInterval(Duration.ofMillis(50))
             .shutdownGrace(Duration.ofSeconds(5)).start();
         JobQueue q = JobQueue.builder(store).registry(registry).build()) {
      JobHandle<Long> h = q.enqueue(broken, 1L,
          JobOptions.builder().retry(RetryPolicy.builder().maxAttempts(1).build()).build());
      JobInfo j = h.await(Duration.ofSeconds(10));
      assertThat(j.state()).isEqualTo(JobState.FAILED);
      assertThat(j.error().orElseThrow().message()).contains("could not record the outcome");
      assertThat(q.enqueue(DOUBLE, 5L).result(Duration.ofSeconds(10))).isEqualTo(10L);
      assertThat(w.failure()).isEmpty();
    }
  }

  @Test
  void runTimesBeyondTheHorizonAreRefusedAtEnqueueNamingTheLimit() {
    try (InMemoryJobStore store = new InMemoryJobStore();
         JobQueue q = JobQueue.builder(store).registry(REGISTRY).build()) {
      JobOptions far = JobOptions.builder().runAt(Instant.parse("2400-01-01T00:00:00Z")).build();
      assertThatThrownBy(() -> q.enqueue(DOUBLE, 1L, far)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("too far ahead").hasMessageContaining("36525 days");
      assertThatThrownBy(() -> JobOptions.builder().delay(Duration.ofDays(110_000)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 36525 days");
      assertThatThrownBy(() -> JobOptions.builder().delay(Duration.ofSeconds(Long.MAX_VALUE)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 36525 days");
      assertThatThrownBy(() -> JobOptions.builder().timeout(Duration.ofSeconds(Long.MAX_VALUE)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most");
      assertThat(store.listJobs(dev.spindle.queue.spi.JobFilter.all())).isEmpty();
      JobOptions edge = JobOptions.builder().delay(JobOptions.MAX_AHEAD).build();
      assertThat(q.enqueue(DOUBLE, 1L, edge).state()).isEqualTo(JobState.SCHEDULED);
    }
  }

  @Test
  void durationArithmeticSaturatesInsteadOfThrowing() {
    assertThat(Durations.toNanos(Duration.ofSeconds(Long.MAX_VALUE))).isEqualTo(Long.MAX_VALUE);
    assertThat(Durations.toNanos(Duration.ofSeconds(Long.MIN_VALUE))).isEqualTo(Long.MIN_VALUE);
    assertThat(Durations.toNanos(Duration.ofMillis(5))).isEqualTo(5_000_000L);
    assertThat(Durations.nanosBetween(Instant.EPOCH, Instant.parse("2400-01-01T00:00:00Z")))
        .isEqualTo(Long.MAX_VALUE);
    assertThat(Durations.plus(Instant.parse("2030-01-01T00:00:00Z"), Duration.ofSeconds(Long.MAX_VALUE)))
        .isEqualTo(Instant.MAX);
    assertThat(Durations.plus(Instant.EPOCH, Duration.ofSeconds(1))).isEqualTo(Instant.ofEpochSecond(1));
  }

  @Test
  void aDyingDispatcherStopsTheWorkerLoudlyAndItStopsHeartbeating() throws Exception {
    try (InMemoryJobStore store = new InMemoryJobStore()) {
      CompletableFuture<Throwable> fatal = new CompletableFuture<>();
      Worker w = Worker.builder(store).registry(REGISTRY).concurrency(1).pollInterval(Duration.ofMillis(50))
          .heartbeatInterval(Duration.ofMillis(50)).leaseDuration(Duration.ofSeconds(5))
          .listener(e -> {
            if (e.type() == JobEvent.Type.STARTED) {
              throw new AssertionError("listener bug on the dispatcher thread");
            }
          })
          .onFatal(fatal::complete).start();
      try (JobQueue q = JobQueue.builder(store).registry(REGISTRY).build()) {
        q.enqueue(DOUBLE, 1L);
        Throwable t = fatal.get(10, TimeUnit.SECONDS);
        assertThat(t).isInstanceOf(AssertionError.class).hasMessageContaining("listener bug");
        assertThat(w.failure()).containsSame(t);
        assertThat(w.isTerminated()).isTrue();
        assertThat(w.awaitTermination(Duration.ofSeconds(1))).isTrue();
        Instant last = heartbeatOf(store, w.id());
        // a zombie would go on renewing its lease: no heartbeat for many heartbeat intervals (10 s to see
        // those 500 ms: on a loaded machine the poll itself can be starved)
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(10))
            .until(() -> heartbeatOf(store, w.id()).equals(last));
      } finally {
        w.close();
      }
    }
  }

  private static Instant heartbeatOf(InMemoryJobStore store, String workerId) {
    return store.workers().stream().filter(r -> r.id().equals(workerId)).map(WorkerRecord::heartbeatAt)
        .findFirst().orElse(Instant.MIN);
  }

  /** A result whose serialization is slow, as a result with an expensive getter is. */
  public record SlowToWrite(long n) {
    static final CountDownLatch WRITING = new CountDownLatch(1);

    @Override
    public long n() {
      WRITING.countDown();
      try {
        new CountDownLatch(1).await(500, TimeUnit.MILLISECONDS); // the outcome takes 0.5 s to build
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return n;
    }
  }

  @Test
  void aGracefulStopWhileAnOutcomeIsBeingBuiltStillWritesIt() throws Exception {
    Task<Long, SlowToWrite> slow = Task.of("t.slow-result", Long.class, SlowToWrite.class, SlowToWrite::new);
    try (InMemoryJobStore store = new InMemoryJobStore();
         JobQueue q = JobQueue.builder(store).registry(TaskRegistry.builder().add(slow).build()).build()) {
      Worker w = Worker.builder(store).registry(TaskRegistry.builder().add(slow).build()).concurrency(1)
          .pollInterval(Duration.ofMillis(50)).shutdownGrace(Duration.ofSeconds(10)).start();
      JobHandle<SlowToWrite> h = q.enqueue(slow, 7L);
      assertThat(SlowToWrite.WRITING.await(10, TimeUnit.SECONDS)).isTrue();
      // the execution ended and its outcome is being built: the worker must not stop before writing it
      w.stop(Duration.ofSeconds(10));
      JobInfo j = store.find(h.id()).orElseThrow();
      assertThat(j.state()).as("outcome of a job that finished within the grace").isEqualTo(JobState.SUCCEEDED);
      assertThat(w.stats().succeeded()).isEqualTo(1);
    }
  }

  /** Heartbeats in a row after which a worker hands back a job it holds but does not know. */
  private static final int STRANGER_HEARTBEATS = 3;

  /** A result whose writing waits until the test lets it go on. */
  public record HeldResult(long n) {
    static final HeldGate GATE = new HeldGate();

    @Override
    public long n() {
      GATE.pass();
      return n;
    }
  }

  @Test
  void aJobWhoseOutcomeIsBeingBuiltIsNotHandedBackAsAClaimTheWorkerNeverReceived() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    Task<Long, HeldResult> held = Task.of("t.held-result", Long.class, HeldResult.class, n -> {
      runs.incrementAndGet();
      return new HeldResult(n);
    });
    TaskRegistry registry = TaskRegistry.builder().add(held).build();
    Heartbeats beats = new Heartbeats();
    try (InMemoryJobStore store = new InMemoryJobStore();
         Worker w = heartbeatingWorker(beats, store, registry);
         JobQueue q = JobQueue.builder(store).registry(registry).build()) {
      try {
        JobHandle<HeldResult> h = q.enqueue(held, 7L);
        assertThat(HeldResult.GATE.reached.await(10, TimeUnit.SECONDS)).isTrue();
        // the execution ended and its outcome is being built: the store lists the job under this
        // worker in every heartbeat, and the worker must still know it
        beats.awaitWhole(STRANGER_HEARTBEATS + 1);
        assertThat(store.find(h.id()).orElseThrow().state()).as("not handed back while its outcome is built")
            .isEqualTo(JobState.RUNNING);
        succeedsOnceLetGo(HeldResult.GATE, h, runs, w);
      } finally {
        HeldResult.GATE.goOn.countDown();
      }
    }
  }

  /** A one-slot worker whose 20 ms heartbeats {@code beats} counts. */
  private static Worker heartbeatingWorker(Heartbeats beats, InMemoryJobStore store, TaskRegistry registry) {
    return Worker.builder(beats.wrap(store)).registry(registry).concurrency(1)
        .heartbeatInterval(Duration.ofMillis(20)).leaseDuration(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50)).shutdownGrace(Duration.ofSeconds(10)).start();
  }

  /** Lets the held job code go on: the job then succeeds, having run once, and the worker is healthy. */
  private static void succeedsOnceLetGo(HeldGate gate, JobHandle<?> h, AtomicInteger runs, Worker w) {
    gate.goOn.countDown();
    assertThat(h.await(Duration.ofSeconds(10)).state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(runs.get()).as("runs").isEqualTo(1);
    assertThat(w.failure()).isEmpty();
  }

  /** Arguments whose reading waits until the test lets it go on. */
  public record HeldArgs(long n) {
    static final HeldGate GATE = new HeldGate();

    public HeldArgs {
      GATE.pass();
    }
  }

  @Test
  void aJobWhoseArgumentsAreBeingReadIsNotHandedBackAsAClaimTheWorkerNeverReceived() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    Task<HeldArgs, Long> held = Task.of("t.held-args", HeldArgs.class, Long.class, a -> {
      runs.incrementAndGet();
      return a.n();
    });
    TaskRegistry registry = TaskRegistry.builder().add(held).build();
    Heartbeats beats = new Heartbeats();
    try (InMemoryJobStore store = new InMemoryJobStore();
         Worker w = heartbeatingWorker(beats, store, registry);
         JobQueue q = JobQueue.builder(store).build()) { // raw arguments: the test never builds a HeldArgs
      try {
        JobHandle<?> h = q.enqueue("t.held-args", "{\"n\":7}");
        assertThat(HeldArgs.GATE.reached.await(10, TimeUnit.SECONDS)).isTrue();
        // the claim's answer arrived and the dispatcher reads the job's arguments before it runs
        assertThat(HeldArgs.GATE.thread).endsWith("-dispatch");
        beats.awaitWhole(STRANGER_HEARTBEATS + 1);
        assertThat(store.find(h.id()).orElseThrow().state()).as("not handed back while it starts")
            .isEqualTo(JobState.RUNNING);
        succeedsOnceLetGo(HeldArgs.GATE, h, runs, w);
      } finally {
        HeldArgs.GATE.goOn.countDown();
      }
    }
  }
}
