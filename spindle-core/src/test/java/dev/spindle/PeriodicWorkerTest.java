package dev.spindle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PeriodicWorkerTest {
  private final ManualClock clock = new ManualClock();
  private final PeriodicWorker worker = PeriodicWorker.builder().clock(clock).name("test-periodic").build();

  @Test
  void fixedRateRunsOncePerPeriodStartingAfterOnePeriod() {
    AtomicInteger runs = new AtomicInteger();
    worker.add(Periodic.fixedRate("every_one", Duration.ofSeconds(1), runs::incrementAndGet));
    assertThat(worker.runDue()).contains(Duration.ofSeconds(1));
    assertThat(runs).hasValue(0);
    clock.advanceMillis(999);
    worker.runDue();
    assertThat(runs).hasValue(0);
    clock.advanceMillis(1);
    assertThat(worker.runDue()).contains(Duration.ofSeconds(1));
    assertThat(runs).hasValue(1);
    worker.runDue();
    assertThat(runs).as("not twice in one period").hasValue(1);
    clock.advanceMillis(1000);
    worker.runDue();
    assertThat(runs).hasValue(2);
    WatcherStats s = worker.watchers().get(0);
    assertThat(s.name()).isEqualTo("every_one");
    assertThat(s.runs()).isEqualTo(2);
    assertThat(s.successes()).isEqualTo(2);
    assertThat(s.failures()).isZero();
    assertThat(s.running()).isFalse();
    assertThat(s.toString()).startsWith("every_one(runs=2, successes=2, failures=0, elapsed=0.00, elapsed_waiting=0.00)");
  }

  @Test
  void withTheDefaultClockTheNextDueTimeReadsAsWallTime() {
    Instant before = Instant.now();
    try (PeriodicWorker w = PeriodicWorker.builder().build()) {
      w.add(Periodic.fixedRate("hourly", Duration.ofHours(1), () -> { }));
      Instant due = w.watchers().get(0).nextDue();
      assertThat(due).isNotNull();
      assertThat(Duration.between(before.plus(Duration.ofHours(1)), due)).isBetween(Duration.ZERO,
          Duration.ofMinutes(1));
    }
  }

  @Test
  void runImmediatelyRunsWhenAdded() {
    AtomicInteger runs = new AtomicInteger();
    worker.add(Periodic.fixedRate("now", Duration.ofSeconds(4), runs::incrementAndGet).runImmediately());
    worker.runDue();
    assertThat(runs).hasValue(1);
  }

  @Test
  void fixedRateCountsFromStartAndFixedDelayFromEnd() {
    List<String> log = new ArrayList<>();
    Duration work = Duration.ofMillis(300);
    worker.add(Periodic.fixedRate("rate", Duration.ofSeconds(1), () -> {
      log.add("rate");
      clock.advance(work); // the run takes 300 ms of clock time
    }));
    worker.add(Periodic.fixedDelay("delay", Duration.ofSeconds(1), () -> {
      log.add("delay");
      clock.advance(work);
    }));
    clock.advanceMillis(1000); // t=1.0: both due
    worker.runDue();          // rate runs 1.0-1.3, delay runs 1.3-1.6 -> delay next due 2.6
    assertThat(log).containsExactly("rate", "delay");
    log.clear();
    clock.advanceMillis(400); // t=2.0: rate due (1.0 + 1), delay not (2.6)
    worker.runDue();
    assertThat(log).containsExactly("rate"); // ran 2.0-2.3
    log.clear();
    clock.advanceMillis(300); // t=2.6
    worker.runDue();
    assertThat(log).containsExactly("delay");
    WatcherStats rate = worker.watcher("rate").orElseThrow().stats();
    assertThat(rate.elapsed()).isEqualTo(Duration.ofMillis(600));
    assertThat(rate.averageElapsed()).isEqualTo(Duration.ofMillis(300));
  }

  @Test
  void aLateRunIsCountedAsWaitingAndMissedPeriodsAreNotMadeUp() {
    AtomicInteger runs = new AtomicInteger();
    worker.add(Periodic.fixedRate("late", Duration.ofSeconds(1), runs::incrementAndGet));
    clock.advanceMillis(3500); // due at 1.0; 2.5 s late
    worker.runDue();
    worker.runDue();
    assertThat(runs).hasValue(1);
    WatcherStats s = worker.watchers().get(0);
    assertThat(s.elapsedWaiting()).isEqualTo(Duration.ofMillis(2500));
    assertThat(s.nextDue()).isEqualTo(clock.instant().plusMillis(500)); // next grid point: 4.0
    clock.advanceMillis(499);
    worker.runDue();
    assertThat(runs).hasValue(1);
    clock.advanceMillis(1);
    worker.runDue();
    assertThat(runs).hasValue(2);
  }

  @Test
  void failuresAreCountedAndTheTaskKeepsItsSchedule() {
    AtomicInteger calls = new AtomicInteger();
    worker.add(Periodic.fixedRate("flaky", Duration.ofSeconds(1), () -> {
      if (calls.incrementAndGet() % 2 == 0) {
        throw new IllegalStateException("every second run fails (expected in this test)");
      }
    }));
    for (int i = 0; i < 4; i++) {
      clock.advanceMillis(1000);
      worker.runDue();
    }
    WatcherStats s = worker.watchers().get(0);
    assertThat(s.runs()).isEqualTo(4);
    assertThat(s.successes()).isEqualTo(2);
    assertThat(s.failures()).isEqualTo(2);
  }

  @Test
  void tasksCanBeAddedAndRemovedAtRuntime() {
    AtomicInteger a = new AtomicInteger();
    AtomicInteger b = new AtomicInteger();
    PeriodicWorker.Watcher wa = worker.add(Periodic.fixedRate("a", Duration.ofSeconds(1), a::incrementAndGet));
    clock.advanceMillis(1000);
    worker.runDue();
    worker.add(Periodic.fixedRate("b", Duration.ofSeconds(1), b::incrementAndGet));
    assertThatThrownBy(() -> worker.add(Periodic.fixedRate("b", Duration.ofSeconds(2), () -> { })))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'b'");
    assertThat(wa.remove()).isTrue();
    assertThat(wa.remove()).isFalse();
    assertThat(worker.remove("nope")).isFalse();
    clock.advanceMillis(1000);
    worker.runDue();
    assertThat(a).hasValue(1);
    assertThat(b).hasValue(1);
    assertThat(worker.watchers()).extracting(WatcherStats::name).containsExactly("b");
    assertThat(wa.stats().nextDue()).isNull();
    worker.remove("b");
    assertThat(worker.runDue()).isEmpty();
  }

  @Test
  void aTaskNeverOverlapsItselfOnAParallelExecutor() throws InterruptedException {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      CountDownLatch entered = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      CountDownLatch finished = new CountDownLatch(1);
      AtomicInteger runs = new AtomicInteger();
      PeriodicWorker w = PeriodicWorker.builder().clock(clock).executor(pool).build();
      w.add(Periodic.fixedDelay("slow", Duration.ofSeconds(1), () -> {
        runs.incrementAndGet();
        entered.countDown();
        release.await();
        finished.countDown();
      }).runImmediately());
      w.runDue();
      assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
      clock.advanceMillis(5000);
      w.runDue();
      w.runDue();
      assertThat(runs).hasValue(1);
      assertThat(w.watchers().get(0).running()).isTrue();
      release.countDown();
      assertThat(finished.await(30, TimeUnit.SECONDS)).isTrue();
      org.awaitility.Awaitility.await().until(() -> !w.watchers().get(0).running());
      assertThat(w.watchers().get(0).runs()).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aStartedWorkerRunsTasksOnItsThreadUntilStopped() throws InterruptedException {
    CountDownLatch three = new CountDownLatch(3);
    List<String> threads = new ArrayList<>();
    try (PeriodicWorker real = PeriodicWorker.builder().name("real-periodic").build()) {
      real.add(Periodic.fixedRate("fast", Duration.ofMillis(5), () -> {
        synchronized (threads) {
          threads.add(Thread.currentThread().getName());
        }
        three.countDown();
      }));
      real.start();
      assertThat(real.isRunning()).isTrue();
      assertThatThrownBy(real::start).isInstanceOf(IllegalStateException.class);
      assertThat(three.await(30, TimeUnit.SECONDS)).isTrue();
      real.stop();
      assertThat(real.isRunning()).isFalse();
      real.stop(); // idempotent
      long runs = real.watchers().get(0).runs();
      assertThat(runs).isGreaterThanOrEqualTo(3);
      synchronized (threads) {
        assertThat(threads).containsOnly("real-periodic");
      }
    }
  }

  @Test
  void aStartedWorkerPicksUpATaskAddedLater() throws InterruptedException {
    CountDownLatch ran = new CountDownLatch(1);
    try (PeriodicWorker real = PeriodicWorker.builder().build()) {
      real.start();
      real.add(Periodic.fixedRate("later", Duration.ofHours(1), ran::countDown).runImmediately());
      assertThat(ran.await(30, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void invalidDefinitionsAreRefused() {
    assertThatThrownBy(() -> Periodic.fixedRate("x", Duration.ZERO, () -> { }))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive");
    assertThatThrownBy(() -> Periodic.fixedRate(" ", Duration.ofSeconds(1), () -> { }))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
