package dev.spindle.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobObserver;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobState;
import dev.spindle.queue.memory.InMemoryJobStore;
import dev.spindle.queue.spi.JobInspector;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.StoreAdmin;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Labels stay bounded, and the store is read at most once per refresh interval. */
class BoundedSeriesTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static JobInfo job(String id, String queue, String task) {
    return new JobInfo(id, task, queue, JobState.RUNNING, 0, "1", null, null, null, null, 1, 0, 0, 1, "w", false, T0,
        T0, T0, null, null, 0, JobPolicy.defaults());
  }

  @Test
  void pairsBeyondTheLimitAreCountedAsOther() {
    SpindleMetrics metrics = SpindleMetrics.builder().maxSeries(5).maxQueues(3).build();
    JobObserver o = metrics.observer();
    for (int q = 0; q < 10; q++) {
      for (int t = 0; t < 10; t++) {
        o.enqueued("q" + q, "t" + t);
        o.started(job(q + "-" + t, "q" + q, "t" + t), Duration.ofMillis(5))
            .finished(JobObserver.Outcome.SUCCEEDED, Duration.ofMillis(3), null);
      }
    }
    String text = metrics.scrape();
    assertThat(metrics.jobSeries()).isLessThanOrEqualTo(5 + 3 + 1);
    assertThat(text).contains("task=\"_other\"").contains("queue=\"_other\"");
    double total = 0;
    for (String line : text.split("\n")) {
      if (line.startsWith("spindle_jobs_succeeded_total{")) {
        total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    assertThat(total).as("nothing is lost, only grouped").isEqualTo(100.0);
  }

  @Test
  void interleavedPairsAreEachCountedUnderTheirOwnLabels() {
    SpindleMetrics metrics = SpindleMetrics.builder().maxSeries(2).build();
    JobObserver o = metrics.observer();
    String[][] order = {{"a", "x"}, {"a", "x"}, {"a", "y"}, {"a", "x"}, {"b", "x"}, {"b", "x"}, {"a", "y"}, {"b", "x"}};
    for (int i = 0; i < order.length; i++) {
      // new String: names read from a store are new strings each time
      o.started(job("j" + i, new String(order[i][0]), new String(order[i][1])), Duration.ofMillis(1))
          .finished(JobObserver.Outcome.SUCCEEDED, Duration.ofMillis(1), null);
    }
    String text = metrics.scrape();
    assertThat(text).contains("spindle_jobs_succeeded_total{queue=\"a\",task=\"x\"} 3.0")
        .contains("spindle_jobs_succeeded_total{queue=\"a\",task=\"y\"} 2.0")
        .as("the third pair is beyond the limit, every time it comes")
        .contains("spindle_jobs_succeeded_total{queue=\"b\",task=\"_other\"} 3.0")
        .doesNotContain("queue=\"b\",task=\"x\"");
  }

  @Test
  void theStoreIsReadAtMostOncePerRefreshInterval() {
    AtomicInteger reads = new AtomicInteger();
    try (InMemoryJobStore store = new InMemoryJobStore()) {
      JobInspector real = store.inspector();
      JobInspector counting = (JobInspector) java.lang.reflect.Proxy.newProxyInstance(
          JobInspector.class.getClassLoader(), new Class<?>[] {JobInspector.class}, (p, m, args) -> {
            if (m.getName().equals("queueSummaries")) {
              reads.incrementAndGet(); // counted, then answered by the real store
            }
            return m.invoke(real, args);
          });
      store.enqueue(List.of(new NewJob("t", "1", "default", 0, T0, null, JobPolicy.defaults(), T0),
          new NewJob("t", "2", "default", 0, T0, null, JobPolicy.defaults(), T0),
          new NewJob("t", "3", "default", 0, T0, null, JobPolicy.defaults(), T0)));
      StoreAdmin admin = (StoreAdmin) java.lang.reflect.Proxy.newProxyInstance(StoreAdmin.class.getClassLoader(),
          new Class<?>[] {StoreAdmin.class}, (p, m, args) -> m.getName().equals("inspector") ? counting
              : m.invoke(store, args));
      SpindleMetrics metrics = SpindleMetrics.builder().storeRefresh(Duration.ofHours(1)).build().bindStore(admin);
      for (int i = 0; i < 10; i++) {
        assertThat(metrics.scrape()).contains("spindle_queue_depth{queue=\"default\"} 3.0");
      }
      assertThat(reads.get()).isEqualTo(1);
    }
  }
}
