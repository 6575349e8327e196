package dev.spindle.coordination;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.coordination.internal.MemoryBackend;
import dev.spindle.testkit.store.ManualClock;
import java.lang.reflect.Field;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class MemoryCoordinationTest extends CoordinationContract {
  /** Coordinators of one test share one store, as processes share SQLite or Redis. */
  private final MemoryBackend shared = new MemoryBackend();

  @Override
  Coordinator.Builder backend() {
    return Coordinator.builder().backend(shared);
  }

  @Test
  void byDefaultLeasesAreOnTheMonotonicClock() {
    try (Coordinator c = Coordinator.builder().memory().build()) {
      assertThat(c.guarantees()).contains("leases on the monotonic clock");
    }
    ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    try (Coordinator c = Coordinator.builder().memory().clock(clock).build()) {
      assertThat(c.guarantees()).as("a clock set after memory()").contains("leases on the injected clock");
      assertThat(c.backend().now()).isEqualTo(clock.instant());
    }
  }

  @Test
  void leasesExpireOnTheStoresClockNotTheCallers() {
    ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    try (Coordinator c = Coordinator.builder().clock(clock).memory().build()) {
      var first = c.backend().tryAcquire("x", 1, "h1", Duration.ofSeconds(10));
      assertThat(c.backend().tryAcquire("x", 1, "h2", Duration.ofSeconds(10)).retryAfter())
          .isEqualTo(Duration.ofSeconds(10));
      clock.advance(Duration.ofMillis(9_999));
      assertThat(c.backend().tryAcquire("x", 1, "h2", Duration.ofSeconds(10)).granted()).isFalse();
      clock.advance(Duration.ofMillis(1));
      var second = c.backend().tryAcquire("x", 1, "h2", Duration.ofSeconds(10));
      assertThat(second.granted()).isTrue();
      assertThat(second.token()).isEqualTo(first.token() + 1);
    }
  }

  /**
   * The coordinator's registry of waiting threads, with a seam: right after the {@code arriving}
   * thread's call on it returns, {@code meanwhile} runs (on whichever thread the test lets run).
   */
  private static final class SeamedWaiters extends ConcurrentHashMap<String, Set<Thread>> {
    private final Thread arriving;
    private final Runnable meanwhile;
    private boolean done;

    SeamedWaiters(Thread arriving, Runnable meanwhile) {
      this.arriving = arriving;
      this.meanwhile = meanwhile;
    }

    private void after() {
      if (Thread.currentThread() == arriving && !done) {
        done = true;
        meanwhile.run();
      }
    }

    @Override
    public Set<Thread> computeIfAbsent(String key, Function<? super String, ? extends Set<Thread>> f) {
      Set<Thread> r = super.computeIfAbsent(key, f);
      after();
      return r;
    }

    @Override
    public Set<Thread> compute(String key,
        BiFunction<? super String, ? super Set<Thread>, ? extends Set<Thread>> f) {
      Set<Thread> r = super.compute(key, f);
      after();
      return r;
    }
  }

  @Test
  void aWaiterThatLeavesAsAnotherArrivesDoesNotTakeTheNewcomersRegistrationWithIt() throws Exception {
    try (Coordinator c = Coordinator.builder().memory().build()) {
      CountDownLatch registered = new CountDownLatch(1);
      CountDownLatch leave = new CountDownLatch(1);
      CountDownLatch left = new CountDownLatch(1);
      Thread arriving = Thread.currentThread();
      SeamedWaiters waiters = new SeamedWaiters(arriving, () -> {
        leave.countDown();
        try {
          left.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      Field f = Coordinator.class.getDeclaredField("waiters");
      f.setAccessible(true);
      f.set(c, waiters);
      Thread leaving = Thread.ofPlatform().start(() -> {
        c.waiting("x", true);
        registered.countDown();
        try {
          leave.await();
        } catch (InterruptedException e) {
          return;
        }
        c.waiting("x", false); // its acquire ended (timed out, say)
        left.countDown();
      });
      assertThat(registered.await(10, TimeUnit.SECONDS)).isTrue();
      c.waiting("x", true); // the other waiter leaves right after this thread's call on the registry
      leaving.join(TimeUnit.SECONDS.toMillis(10));
      assertThat(waiters.get("x")).as("waiting for x").containsExactly(arriving);
      c.lock("x").tryAcquire().orElseThrow().close(); // a release through this coordinator wakes it
      long parked = System.nanoTime();
      LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(10));
      assertThat(System.nanoTime() - parked).as("woken by the release").isLessThan(TimeUnit.SECONDS.toNanos(5));
      c.waiting("x", false);
      assertThat(waiters).isEmpty();
    }
  }
}
