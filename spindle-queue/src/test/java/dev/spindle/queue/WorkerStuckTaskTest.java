package dev.spindle.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.ExecutorStats;
import dev.spindle.Task;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.memory.InMemoryJobStore;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A task that ignores interrupts outlives its timeout on its thread. On THREADS that thread is a
 * slot of the pool: the next job must not wait behind it (the pool gives the slot a fresh thread and
 * reports the old one as stuck), and a job's timeout runs from when it begins to run, not from when
 * it was handed to the pool. Real in-memory store and real threads; the tests wait on latches,
 * events and whole heartbeats.
 */
class WorkerStuckTaskTest {
  private final CountDownLatch stubbornRunning = new CountDownLatch(2);
  private final CountDownLatch release = new CountDownLatch(1);
  /** Runs until {@link #release} opens, whatever interrupts it gets. */
  private final Task<Long, Long> stubborn = Task.of("t.stubborn", Long.class, Long.class, x -> {
    stubbornRunning.countDown();
    while (true) {
      try {
        release.await();
        return x;
      } catch (InterruptedException ignored) {
        // a task that ignores interrupts
      }
    }
  });
  private final Task<Long, Long> quick = Task.of("t.quick", Long.class, Long.class, x -> x);
  private final TaskRegistry registry = TaskRegistry.builder().add(stubborn).add(quick).build();

  @Test
  void aTimedOutTaskThatIgnoresInterruptsDoesNotHoldTheSlotTheNextJobNeeds() throws Exception {
    try (InMemoryJobStore store = new InMemoryJobStore("memory", Clock.systemUTC());
         Worker w = Worker.builder(store).registry(registry).concurrency(1).shutdownGrace(Duration.ofSeconds(10))
             .start();
         JobQueue q = JobQueue.builder(store).registry(registry).build();
         AutoCloseable freed = release::countDown) { // closed first: the stuck thread ends before the worker stops
      String stuckId = q.enqueue(stubborn, 1L, JobOptions.builder().timeout(Duration.ofMillis(200))
          .retry(RetryPolicy.none()).build()).id();
      await().atMost(Duration.ofSeconds(30)).until(() -> stateOf(store, stuckId) == JobState.FAILED);
      String next = q.enqueue(quick, 2L, JobOptions.builder().timeout(Duration.ofSeconds(5))
          .retry(RetryPolicy.none()).build()).id();

      await().atMost(Duration.ofSeconds(30)).until(() -> stateOf(store, next).isTerminal());
      assertThat(stateOf(store, next)).as("the next job ran on a fresh thread").isEqualTo(JobState.SUCCEEDED);
      assertThat(store.find(stuckId).orElseThrow().error().orElseThrow().type()).endsWith("TaskTimeoutException");
      assertThat(w.executorStats().map(ExecutorStats::stuck)).as("the timed-out task's thread").contains(1);
      assertThat(w.stats().stuck()).as("reported in the worker's stats").isEqualTo(1);

      release.countDown();
      await().atMost(Duration.ofSeconds(30)).until(() -> w.executorStats().orElseThrow().stuck() == 0);
      assertThat(w.failure()).isEmpty();
    }
  }

  @Test
  void aJobsTimeoutRunsFromWhenItBeginsToRunNotWhileItWaitsForAThread() throws Exception {
    List<JobEvent> events = new CopyOnWriteArrayList<>();
    Heartbeats beats = new Heartbeats();
    try (InMemoryJobStore store = new InMemoryJobStore("memory", Clock.systemUTC());
         Worker w = Worker.builder(beats.wrap(store)).registry(registry).concurrency(1)
             .heartbeatInterval(Duration.ofMillis(100)).leaseDuration(Duration.ofSeconds(10))
             .shutdownGrace(Duration.ofSeconds(10)).listener(events::add).start();
         JobQueue q = JobQueue.builder(store).registry(registry).build();
         AutoCloseable freed = release::countDown) {
      JobOptions stubbornOptions = JobOptions.builder().timeout(Duration.ofMillis(100)).retry(RetryPolicy.none())
          .build();
      // one slot: the first stuck thread is replaced, the second is past the pool's limit and keeps the slot
      String first = q.enqueue(stubborn, 1L, stubbornOptions).id();
      await().atMost(Duration.ofSeconds(30)).until(() -> stateOf(store, first) == JobState.FAILED);
      String second = q.enqueue(stubborn, 2L, stubbornOptions).id();
      await().atMost(Duration.ofSeconds(30)).until(() -> stateOf(store, second) == JobState.FAILED);
      assertThat(stubbornRunning.await(10, TimeUnit.SECONDS)).isTrue();
      String waiting = q.enqueue(quick, 3L, JobOptions.builder().timeout(Duration.ofMillis(300))
          .retry(RetryPolicy.none()).build()).id();
      await().atMost(Duration.ofSeconds(30)).until(() -> stateOf(store, waiting) == JobState.RUNNING);

      beats.awaitWhole(6); // over 500 ms of housekeeping ticks, each checking timeouts, while it waits for a thread
      assertThat(events).filteredOn(e -> e.jobId().equals(waiting)).extracting(JobEvent::type)
          .doesNotContain(JobEvent.Type.TIMED_OUT);
      assertThat(w.executorStats().map(ExecutorStats::stuck)).as("stuck threads, at the pool's limit").contains(1);

      release.countDown();
      await().atMost(Duration.ofSeconds(30)).until(() -> stateOf(store, waiting).isTerminal());
      assertThat(stateOf(store, waiting)).isEqualTo(JobState.SUCCEEDED);
    }
  }

  private static JobState stateOf(InMemoryJobStore store, String id) {
    return store.find(id).orElseThrow().state();
  }
}
