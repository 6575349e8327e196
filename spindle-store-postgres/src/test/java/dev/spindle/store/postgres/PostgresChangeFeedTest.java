package dev.spindle.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.Subscription;
import dev.spindle.testkit.postgres.PostgresServer;
import dev.spindle.testkit.redis.FaultProxy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The store's change feed (the LISTEN connection that wakes subscribers) under faults: a listener
 * throwing an {@link Error}, a burst of concurrent commits (their NOTIFYs coalesce), and a LISTEN
 * connection gone half-open (a {@link FaultProxy} that stops
 * forwarding without closing anything, as when the peer vanishes without FIN or RST).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PostgresChangeFeedTest {
  private static NewJob job(String arg) {
    Instant now = Instant.now();
    return new NewJob("store.echo", "\"" + arg + "\"", "default", 0, now, null, JobPolicy.defaults(), now);
  }

  @Test
  void aListenerThrowingAnErrorDoesNotStopTheFeed() throws Exception {
    PostgresJobStore.Builder b = SharedPostgres.builder("feederr").pollInterval(Duration.ofMillis(50));
    try (PostgresJobStore listener = b.open(); PostgresJobStore producer = b.open()) {
      AtomicInteger calls = new AtomicInteger();
      try (Subscription s = listener.subscribe(() -> {
        if (calls.incrementAndGet() == 1) {
          throw new AssertionError("a listener's bug");
        }
      })) {
        // the feed's thread survives the error: the fallback poll calls the listener again
        await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(20)).until(() -> calls.get() >= 3);
        long before = listener.wakeUpsByNotification();
        // and notifications still wake it
        await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
            .until(() -> {
              producer.enqueue(List.of(job("after the error")));
              return listener.wakeUpsByNotification() > before;
            });
      }
    }
  }

  @Test
  void aBurstOfConcurrentCommitsLeavesTheFeedSending() throws Exception {
    PostgresJobStore.Builder b = SharedPostgres.builder("feedburst");
    try (PostgresJobStore listener = b.open(); PostgresJobStore producer = b.open()) {
      CountDownLatch ready = new CountDownLatch(1);
      try (Subscription s = listener.subscribe(ready::countDown)) {
        assertThat(ready.await(10, TimeUnit.SECONDS)).as("the feed listens").isTrue();
        long before = listener.wakeUpsByNotification();
        int threads = 8;
        int each = 50;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
          List<Future<?>> bursts = new ArrayList<>();
          for (int t = 0; t < threads; t++) {
            bursts.add(pool.submit(() -> {
              for (int i = 0; i < each; i++) {
                producer.enqueue(List.of(job("burst")));
              }
              return null;
            }));
          }
          for (Future<?> f : bursts) {
            f.get(60, TimeUnit.SECONDS);
          }
        } finally {
          pool.shutdownNow();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> listener.wakeUpsByNotification() > before);
        // the feed is not stuck with signals it will never send: at most two notifications of the burst
        // can still be in flight (the one being sent and the one after it), so three single commits
        // each waking the listener again prove it sends for new commits
        for (int i = 0; i < 3; i++) {
          long seen = listener.wakeUpsByNotification();
          producer.enqueue(List.of(job("after the burst")));
          await().atMost(Duration.ofSeconds(10)).until(() -> listener.wakeUpsByNotification() > seen);
        }
      }
    }
  }

  @Test
  void aHalfOpenListenConnectionIsNoticedAndReplaced() throws Exception {
    PostgresServer pg = PostgresServer.shared();
    String schema = PostgresServer.newSchema("halfopen");
    try (FaultProxy proxy = new FaultProxy(pg.host(), pg.port());
         PostgresJobStore listener = PostgresJobStore.builder(pg.host(), proxy.port(), "postgres", pg.user())
             .password(pg.password()).schema(schema).pollInterval(Duration.ofMillis(100)).open();
         PostgresJobStore producer = PostgresJobStore.builder(pg.host(), pg.port(), "postgres", pg.user())
             .password(pg.password()).schema(schema).open()) {
      CountDownLatch ready = new CountDownLatch(1);
      try (Subscription s = listener.subscribe(ready::countDown)) {
        assertThat(ready.await(10, TimeUnit.SECONDS)).as("the feed listens").isTrue();
        long before = listener.wakeUpsByNotification();
        producer.enqueue(List.of(job("through the proxy"))); // one NOTIFY: none left in flight after it
        await().atMost(Duration.ofSeconds(10)).until(() -> listener.wakeUpsByNotification() > before);

        proxy.freeze(); // the LISTEN connection stays open, but nothing reaches it any more
        long frozenAt = listener.wakeUpsByNotification();
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200)).until(() -> {
          producer.enqueue(List.of(job("after the freeze")));
          return listener.wakeUpsByNotification() > frozenAt;
        });
      }
    }
  }
}
