package dev.spindle.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.Task;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.memory.InMemoryJobStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The worker's host clock steps back or forward by an hour (an NTP correction, a VM restored from a
 * snapshot) while the store's clock keeps real time. Stepped back, the worker's periods and job
 * timeouts must keep coming round: on its clock alone, no heartbeat would fall due for an hour, its
 * lease would run out and the job it runs would be reclaimed under it. Stepped forward, no job may
 * be timed out early. Real in-memory store and real threads; the tests wait for heartbeats and
 * events, not for a time.
 */
class WorkerClockStepTest {
  private final SteppedClock workerClock = SteppedClock.ofSystem();
  private final CountDownLatch running = new CountDownLatch(1);
  private final CountDownLatch end = new CountDownLatch(1);
  /** A job that runs until {@link #end} opens (as each test's resources close). */
  private final Task<Long, Long> hang = Task.of("t.hang", Long.class, Long.class, x -> {
    running.countDown();
    end.await();
    return x;
  });
  private final TaskRegistry registry = TaskRegistry.builder().add(hang).build();

  @Test
  void heartbeatsGoOnAfterTheWorkersClockStepsBackSoItsRunningJobKeepsItsLease() throws Exception {
    List<JobEvent> events = new CopyOnWriteArrayList<>();
    Heartbeats beats = new Heartbeats();
    Duration lease = Duration.ofMillis(600);
    try (InMemoryJobStore store = new InMemoryJobStore("memory", Clock.systemUTC());
         Worker w = Worker.builder(beats.wrap(store)).registry(registry).concurrency(1).clock(workerClock)
             .heartbeatInterval(Duration.ofMillis(100)).leaseDuration(lease).clockSkewWarning(Duration.ofHours(2))
             .shutdownGrace(Duration.ofSeconds(10)).listener(events::add).start();
         JobQueue q = JobQueue.builder(store).registry(registry).build();
         AutoCloseable jobEnds = end::countDown) { // closed first: the job ends before the worker stops
      String id = q.enqueue(hang, 1L).id();
      assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
      beats.awaitWhole(1);
      workerClock.step(Duration.ofHours(-1));
      Instant stepped = Instant.now();
      // the store's clock moves past twice the lease, and a heartbeat begun after that ends
      await().atMost(Duration.ofSeconds(30)).until(() -> Instant.now().isAfter(stepped.plus(lease.multipliedBy(2))));
      beats.awaitWhole(1);

      assertThat(store.reclaimExpired(Instant.now(), 100)).as("jobs whose worker's lease ran out").isEmpty();
      assertThat(store.find(id)).hasValueSatisfying(j -> {
        assertThat(j.state()).isEqualTo(JobState.RUNNING);
        assertThat(j.workerId()).isEqualTo(w.id());
      });
      assertThat(events).extracting(JobEvent::type).doesNotContain(JobEvent.Type.LEASE_LOST, JobEvent.Type.RECLAIMED);
    }
  }

  @Test
  void aJobStillTimesOutAfterTheWorkersClockStepsBack() throws Exception {
    CountDownLatch timedOut = new CountDownLatch(1);
    try (InMemoryJobStore store = new InMemoryJobStore("memory", Clock.systemUTC());
         Worker w = Worker.builder(store).registry(registry).concurrency(1).clock(workerClock)
             .clockSkewWarning(Duration.ofHours(2)).shutdownGrace(Duration.ofSeconds(10))
             .listener(e -> {
               if (e.type() == JobEvent.Type.TIMED_OUT) {
                 timedOut.countDown();
               }
             }).start();
         JobQueue q = JobQueue.builder(store).registry(registry).build();
         AutoCloseable jobEnds = end::countDown) { // closed first: the job ends before the worker stops
      q.enqueue(hang, 1L, JobOptions.builder().timeout(Duration.ofMillis(300)).retry(RetryPolicy.none()).build());
      assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
      workerClock.step(Duration.ofHours(-1));
      assertThat(timedOut.await(30, TimeUnit.SECONDS)).as("the job's timeout, with the clock an hour back").isTrue();
      assertThat(w.failure()).isEmpty();
    }
  }

  @Test
  void aJobIsNotTimedOutEarlyWhenTheWorkersClockStepsForward() throws Exception {
    List<JobEvent> events = new CopyOnWriteArrayList<>();
    Heartbeats beats = new Heartbeats();
    try (InMemoryJobStore store = new InMemoryJobStore("memory", Clock.systemUTC());
         Worker w = Worker.builder(beats.wrap(store)).registry(registry).concurrency(1).clock(workerClock)
             .heartbeatInterval(Duration.ofMillis(100)).leaseDuration(Duration.ofSeconds(10))
             .clockSkewWarning(Duration.ofHours(2)).shutdownGrace(Duration.ofSeconds(10)).listener(events::add).start();
         JobQueue q = JobQueue.builder(store).registry(registry).build();
         AutoCloseable jobEnds = end::countDown) { // closed first: the job ends before the worker stops
      String id = q.enqueue(hang, 1L, JobOptions.builder().timeout(Duration.ofMinutes(10)).build()).id();
      assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
      workerClock.step(Duration.ofHours(1));
      // whole housekeeping ticks on the stepped clock: each checks timeouts before its heartbeat
      beats.awaitWhole(3);
      assertThat(events).extracting(JobEvent::type).doesNotContain(JobEvent.Type.TIMED_OUT);
      assertThat(store.find(id)).hasValueSatisfying(j -> assertThat(j.state()).isEqualTo(JobState.RUNNING));
      assertThat(w.failure()).isEmpty();
    }
  }
}
