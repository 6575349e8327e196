package dev.spindle.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.memory.InMemoryJobStore;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.WorkerRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code spindle_jobs_unroutable}: waiting jobs whose task no live worker of their queue knows. */
class UnroutableGaugeTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static NewJob job(String task) {
    return new NewJob(task, "1", "default", 0, T0, null, JobPolicy.defaults(), T0);
  }

  private static WorkerRecord worker(String id, Set<String> tasks) {
    return new WorkerRecord(id, id, "host", 1, List.of("default"), 4, "THREADS", "RUNNING", T0, T0,
        T0.plus(Duration.ofHours(1)), 0, 0, 0, 0, null, tasks);
  }

  @Test
  void countsTheWaitingJobsOfEachTaskNoLiveWorkerKnowsByQueueAndTask() {
    Clock clock = Clock.fixed(T0, ZoneOffset.UTC);
    try (InMemoryJobStore store = new InMemoryJobStore("gauge", clock)) {
      store.heartbeat(worker("old", Set.of("known")));
      store.enqueue(List.of(job("known"), job("newer"), job("newer")));
      SpindleMetrics metrics = SpindleMetrics.builder().clock(clock).storeRefresh(Duration.ZERO).build()
          .bindStore(store);
      assertThat(metrics.scrape()).contains("spindle_jobs_unroutable{queue=\"default\",task=\"newer\"} 2.0")
          .doesNotContain("task=\"known\"");

      store.heartbeat(worker("new", Set.of("known", "newer")));
      assertThat(metrics.scrape()).as("a live worker knows it now")
          .contains("spindle_jobs_unroutable{queue=\"default\",task=\"newer\"} 0.0");
    }
  }
}
