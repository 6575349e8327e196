package dev.spindle.testkit.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.ExecutionModel;
import dev.spindle.Task;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.DurableContext;
import dev.spindle.queue.DurableRules;
import dev.spindle.queue.JobHandle;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobState;
import dev.spindle.queue.KeyRing;
import dev.spindle.queue.RetryPolicy;
import dev.spindle.queue.Worker;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.DurableStore;
import dev.spindle.queue.spi.SignalResult;
import dev.spindle.queue.spi.StepRecord;
import dev.spindle.queue.spi.StoreBackend;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of durable execution through a real {@link Worker} on one store: a step runs once and
 * its result comes back on the next attempt; a 30-day sleep on a manual clock gives the slot back and
 * resumes; signals before and after the wait and its timeout; a fenced attempt records nothing;
 * code changed between attempts fails the job naming the first mismatch (or goes on under WARN); the
 * step limit; recorded {@code now()} and {@code randomUuid()}; step results of encrypted jobs sealed;
 * memoized task results; 10,000 sleeping jobs hold no slot of a worker of concurrency 4; the
 * {@code COROUTINE} model. The store and the worker share a {@link ManualClock}. Subclass it per
 * backend and implement {@link #openStore()}.
 */
public abstract class DurableWorkerContract {
  private static final Instant T0 = Instant.parse("2030-05-06T08:00:00Z");
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final JobOptions AGAIN_AT_ONCE = JobOptions.builder()
      .retry(RetryPolicy.builder().maxAttempts(5).initialDelay(Duration.ZERO).jitter(0).build()).build();

  /** The store's and the worker's clock: open the store with it. */
  protected ManualClock clock;
  /** The store under test. */
  protected StoreBackend store;
  private DurableStore durable;
  private final List<AutoCloseable> open = new ArrayList<>();
  /** How often each step body ran, by a label the test picks. */
  private final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();

  /** Opens a new, empty store on {@link #clock}. */
  protected abstract StoreBackend openStore() throws Exception;

  @BeforeEach
  void openIt() throws Exception {
    clock = new ManualClock(T0);
    store = openStore();
    durable = store.durable().orElseThrow();
  }

  @AfterEach
  void closeIt() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
    store.close();
  }

  private int ran(String label) {
    return runs.computeIfAbsent(label, l -> new AtomicInteger()).get();
  }

  private void count(String label) {
    runs.computeIfAbsent(label, l -> new AtomicInteger()).incrementAndGet();
  }

  private Worker worker(TaskRegistry registry, int concurrency) {
    return worker(Worker.builder(store).registry(registry).concurrency(concurrency));
  }

  private Worker worker(Worker.Builder b) {
    return worker(b, Duration.ofMillis(100));
  }

  private Worker worker(Worker.Builder b, Duration heartbeat) {
    Worker w = b.clock(clock).pollInterval(Duration.ofMillis(20)).leaseDuration(Duration.ofDays(365))
        .heartbeatInterval(heartbeat).start();
    open.add(w);
    return w;
  }

  private JobQueue queue(TaskRegistry registry) {
    return queue(JobQueue.builder(store).registry(registry));
  }

  private JobQueue queue(JobQueue.Builder b) {
    JobQueue q = b.clock(clock).build();
    open.add(q);
    return q;
  }

  private JobInfo job(String id) {
    return store.find(id).orElseThrow();
  }

  private void awaitState(String id, JobState state) {
    await().atMost(WAIT).until(() -> job(id).state() == state);
  }

  private static DurableContext durable(dev.spindle.TaskContext tc) {
    return DurableContext.of(tc).orElseThrow();
  }

  @Test
  void aStepRunsOnceAndItsResultComesBackOnTheNextAttempt() {
    List<String> keys = new ArrayList<>();
    Task<String, String> task = Task.withContext("d.charge", String.class, String.class, (order, tc) -> {
      DurableContext ctx = durable(tc);
      String charge = ctx.step("charge", String.class, () -> {
        count("charge");
        keys.add(ctx.stepKey());
        return "charged " + order;
      });
      if (tc.attempt() == 1) {
        throw new IllegalStateException("crash after the step");
      }
      keys.add(ctx.step("ship", String.class, ctx::stepKey));
      return charge;
    });
    TaskRegistry reg = TaskRegistry.builder().add(task).build();
    JobQueue q = queue(reg);
    worker(reg, 2);
    JobHandle<String> h = q.enqueue(task, "o-1", AGAIN_AT_ONCE);
    assertThat(h.result(WAIT)).isEqualTo("charged o-1");
    assertThat(ran("charge")).isEqualTo(1);
    assertThat(keys).containsExactly(h.id() + "/charge#0", h.id() + "/ship#0");
    JobInfo done = job(h.id());
    assertThat(done.attempt()).isEqualTo(2);
    assertThat(durable.view(h.id()).orElseThrow().steps()).extracting(StepRecord::name)
        .containsExactly("charge", "ship");
  }

  @Test
  void aThirtyDaySleepGivesTheSlotBackAndResumesAtItsTime() {
    Task<String, String> task = Task.withContext("d.sleepy", String.class, String.class, (in, tc) -> {
      DurableContext ctx = durable(tc);
      ctx.step("before", Integer.class, () -> {
        count("before");
        return 1;
      });
      ctx.sleep(Duration.ofDays(30));
      count("after-sleep");
      return "woke";
    });
    TaskRegistry reg = TaskRegistry.builder().add(task).build();
    JobQueue q = queue(reg);
    Worker w = worker(reg, 1);
    JobHandle<String> h = q.enqueue(task, "x");
    awaitState(h.id(), JobState.SCHEDULED);
    JobInfo sleeping = job(h.id());
    assertThat(sleeping.runAt()).isEqualTo(T0.plus(Duration.ofDays(30)));
    assertThat(sleeping.failures()).isZero();
    assertThat(w.stats().running()).isZero();

    clock.advance(Duration.ofDays(30).minusSeconds(1));
    w.wakeUp();
    assertThat(job(h.id()).state()).isEqualTo(JobState.SCHEDULED);
    clock.advance(Duration.ofSeconds(1));
    w.wakeUp();
    assertThat(h.result(WAIT)).isEqualTo("woke");
    assertThat(ran("before")).isEqualTo(1);
    assertThat(ran("after-sleep")).isEqualTo(1);
    assertThat(job(h.id()).failures()).isZero();
  }

  /** Awaits the signal "approval" for a week; answers what came or "timeout". */
  private Task<String, String> approvalTask() {
    return Task.withContext("d.approve", String.class, String.class, (in, tc) -> {
      Optional<Approval> a = durable(tc).awaitSignal("approval", Approval.class, Duration.ofDays(7));
      return a.map(Approval::by).orElse("timeout");
    });
  }

  /** A signal's payload. */
  public record Approval(String by) {
  }

  @Test
  void aSignalAfterTheWaitWakesTheJob() {
    Task<String, String> task = approvalTask();
    TaskRegistry reg = TaskRegistry.builder().add(task).build();
    JobQueue q = queue(reg);
    worker(reg, 1);
    JobHandle<String> h = q.enqueue(task, "x", JobOptions.builder().uniqueKey("order-42").build());
    awaitState(h.id(), JobState.SCHEDULED);
    assertThat(job(h.id()).runAt()).isEqualTo(T0.plus(Duration.ofDays(7)));
    assertThat(q.signalByUniqueKey("order-42", "approval", new Approval("alice"))).isEqualTo(SignalResult.WOKE);
    assertThat(h.result(WAIT)).isEqualTo("alice");
    assertThat(q.signal(h.id(), "approval", new Approval("late"))).isEqualTo(SignalResult.FINISHED);
  }

  @Test
  void aSignalSentBeforeTheWaitIsKeptAndTaken() {
    Task<String, String> task = approvalTask();
    TaskRegistry reg = TaskRegistry.builder().add(task).build();
    JobQueue q = queue(reg);
    JobHandle<String> h = q.enqueue(task, "x", JobOptions.builder().delay(Duration.ofHours(1)).build());
    assertThat(q.signal(h.id(), "approval", new Approval("early"))).isEqualTo(SignalResult.STORED);
    Worker w = worker(reg, 1);
    clock.advance(Duration.ofHours(1));
    w.wakeUp();
    assertThat(h.result(WAIT)).isEqualTo("early");
  }

  @Test
  void aSignalWaitTimesOut() {
    Task<String, String> task = approvalTask();
    TaskRegistry reg = TaskRegistry.builder().add(task).build();
    JobQueue q = queue(reg);
    Worker w = worker(reg, 1);
    JobHandle<String> h = q.enqueue(task, "x");
    awaitState(h.id(), JobState.SCHEDULED);
    clock.advance(Duration.ofDays(7));
    w.wakeUp();
    assertThat(h.result(WAIT)).isEqualTo("timeout");
    assertThat(durable.view(h.id()).orElseThrow().steps()).singleElement()
        .satisfies(s -> assertThat(s.resultJson()).isNull());
  }

  @Test
  void anAttemptThatLostTheJobRecordsNothingMore() throws Exception {
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch goOn = new CountDownLatch(1);
    Task<String, String> task = Task.withContext("d.zombie", String.class, String.class, (in, tc) -> {
      DurableContext ctx = durable(tc);
      ctx.step("one", Integer.class, () -> 1);
      inside.countDown();
      boolean interrupted = false;
      while (true) {
        try {
          goOn.await();
          break;
        } catch (InterruptedException e) {
          interrupted = true; // keep going: the durable call must refuse on its own
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      ctx.step("two", Integer.class, () -> {
        count("two");
        return 2;
      });
      return "zombie finished";
    });
    TaskRegistry reg = TaskRegistry.builder().add(task).build();
    JobQueue q = queue(reg);
    // No heartbeat after the one that registers it: a heartbeat between the job's requeue and the
    // successor's claim would tell this worker it lost the job, stop the attempt, free its slot and
    // let it claim the requeued job itself before the successor (and the zombie's second step would
    // be refused by the worker, not by the store's fence, which is what this test is about).
    Worker w = worker(Worker.builder(store).registry(reg).concurrency(1), Duration.ofDays(1));
    JobHandle<String> h = q.enqueue(task, "x");
    assertThat(inside.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    // the job is taken from the worker (as after its lease ran out) and claimed by another one
    Instant t = clock.instant();
    store.heartbeat(new dev.spindle.queue.spi.WorkerRecord("successor", "successor", "host", 1,
        List.of(JobOptions.DEFAULT_QUEUE), 1, "THREADS", "RUNNING", t, t, t.plus(Duration.ofDays(365)), 0, 0, 0, 0));
    store.deregisterWorker(w.id(), t);
    List<JobInfo> taken = store.claim(new ClaimRequest("successor", List.of(JobOptions.DEFAULT_QUEUE), 1,
        clock.instant())).jobs();
    assertThat(taken).singleElement().satisfies(j -> assertThat(j.id()).isEqualTo(h.id()));
    goOn.countDown();
    JobInfo successor = taken.get(0);
    await().atMost(WAIT).until(() -> w.stats().running() == 0);
    assertThat(durable.view(h.id()).orElseThrow().steps()).extracting(StepRecord::name).containsExactly("one");
    JobInfo now = job(h.id());
    assertThat(now.state()).isEqualTo(JobState.RUNNING);
    assertThat(now.workerId()).isEqualTo("successor");
    assertThat(now.fence()).isEqualTo(successor.fence());
    assertThat(store.complete(List.of(Completion.succeeded(h.id(), successor.fence(), "successor", "\"ok\"")),
        clock.instant())).containsExactly(true);
  }

  /** Calls steps named by {@code names} (read at each attempt); fails its first attempt after them. */
  private Task<String, String> changingTask(AtomicReference<List<String>> names) {
    return Task.withContext("d.changing", String.class, String.class, (in, tc) -> {
      DurableContext ctx = durable(tc);
      List<String> now = Objects.requireNonNull(names.get());
      for (String n : now) {
        ctx.step(n, String.class, () -> {
          count(n);
          return n;
        });
      }
      if (tc.attempt() == 1) {
        throw new IllegalStateException("first attempt fails after its steps");
      }
      return String.join(",", now);
    });
  }

  @Test
  void codeChangedBetweenAttemptsFailsTheJobNamingTheFirstMismatch() {
    AtomicReference<List<String>> names = new AtomicReference<>(List.of("validate", "reserve", "charge"));
    Task<String, String> task = changingTask(names);
    TaskRegistry reg = TaskRegistry.builder().add(task).build();
    JobQueue q = queue(reg);
    JobHandle<String> h = q.enqueue(task, "x", JobOptions.builder()
        .retry(RetryPolicy.builder().maxAttempts(5).initialDelay(Duration.ofMinutes(1)).jitter(0).build()).build());
    Worker w = worker(reg, 1);
    await().atMost(WAIT).until(() -> job(h.id()).failures() == 1);
    names.set(List.of("validate", "charge", "reserve"));
    clock.advance(Duration.ofMinutes(1));
    w.wakeUp();
    awaitState(h.id(), JobState.DEAD);
    JobInfo dead = job(h.id());
    assertThat(dead.deadReason()).isEqualTo(DurableRules.NONDETERMINISTIC);
    assertThat(dead.errorJson()).contains("step 2 was 'reserve' in the recorded run, now 'charge'");
    assertThat(ran("charge")).isEqualTo(1);
  }

  @Test
  void underWarnChangedCodeGoesOnByStepName() {
    AtomicReference<List<String>> names = new AtomicReference<>(List.of("reserve", "charge"));
    Task<String, String> task = changingTask(names);
    TaskRegistry reg = TaskRegistry.builder().add(task).build();
    JobQueue q = queue(reg);
    JobHandle<String> h = q.enqueue(task, "x", JobOptions.builder()
        .retry(RetryPolicy.builder().maxAttempts(5).initialDelay(Duration.ofMinutes(1)).jitter(0).build()).build());
    Worker w = worker(Worker.builder(store).registry(reg).concurrency(1)
        .durableRules(DurableRules.builder().onDivergence(DurableRules.Divergence.WARN).build()));
    await().atMost(WAIT).until(() -> job(h.id()).failures() == 1);
    names.set(List.of("charge", "refund", "reserve"));
    clock.advance(Duration.ofMinutes(1));
    w.wakeUp();
    assertThat(h.result(WAIT)).isEqualTo("charge,refund,reserve");
    assertThat(ran("charge")).isEqualTo(1);
    assertThat(ran("reserve")).isEqualTo(1);
    assertThat(ran("refund")).isEqualTo(1);
  }

  @Test
  void theStepLimitEndsTheJobDeadBeforeTheBodyRuns() {
    Task<String, String> task = Task.withContext("d.many", String.class, String.class, (in, tc) -> {
      DurableContext ctx = durable(tc);
      for (int i = 0; i < 3; i++) {
        ctx.step("s" + i, Integer.class, () -> {
          count("body");
          return 0;
        });
      }
      return "never";
    });
    TaskRegistry reg = TaskRegistry.builder().add(task).build();
    JobQueue q = queue(reg);
    worker(Worker.builder(store).registry(reg).concurrency(1)
        .durableRules(DurableRules.builder().maxSteps(2).build()));
    JobHandle<String> h = q.enqueue(task, "x", AGAIN_AT_ONCE);
    awaitState(h.id(), JobState.DEAD);
    assertThat(job(h.id()).deadReason()).isEqualTo(DurableRules.STEP_LIMIT);
    assertThat(ran("body")).isEqualTo(2);
  }

  @Test
  void nowAndRandomUuidAreTheSameOnEveryAttempt() {
    Map<Integer, String> seen = new ConcurrentHashMap<>();
    Task<String, String> task = Task.withContext("d.values", String.class, String.class, (in, tc) -> {
      DurableContext ctx = durable(tc);
      Instant t = ctx.now();
      UUID u = ctx.randomUuid();
      seen.put(tc.attempt(), t + " " + u);
      if (tc.attempt() == 1) {
        clock.advance(Duration.ofMinutes(5));
        throw new IllegalStateException("again");
      }
      return t.toString();
    });
    TaskRegistry reg = TaskRegistry.builder().add(task).build();
    JobQueue q = queue(reg);
    worker(reg, 1);
    JobHandle<String> h = q.enqueue(task, "x", AGAIN_AT_ONCE);
    assertThat(h.result(WAIT)).isEqualTo(T0.toString());
    assertThat(seen).hasSize(2);
    assertThat(seen.get(2)).isEqualTo(seen.get(1));
  }

  @Test
  void stepResultsOfAnEncryptedJobAreSealed() {
    KeyRing ring = KeyRing.of("k1", Map.of("k1", KeyRing.newKey()));
    Task<String, String> task = Task.withContext("d.secret", String.class, String.class, (in, tc) -> {
      DurableContext ctx = durable(tc);
      String card = ctx.step("card", String.class, () -> {
        count("card");
        return "4111-" + in;
      });
      if (tc.attempt() == 1) {
        throw new IllegalStateException("again");
      }
      return card;
    });
    TaskRegistry reg = TaskRegistry.builder().add(task).build();
    JobQueue q = queue(JobQueue.builder(store).registry(reg).encryption(ring));
    worker(Worker.builder(store).registry(reg).concurrency(1).encryption(ring));
    JobHandle<String> h = q.enqueue(task, "secret", AGAIN_AT_ONCE);
    assertThat(h.result(WAIT)).isEqualTo("4111-secret");
    assertThat(ran("card")).isEqualTo(1);
    String stored = Objects.requireNonNull(durable.view(h.id()).orElseThrow().steps().get(0).resultJson());
    assertThat(KeyRing.isEncrypted(stored)).isTrue();
    assertThat(stored).doesNotContain("4111");
  }

  @Test
  void aMemoizedTaskServesAnIdenticalCallWithoutRunning() {
    Task<Integer, Integer> square = Task.of("d.square", Integer.class, Integer.class, x -> {
      count("square");
      return x * x;
    });
    TaskRegistry reg = TaskRegistry.builder().add(square).build();
    JobQueue q = queue(reg);
    worker(Worker.builder(store).registry(reg).concurrency(1).memoize(square, Duration.ofMinutes(10)));
    assertThat(q.enqueue(square, 7).result(WAIT)).isEqualTo(49);
    assertThat(q.enqueue(square, 7).result(WAIT)).isEqualTo(49);
    assertThat(ran("square")).isEqualTo(1);
    assertThat(q.enqueue(square, 8).result(WAIT)).isEqualTo(64);
    assertThat(ran("square")).isEqualTo(2);
    clock.advance(Duration.ofMinutes(10));
    assertThat(q.enqueue(square, 7).result(WAIT)).isEqualTo(49);
    assertThat(ran("square")).isEqualTo(3);
  }

  @Test
  void tenThousandSleepingJobsHoldNoSlot() {
    Task<Integer, Integer> sleeper = Task.withContext("d.sleeper", Integer.class, Integer.class, (n, tc) -> {
      durable(tc).sleep(Duration.ofDays(1));
      return n;
    });
    Task<Integer, Integer> ordinary = Task.of("d.ordinary", Integer.class, Integer.class, n -> n + 1);
    TaskRegistry reg = TaskRegistry.builder().add(sleeper).add(ordinary).build();
    JobQueue q = queue(reg);
    List<Integer> inputs = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      inputs.add(i);
    }
    q.enqueueAll(sleeper, inputs, JobOptions.defaults());
    Worker w = worker(reg, 4);
    await().atMost(Duration.ofMinutes(2)).until(() -> scheduled() == 10_000);
    assertThat(w.stats().running()).isZero();
    assertThat(q.enqueue(ordinary, 41).result(WAIT)).isEqualTo(42);
    assertThat(scheduled()).isEqualTo(10_000);
  }

  private long scheduled() {
    return store.inspector().queueSummaries().stream()
        .mapToLong(s -> s.counts().getOrDefault(JobState.SCHEDULED, 0L)).sum();
  }

  @Test
  void theCoroutineModelRunsDurableSteps() {
    Task<String, String> task = Task.withContext("d.coroutine", String.class, String.class, (in, tc) -> {
      DurableContext ctx = durable(tc);
      String a = ctx.step("a", String.class, () -> {
        count("a");
        return in + "-a";
      });
      ctx.sleep(Duration.ofHours(2));
      return a + "-slept";
    });
    TaskRegistry reg = TaskRegistry.builder().add(task).build();
    JobQueue q = queue(reg);
    Worker w = worker(Worker.builder(store).registry(reg).concurrency(1).model(ExecutionModel.COROUTINE));
    JobHandle<String> h = q.enqueue(task, "co");
    awaitState(h.id(), JobState.SCHEDULED);
    clock.advance(Duration.ofHours(2));
    w.wakeUp();
    assertThat(h.result(WAIT)).isEqualTo("co-a-slept");
    assertThat(ran("a")).isEqualTo(1);
  }

  @Test
  void theDistributedModelRunsDurableSteps() throws Exception {
    Task<String, String> task = Task.withContext("d.distributed", String.class, String.class, (in, tc) -> {
      DurableContext ctx = durable(tc);
      String a = ctx.step("a", String.class, () -> {
        count("distributed-a");
        return in + "-a";
      });
      ctx.sleep(Duration.ofHours(2));
      return a + "-slept";
    });
    try (dev.spindle.TaskExecutor pool = dev.spindle.Spindle.executor(ExecutionModel.DISTRIBUTED).workers(1)
        .clock(clock).registry(TaskRegistry.builder().add(task).build())
        .with(dev.spindle.queue.DistributedOptions.builder().store(store).build()).start()) {
      dev.spindle.TaskFuture<String> f = pool.submit(task, "di");
      await().atMost(WAIT).until(() -> scheduled() == 1);
      clock.advance(Duration.ofHours(2));
      assertThat(f.result(WAIT)).isEqualTo("di-a-slept");
    }
    assertThat(ran("distributed-a")).isEqualTo(1);
  }
}
