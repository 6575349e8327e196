package dev.spindle.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.store.jdbc.internal.ServerClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The store's default clock, the server's ({@link ServerClock}), is measured again every few seconds,
 * and store transactions read it while they hold a pooled connection: the measurement must not
 * wait for a connection of the pool there.
 */
class PostgresDbClockTest {
  @Test
  void aStoreWithOneConnectionMeasuresTheServerClockAgainWithoutWaitingForItself() {
    try (PostgresJobStore store = SharedPostgres.builder("clockpool").maxConnections(1).open()) {
      long opened = System.nanoTime();
      // the measurement taken at open grows old enough to be taken again at the next read
      await().atMost(Duration.ofSeconds(30)).until(() -> System.nanoTime() - opened > ServerClock.RESAMPLE_NANOS);
      Instant now = Instant.now();
      long start = System.nanoTime();
      // the enqueue's transaction holds the pool's one connection and reads the store's clock
      EnqueueResult r = store.enqueue(List.of(new NewJob("store.echo", "\"x\"", "default", 0, now, null,
          JobPolicy.defaults(), now))).get(0);
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(took).as("the clock did not wait for the pool's connection (10 s timeout)")
          .isLessThan(Duration.ofSeconds(5));
      assertThat(store.find(r.jobId()).orElseThrow().state()).isEqualTo(JobState.QUEUED);
    }
  }
}
