package dev.spindle.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.memory.InMemoryJobStore;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.testkit.store.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code spindle_jobs_duplicates}: per task, the jobs whose body may have run twice at once, from the
 * store's attempts ledger, after a worker whose lease ran out completed after its successor.
 */
class DuplicatesGaugeTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static WorkerRecord worker(String id, Instant now, Duration lease) {
    return new WorkerRecord(id, id, "host", 1, List.of("default"), 4, "THREADS", "RUNNING", now, now,
        now.plus(lease), 0, 0, 0, 0);
  }

  private static JobInfo claim(InMemoryJobStore store, String worker, Instant now) {
    return store.claim(new ClaimRequest(worker, List.of("default"), 1, now)).jobs().get(0);
  }

  @Test
  void countsTheJobsOfATaskThatRanTwice() {
    ManualClock clock = new ManualClock(T0);
    try (InMemoryJobStore store = new InMemoryJobStore("gauge", clock)) {
      store.heartbeat(worker("stale", T0, Duration.ofSeconds(30)));
      store.heartbeat(worker("good", T0, Duration.ofDays(1)));
      store.enqueue(List.of(new NewJob("mail.send", "1", "default", 0, T0, null, JobPolicy.defaults(), T0),
          new NewJob("report.build", "1", "default", 0, T0, null, JobPolicy.defaults(), T0)));
      SpindleMetrics metrics = SpindleMetrics.builder().clock(clock).storeRefresh(Duration.ZERO).build()
          .bindStore(store);
      assertThat(metrics.scrape()).doesNotContain("spindle_jobs_duplicates");

      JobInfo stale = claim(store, "stale", T0);
      Instant later = clock.advance(Duration.ofSeconds(31));
      store.reclaimExpired(later, 10);
      JobInfo next = claim(store, "good", later);
      assertThat(next.id()).isEqualTo(stale.id());
      store.complete(List.of(Completion.succeeded(next.id(), next.fence(), "good", "1")), later);
      assertThat(store.complete(List.of(Completion.succeeded(stale.id(), stale.fence(), "stale", "2")), later))
          .containsExactly(false);

      assertThat(metrics.scrape()).contains("spindle_jobs_duplicates{task=\"mail.send\"} 1.0")
          .doesNotContain("task=\"report.build\"");
    }
  }
}
