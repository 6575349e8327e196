package dev.spindle.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.store.sqlite.SqliteJobStore;
import dev.spindle.testkit.store.SteppedClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's clock steps back by an hour (an NTP correction, a VM restored from a snapshot):
 * the shared view of the store goes on being refreshed every tick, counts included, instead of
 * being served unchanged until the clock is back where it was.
 */
class LiveStatsClockStepTest {
  @TempDir
  Path dir;

  private static long queued(WebFixture f) {
    return WebFixture.json(f.get("/api/v1/status", WebFixture.VIEWER_TOKEN)).get("totals").get("QUEUED").asLong();
  }

  @Test
  void aClockSteppedBackAnHourDoesNotFreezeTheView() {
    SteppedClock clock = SteppedClock.ofSystem();
    SqliteJobStore store = SqliteJobStore.open(dir.resolve("step.db"));
    try (WebFixture f = new WebFixture(store, WebFixture.configure(Dashboard.builder(store)).clock(clock)
        .tick(Duration.ofMillis(200)))) {
      assertThat(queued(f)).isZero();
      clock.step(Duration.ofHours(-1));
      Instant now = Instant.now();
      // enqueued past the dashboard: only a refresh of its view shows it
      store.enqueue(List.of(new NewJob("t", "1", "q", 0, now, null, JobPolicy.defaults(), now)));
      long reads = f.dashboard.storeSnapshots();
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(queued(f))
          .as("the job enqueued after the step, in the view").isEqualTo(1));
      await().atMost(Duration.ofSeconds(10)).until(() -> {
        queued(f);
        return f.dashboard.storeSnapshots() >= reads + 3;
      });
    }
  }
}
