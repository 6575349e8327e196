package dev.spindle.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.ExecutionModel;
import dev.spindle.Task;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.memory.InMemoryJobStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A durable sleep up to {@link DurableRules#parkedSleep} on a virtual-thread worker parks: the slot
 * goes to another job, the sleeping job keeps its lease and goes on in place (its body runs once, no
 * second claim), a woken job takes the next free slot ahead of new claims, a cancelled one ends and
 * gives its slot back, and too many parked jobs, jobs with a timeout and other models suspend in the
 * store as before. Real in-memory store; the sleeps are the behaviour under test, waited for with
 * latches and Awaitility.
 */
class WorkerParkedSleepTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private final InMemoryJobStore store = new InMemoryJobStore();
  private final JobQueue queue = JobQueue.builder(store).build();
  private final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
  private final List<String> order = new CopyOnWriteArrayList<>();
  private final CountDownLatch blockerStarted = new CountDownLatch(1);
  private final CountDownLatch releaseBlocker = new CountDownLatch(1);
  private Worker worker;

  /** A step, a sleep of the input's milliseconds, a step. */
  private final Task<Long, String> napper = Task.withContext("p.napper", Long.class, String.class, (ms, tc) -> {
    count("body");
    DurableContext ctx = DurableContext.of(tc).orElseThrow();
    ctx.step("before", Integer.class, () -> count("before"));
    ctx.sleep(Duration.ofMillis(ms));
    order.add("napper");
    return "woke after " + ms;
  });
  private final Task<String, String> blocker = Task.of("p.blocker", String.class, String.class, in -> {
    blockerStarted.countDown();
    releaseBlocker.await();
    return in;
  });
  private final Task<String, String> ordinary = Task.of("p.ordinary", String.class, String.class, in -> {
    order.add(in);
    return in + "!";
  });
  private final TaskRegistry registry = TaskRegistry.builder().add(napper).add(blocker).add(ordinary).build();

  @AfterEach
  void close() {
    releaseBlocker.countDown();
    if (worker != null) {
      worker.close();
    }
    queue.close();
    store.close();
  }

  private int count(String label) {
    return runs.computeIfAbsent(label, l -> new AtomicInteger()).incrementAndGet();
  }

  private int ran(String label) {
    return runs.computeIfAbsent(label, l -> new AtomicInteger()).get();
  }

  private Worker start(ExecutionModel model, DurableRules rules) {
    worker = Worker.builder(store).registry(registry).concurrency(1).model(model).durableRules(rules)
        .pollInterval(Duration.ofMillis(20)).heartbeatInterval(Duration.ofMillis(50)).start();
    return worker;
  }

  @Test
  void aParkedSleepGivesItsSlotToAnotherJobAndAStoppingWorkerLeavesItToTheStore() {
    Worker w = start(ExecutionModel.VIRTUAL, DurableRules.defaults());
    JobHandle<String> napping = queue.enqueue(napper, 50_000L);
    await().atMost(WAIT).until(() -> w.stats().parked() == 1);
    assertThat(w.stats().running()).isZero();
    assertThat(queue.enqueue(ordinary, "meanwhile").result(WAIT)).isEqualTo("meanwhile!");
    assertThat(store.find(napping.id()).orElseThrow().state()).isEqualTo(JobState.RUNNING);

    w.close();
    JobInfo left = store.find(napping.id()).orElseThrow();
    assertThat(left.state()).as("suspended with the rest of its sleep").isEqualTo(JobState.SCHEDULED);
    assertThat(left.failures()).isZero();
    assertThat(w.stats().parked()).isZero();
    assertThat(ran("before")).isEqualTo(1);
  }

  @Test
  void aParkedSleepGoesOnInPlaceWithoutAnotherClaim() {
    Worker w = start(ExecutionModel.VIRTUAL, DurableRules.defaults());
    JobHandle<String> napping = queue.enqueue(napper, 1_200L);
    assertThat(napping.result(WAIT)).isEqualTo("woke after 1200");
    assertThat(ran("body")).as("the body ran once: no second claim, no replay").isEqualTo(1);
    assertThat(ran("before")).isEqualTo(1);
    assertThat(store.find(napping.id()).orElseThrow().attempt()).isEqualTo(1);
    assertThat(w.stats().claimed()).isEqualTo(1);
  }

  @Test
  void aParkedJobKeepsItsLeaseLongerThanTheLeaseLastsWithoutHeartbeats() {
    worker = Worker.builder(store).registry(registry).concurrency(1).model(ExecutionModel.VIRTUAL)
        .pollInterval(Duration.ofMillis(20)).heartbeatInterval(Duration.ofMillis(100))
        .leaseDuration(Duration.ofSeconds(1)).start();
    // a second worker reclaims whatever lease expires, and would run the body again
    try (Worker other = Worker.builder(store).registry(registry).concurrency(1).model(ExecutionModel.VIRTUAL)
        .pollInterval(Duration.ofMillis(20)).heartbeatInterval(Duration.ofMillis(100))
        .leaseDuration(Duration.ofSeconds(1)).start()) {
      JobHandle<String> napping = queue.enqueue(napper, 3_000L);
      assertThat(napping.result(WAIT)).isEqualTo("woke after 3000");
      assertThat(ran("body")).as("never reclaimed while parked").isEqualTo(1);
      assertThat(store.find(napping.id()).orElseThrow().attempt()).isEqualTo(1);
      assertThat(worker.stats().claimed() + other.stats().claimed()).isEqualTo(1);
    }
  }

  @Test
  void aWokenJobTakesTheNextFreeSlotAheadOfNewClaims() throws Exception {
    Worker w = start(ExecutionModel.VIRTUAL, DurableRules.defaults());
    JobHandle<String> napping = queue.enqueue(napper, 3_000L);
    await().atMost(WAIT).until(() -> w.stats().parked() == 1);
    JobHandle<String> blocking = queue.enqueue(blocker, "b");
    blockerStarted.await();
    // woken while the blocker holds the only slot: it waits for a slot, counted parked no more
    await().atMost(WAIT).until(() -> w.stats().parked() == 0);
    JobHandle<String> later = queue.enqueue(ordinary, "later");
    releaseBlocker.countDown();
    assertThat(blocking.result(WAIT)).isEqualTo("b");
    assertThat(napping.result(WAIT)).isEqualTo("woke after 3000");
    assertThat(later.result(WAIT)).isEqualTo("later!");
    assertThat(order).containsExactly("napper", "later");
    assertThat(ran("body")).isEqualTo(1);
  }

  @Test
  void aCancelledParkedJobEndsAndGivesItsSlotBack() {
    Worker w = start(ExecutionModel.VIRTUAL, DurableRules.defaults());
    JobHandle<String> napping = queue.enqueue(napper, 50_000L);
    await().atMost(WAIT).until(() -> w.stats().parked() == 1);
    assertThat(queue.cancel(napping.id())).isTrue();
    await().atMost(WAIT).until(() -> store.find(napping.id()).orElseThrow().state() == JobState.CANCELLED);
    await().atMost(WAIT).until(() -> w.stats().parked() == 0 && w.stats().running() == 0);
    assertThat(queue.enqueue(ordinary, "next").result(WAIT)).isEqualTo("next!");
    assertThat(ran("body")).isEqualTo(1);
  }

  @Test
  void pastTheLimitOfParkedJobsASleepSuspends() {
    Worker w = start(ExecutionModel.VIRTUAL, DurableRules.builder().maxParkedSleeps(1).build());
    JobHandle<String> first = queue.enqueue(napper, 50_000L);
    await().atMost(WAIT).until(() -> w.stats().parked() == 1);
    JobHandle<String> second = queue.enqueue(napper, 50_000L);
    await().atMost(WAIT).until(() -> store.find(second.id()).orElseThrow().state() == JobState.SCHEDULED);
    assertThat(store.find(first.id()).orElseThrow().state()).isEqualTo(JobState.RUNNING);
    assertThat(w.stats().parked()).isEqualTo(1);
  }

  @Test
  void aJobWithATimeoutSuspendsRatherThanParks() {
    start(ExecutionModel.VIRTUAL, DurableRules.defaults());
    JobHandle<String> h = queue.enqueue(napper, 50_000L,
        JobOptions.builder().timeout(Duration.ofMinutes(10)).build());
    await().atMost(WAIT).until(() -> store.find(h.id()).orElseThrow().state() == JobState.SCHEDULED);
  }

  @Test
  void aPlatformThreadWorkerSuspendsRatherThanParks() {
    Worker w = start(ExecutionModel.THREADS, DurableRules.defaults());
    JobHandle<String> h = queue.enqueue(napper, 50_000L);
    await().atMost(WAIT).until(() -> store.find(h.id()).orElseThrow().state() == JobState.SCHEDULED);
    assertThat(w.stats().parked()).isZero();
  }

  @Test
  void parkingCanBeTurnedOff() {
    Worker w = start(ExecutionModel.VIRTUAL, DurableRules.builder().parkedSleep(Duration.ZERO).build());
    JobHandle<String> h = queue.enqueue(napper, 50_000L);
    await().atMost(WAIT).until(() -> store.find(h.id()).orElseThrow().state() == JobState.SCHEDULED);
    assertThat(w.stats().parked()).isZero();
  }
}
