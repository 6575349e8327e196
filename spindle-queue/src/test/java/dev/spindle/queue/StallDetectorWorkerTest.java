package dev.spindle.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.Task;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.health.IncidentListener;
import dev.spindle.queue.health.StallDetector;
import dev.spindle.queue.health.StallRules;
import dev.spindle.queue.memory.InMemoryJobStore;
import dev.spindle.queue.spi.Incident;
import dev.spindle.queue.spi.IncidentLog;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * The stall detector against real workers on a real in-memory store whose clock the test steps: a
 * worker whose claims are frozen by a fault proxy ({@link ClaimGate}) raises one incident once its
 * queue's oldest ready job waited the configured time, not before, however many detectors watch;
 * and an hour of a healthy busy queue raises none.
 */
class StallDetectorWorkerTest {
  private static final Instant T0 = Instant.parse("2031-01-02T03:00:00Z");
  private static final Duration CLAIM_STALL = Duration.ofSeconds(20);
  private final Task<Long, Long> work = Task.of("t.work", Long.class, Long.class, x -> x);
  private final Task<Long, Long> busy = Task.of("t.busy", Long.class, Long.class, x -> {
    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // a job that takes a little while
    return x;
  });
  private final TaskRegistry registry = TaskRegistry.builder().add(work).add(busy).build();

  /** Collects what detectors told it. */
  private static final class Heard implements IncidentListener {
    final List<Incident> opened = new CopyOnWriteArrayList<>();
    final List<Incident> resolved = new CopyOnWriteArrayList<>();

    @Override
    public void opened(Incident incident) {
      opened.add(incident);
    }

    @Override
    public void resolved(Incident incident) {
      resolved.add(incident);
    }
  }

  @Test
  void aWorkerWhoseClaimsAreFrozenIsCaughtWithinTheClaimStallByOneIncident() throws Exception {
    SteppedClock clock = SteppedClock.at(T0);
    ClaimGate gate = new ClaimGate();
    Heard heard = new Heard();
    StallRules rules = StallRules.defaults().withClaimStall(CLAIM_STALL).withInterval(Duration.ofSeconds(1));
    try (InMemoryJobStore store = new InMemoryJobStore("stall", clock)) {
      StallDetector watching = StallDetector.of(store, rules, heard);
      StallDetector mine = StallDetector.of(store, rules, heard);
      StallDetector another = StallDetector.of(store, rules, heard);
      try (Worker frozen = Worker.builder(gate.wrap(store)).registry(registry).queues("mail").concurrency(2)
               .clock(clock).leaseDuration(Duration.ofMinutes(5)).start();
           // a healthy worker of another queue watches the store in its housekeeping
           Worker watcher = Worker.builder(store).registry(registry).queues("other").clock(clock)
               .leaseDuration(Duration.ofMinutes(5)).stallDetector(watching).start();
           JobQueue q = JobQueue.builder(store).registry(registry).clock(clock).build()) {
        String first = q.enqueue(work, 1L, JobOptions.builder().queue("mail").build()).id();
        await().atMost(Duration.ofSeconds(30)).until(() -> store.find(first).orElseThrow().state().isTerminal());

        gate.close();
        String stuck = q.enqueue(work, 2L, JobOptions.builder().queue("mail").build()).id();
        assertThat(gate.blocked.await(30, TimeUnit.SECONDS)).as("the worker's claim is frozen").isTrue();
        step(clock, CLAIM_STALL.minusSeconds(1), store, watching);
        assertThat(mine.evaluate(clock.instant())).as("a second short of the claim stall").isEmpty();
        assertThat(heard.opened).isEmpty();

        step(clock, Duration.ofSeconds(1), store, watching);
        mine.evaluate(clock.instant());
        another.evaluate(clock.instant());

        assertThat(heard.opened).as("one incident, told once across three detectors").hasSize(1);
        Incident i = heard.opened.get(0);
        assertThat(i.kind()).isEqualTo(Incident.Kind.STALLED_QUEUE);
        assertThat(i.queue()).isEqualTo("mail");
        assertThat(i.since()).isEqualTo(T0);
        assertThat(i.openedAt()).as("raised at the claim stall").isEqualTo(T0.plus(CLAIM_STALL));
        assertThat(i.details()).contains("1 ready job(s)").contains("20s").contains("2 free");
        IncidentLog log = store.incidents().orElseThrow();
        assertThat(log.incidents(false, 10)).containsExactly(i);
        assertThat(frozen.stats().running()).as("the frozen worker holds nothing").isZero();
        assertThat(watcher.stats().running()).isZero();

        gate.open();
        await().atMost(Duration.ofSeconds(30)).until(() -> store.find(stuck).orElseThrow().state().isTerminal());
        step(clock, Duration.ofSeconds(2), store, watching);
        mine.evaluate(clock.instant());
        another.evaluate(clock.instant());

        assertThat(heard.resolved).as("resolved once").singleElement()
            .satisfies(r -> assertThat(r.resolvedAt()).isEqualTo(clock.instant()));
        assertThat(log.incidents(true, 10)).isEmpty();
        assertThat(heard.opened).hasSize(1);
      }
    }
  }

