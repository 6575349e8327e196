package dev.spindle.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.Task;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.memory.InMemoryJobStore;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.JobStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A worker with {@link Worker.Builder#prefetch} claims short jobs ahead of its free slots and starts
 * each as a slot frees, never running more than its concurrency; jobs it claimed ahead and could
 * not start go back to the store (a slot held too long, a stopping worker) or end cancelled, never
 * lost and never run twice. Real in-memory store behind {@link SlowStore} (2 ms per call).
 */
class WorkerPrefetchTest {
  private final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
  private final AtomicInteger running = new AtomicInteger();
  private final AtomicInteger maxRunning = new AtomicInteger();
  private final CountDownLatch gate = new CountDownLatch(1);
  private final AtomicInteger maxClaim = new AtomicInteger();
  /** The worker's store calls ({@code completeAndClaim}), as the store saw them. */
  private final AtomicInteger storeCalls = new AtomicInteger();
  private final List<JobEvent> events = Collections.synchronizedList(new ArrayList<>());
  private InMemoryJobStore memory;
  private JobStore store;
  private JobQueue queue;

  private final Task<String, String> quick = Task.of("t.quick", String.class, String.class, this::quick);
  private final Task<String, String> slow = Task.of("t.slow", String.class, String.class, id -> {
    runs.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
    try {
      TimeUnit.MILLISECONDS.sleep(20); // a long job is the behaviour under test
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return id;
  });
  private final Task<String, String> gated = Task.of("t.gated", String.class, String.class, id -> {
    runs.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
    try {
      gate.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return id;
  });
  private final Task<HeldArgs, String> heldArgs = Task.of("t.held-args", HeldArgs.class, String.class, a -> {
    runs.computeIfAbsent(a.id(), k -> new AtomicInteger()).incrementAndGet();
    return a.id();
  });
  private final TaskRegistry registry = TaskRegistry.builder().add(quick).add(slow).add(gated).add(heldArgs).build();
  private final Heartbeats heartbeats = new Heartbeats();
  /** Runs on the dispatcher's thread as each of its store calls begins. */
  private volatile Runnable beforeCall = () -> { };

  /** Arguments whose reading waits until the test lets it go on, and tells on which thread it waits. */
  public record HeldArgs(String id) {
    static final HeldGate GATE = new HeldGate();

    public HeldArgs {
      GATE.pass();
    }
  }

  private String quick(String id) {
    int now = running.incrementAndGet();
    maxRunning.accumulateAndGet(now, Math::max);
    runs.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
    running.decrementAndGet();
    return id;
  }

  @BeforeEach
  void setUp() {
    memory = new InMemoryJobStore();
    store = heartbeats.wrap(SlowStore.wrap(memory, Duration.ofMillis(2), args -> {
      storeCalls.incrementAndGet();
      ClaimRequest r = (ClaimRequest) args[1];
      if (r != null) {
        maxClaim.accumulateAndGet(r.max(), Math::max);
      }
      beforeCall.run();
    }));
    queue = JobQueue.builder(memory).registry(registry).build();
  }

  @AfterEach
  void tearDown() {
    gate.countDown();
    queue.close();
    memory.close();
  }

  private Worker.Builder worker(int concurrency, int prefetch) {
    return Worker.builder(store).registry(registry).concurrency(concurrency).prefetch(prefetch)
        .pollInterval(Duration.ofMillis(50)).heartbeatInterval(Duration.ofMillis(20))
        .shutdownGrace(Duration.ofSeconds(10)).listener(events::add);
  }

  private List<String> enqueue(String task, int n, String prefix) {
    List<JobRequest> requests = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      requests.add(JobRequest.of(task, "\"" + prefix + i + "\""));
    }
    return queue.enqueueAll(requests).stream().map(JobHandle::id).toList();
  }

  private JobState state(String id) {
    return memory.find(id).orElseThrow().state();
  }

  private boolean all(List<String> ids, JobState state) {
    return ids.stream().allMatch(id -> state(id) == state);
  }

  private void awaitQuickWarmUp(int jobs) {
    List<String> ids = enqueue("t.quick", jobs, "warm");
    await().atMost(Duration.ofSeconds(30)).until(() -> all(ids, JobState.SUCCEEDED));
  }

  /** The gated job plus four quick ones in one enqueue, so one claim (1 free slot + 4 ahead) takes all five. */
  private List<String> enqueueGatedThenFour() {
    List<JobRequest> requests = new ArrayList<>();
    requests.add(JobRequest.of("t.gated", "\"gated\""));
    for (int i = 0; i < 4; i++) {
      requests.add(JobRequest.of("t.quick", "\"ahead" + i + "\""));
    }
    return queue.enqueueAll(requests).stream().map(JobHandle::id).toList();
  }

  @Test
  void shortJobsAreClaimedAheadAndEachRunsOnceWithinTheSlots() {
    Worker w = worker(4, 8).start();
    try (w) {
      List<String> ids = enqueue("t.quick", 2_000, "j");
      await().atMost(Duration.ofSeconds(60)).until(() -> all(ids, JobState.SUCCEEDED));
      assertThat(w.failure()).isEmpty();
    }
    assertThat(w.stats().storeCalls()).as("the worker's count of its store calls").isEqualTo(storeCalls.get())
        .as("several jobs' outcomes and claims per call").isLessThan(1_000);
    assertThat(maxClaim.get()).as("largest claim: beyond the 4 slots").isGreaterThan(4).isLessThanOrEqualTo(12);
    assertThat(maxRunning.get()).as("jobs running at once").isLessThanOrEqualTo(4);
    assertThat(runs).hasSize(2_000);
    assertThat(runs.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
  }

  @Test
  void longJobsAreNeverClaimedAhead() {
    try (Worker w = worker(2, 8).start()) {
      List<String> ids = enqueue("t.slow", 12, "s");
      await().atMost(Duration.ofSeconds(60)).until(() -> all(ids, JobState.SUCCEEDED));
      assertThat(w.failure()).isEmpty();
    }
    assertThat(maxClaim.get()).as("jobs of 20 ms outlast a 2 ms store call").isEqualTo(2);
  }

  @Test
  void jobsNoSlotTakesInTimeGoBackToTheStoreAndRunOnceTheSlotFrees() {
    try (Worker w = worker(1, 4).start()) {
      awaitQuickWarmUp(50);
      List<String> ids = enqueueGatedThenFour();
      List<String> ahead = ids.subList(1, 5);
      await().atMost(Duration.ofSeconds(30)).until(() -> released(ahead).size() == 4 && all(ahead, JobState.QUEUED));
      assertThat(state(ids.get(0))).isEqualTo(JobState.RUNNING);
      assertThat(ahead).allSatisfy(id -> {
        assertThat(state(id)).as("claimed ahead, then handed back").isEqualTo(JobState.QUEUED);
        assertThat(memory.find(id).orElseThrow().failures()).isZero();
        assertThat(runs).doesNotContainKey(memory.find(id).orElseThrow().argsJson().replace("\"", ""));
      });
      gate.countDown();
      await().atMost(Duration.ofSeconds(30)).until(() -> all(ids, JobState.SUCCEEDED));
      assertThat(w.failure()).isEmpty();
    }
    assertThat(runs.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
  }

  @Test
  void aStoppingWorkerLeavesNoJobClaimedAheadBehind() throws Exception {
    List<String> ids;
    Worker w = worker(1, 4).start();
    try {
      awaitQuickWarmUp(50);
      ids = enqueueGatedThenFour();
      await().atMost(Duration.ofSeconds(30)).until(() -> runs.containsKey("gated"));
      Thread closer = Thread.ofPlatform().start(w::close);
      await().atMost(Duration.ofSeconds(30))
          .until(() -> released(ids.subList(1, 5)).size() == 4 && all(ids.subList(1, 5), JobState.QUEUED));
      gate.countDown();
      closer.join(TimeUnit.SECONDS.toMillis(30));
      assertThat(closer.isAlive()).isFalse();
    } finally {
      gate.countDown();
      w.close();
    }
    assertThat(state(ids.get(0))).isEqualTo(JobState.SUCCEEDED);
    assertThat(ids.subList(1, 5)).allSatisfy(id -> assertThat(state(id)).isEqualTo(JobState.QUEUED));
    assertThat(runs.keySet()).noneMatch(k -> k.startsWith("ahead"));
    try (Worker next = worker(1, 0).start()) {
      await().atMost(Duration.ofSeconds(30)).until(() -> all(ids, JobState.SUCCEEDED));
      assertThat(next.failure()).isEmpty();
    }
    assertThat(runs.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
  }

  @Test
  void aJobCancelledWhileClaimedAheadNeverRuns() {
    try (Worker w = worker(1, 4).start()) {
      awaitQuickWarmUp(50);
      List<String> ids = enqueueGatedThenFour();
      String victim = ids.get(2);
      await().atMost(Duration.ofSeconds(30)).until(() -> runs.containsKey("gated"));
      assertThat(queue.cancel(victim)).isTrue();
      await().atMost(Duration.ofSeconds(30)).until(() -> state(victim) == JobState.CANCELLED);
      gate.countDown();
      List<String> others = ids.stream().filter(id -> !id.equals(victim)).toList();
      await().atMost(Duration.ofSeconds(30)).until(() -> all(others, JobState.SUCCEEDED));
      assertThat(w.failure()).isEmpty();
    }
    assertThat(runs).doesNotContainKey("ahead1");
  }

  @Test
  void aJobClaimedAheadStaysKnownToTheWorkerWhileItStarts() throws Exception {
    try (Worker w = worker(1, 4).pollInterval(Duration.ofMillis(10)).start();
         JobQueue raw = JobQueue.builder(memory).build()) { // raw arguments: the test never builds a HeldArgs
      try {
        awaitQuickWarmUp(50);
        AtomicBoolean freed = new AtomicBoolean();
        beforeCall = () -> {
          if (runs.containsKey("gated") && freed.compareAndSet(false, true)) {
            // the claim that gave the gated job gave the other one too, claimed ahead: free the slot,
            // and hold the dispatcher here (it hands back jobs that wait too long) until the job is
            // being started by the thread that freed the slot
            gate.countDown();
            try {
              HeldArgs.GATE.reached.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        };
        List<String> ids = raw.enqueueAll(List.of(JobRequest.of("t.gated", "\"gated\""),
            JobRequest.of("t.held-args", "{\"id\":\"ahead\"}"))).stream().map(JobHandle::id).toList();
        assertThat(HeldArgs.GATE.reached.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(HeldArgs.GATE.thread).as("started from the jobs claimed ahead, by the thread that freed the slot")
            .doesNotEndWith("-dispatch").isNotEqualTo(Thread.currentThread().getName());
        heartbeats.awaitWhole(4); // a job held but unknown for 3 heartbeats in a row is handed back
        assertThat(state(ids.get(1))).as("not handed back while it starts").isEqualTo(JobState.RUNNING);
        HeldArgs.GATE.goOn.countDown();
        await().atMost(Duration.ofSeconds(30)).until(() -> all(ids, JobState.SUCCEEDED));
        assertThat(released(ids)).isEmpty();
        assertThat(w.failure()).isEmpty();
      } finally {
        HeldArgs.GATE.goOn.countDown();
      }
    }
    assertThat(runs.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
  }

  /** The jobs among {@code ids} this test's worker handed back unstarted. */
  private Set<String> released(List<String> ids) {
    synchronized (events) {
      return events.stream().filter(e -> e.type() == JobEvent.Type.RELEASED && ids.contains(e.jobId()))
          .map(JobEvent::jobId).collect(Collectors.toSet());
    }
  }
}