  /**
   * Steps the clock, then waits until the watching worker's housekeeping evaluated at the new time
   * (its interval passed) and every worker's heartbeat saw it (their leases run on).
   */
  private static void step(SteppedClock clock, Duration d, InMemoryJobStore store, StallDetector watching) {
    long before = watching.evaluations();
    clock.step(d);
    Instant now = clock.instant();
    await().atMost(Duration.ofSeconds(30)).until(() -> watching.evaluations() > before
        && store.workers().stream().allMatch(w -> !w.heartbeatAt().isBefore(now)));
  }

  @Test
  void anHourOfAHealthyBusyQueueRaisesNoIncident() throws Exception {
    SteppedClock clock = SteppedClock.at(T0);
    Heard heard = new Heard();
    StallRules rules = StallRules.defaults().withClaimStall(Duration.ofSeconds(30))
        .withProgressStall(Duration.ofMinutes(2)).withInterval(Duration.ofSeconds(10))
        .withQueueLatency(Duration.ofMinutes(1)).withFailureRate(0.2, 10);
    try (InMemoryJobStore store = new InMemoryJobStore("healthy", clock);
         Worker w = Worker.builder(store).registry(registry).queues("busy").concurrency(4).clock(clock)
             .leaseDuration(Duration.ofMinutes(1)).stallDetector(StallDetector.of(store, rules, heard)).start();
         JobQueue q = JobQueue.builder(store).registry(registry).clock(clock).build()) {
      StallDetector mine = StallDetector.of(store, rules, heard);
      Duration step = Duration.ofSeconds(10);
      int steps = (int) (Duration.ofHours(1).toSeconds() / step.toSeconds());
      List<StallDetector.Change> changes = new ArrayList<>();
      List<String> last = List.of();
      for (int s = 0; s < steps; s++) {
        List<String> batch = new ArrayList<>();
        for (int j = 0; j < 12; j++) {
          batch.add(q.enqueue(busy, (long) j, JobOptions.builder().queue("busy").build()).id());
        }
        clock.step(step);
        Instant now = clock.instant();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(2)).until(() -> store.workers()
            .stream().allMatch(x -> !x.heartbeatAt().isBefore(now))); // the worker's heartbeat saw the step
        changes.addAll(mine.evaluate(clock.instant())); // while the batch runs or waits
        last = batch;
        List<String> wait = batch;
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(2)).until(() -> wait.stream()
            .allMatch(id -> store.find(id).orElseThrow().state().isTerminal()));
      }
      String lastId = last.get(last.size() - 1);

      assertThat(store.find(lastId).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
      assertThat(mine.evaluations()).isEqualTo(steps);
      assertThat(changes).isEmpty();
      assertThat(heard.opened).isEmpty();
      assertThat(store.incidents().orElseThrow().incidents(false, 10)).isEmpty();
      assertThat(store.statistics().orElseThrow().minutes(T0, clock.instant().plusSeconds(60)).stream()
          .mapToLong(m -> m.succeeded()).sum()).as("an hour of work was done").isEqualTo(12L * steps);
    }
  }
}
