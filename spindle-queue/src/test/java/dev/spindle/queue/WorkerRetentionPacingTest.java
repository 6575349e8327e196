package dev.spindle.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.Task;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.memory.InMemoryJobStore;
import dev.spindle.queue.spi.JobStore;
import dev.spindle.queue.spi.RetentionLimits;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A busy worker runs retention after every {@link RetentionLimits#batch()} jobs it finishes, not
 * only once per purge interval: the finished jobs beyond the limits never pile up for an interval.
 * Real in-memory store, its purge and heartbeat calls counted through a proxy.
 */
class WorkerRetentionPacingTest {
  private static final int BATCH = 10;

  private final InMemoryJobStore memory = new InMemoryJobStore();
  private final AtomicInteger purges = new AtomicInteger();
  private final AtomicInteger heartbeats = new AtomicInteger();
  private final JobStore store = counting(memory);
  private final TaskRegistry registry =
      TaskRegistry.builder().add(Task.of("t.echo", String.class, String.class, s -> s)).build();
  private final JobQueue queue = JobQueue.builder(memory).registry(registry).build();

  @AfterEach
  void tearDown() {
    queue.close();
    memory.close();
  }

  private JobStore counting(JobStore inner) {
    return (JobStore) Proxy.newProxyInstance(JobStore.class.getClassLoader(), new Class<?>[] {JobStore.class},
        (proxy, method, args) -> {
          if (method.getName().equals("purgeExpired")) {
            purges.incrementAndGet();
          } else if (method.getName().equals("heartbeat")) {
            heartbeats.incrementAndGet();
          }
          try {
            return method.invoke(inner, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  private List<String> enqueue(int n, String prefix) {
    List<JobRequest> requests = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      requests.add(JobRequest.of("t.echo", "\"" + prefix + i + "\""));
    }
    return queue.enqueueAll(requests).stream().map(JobHandle::id).toList();
  }

  private long finishedStored() {
    return memory.inspector().queueSummaries().stream().mapToLong(s -> s.counts().getOrDefault(JobState.SUCCEEDED, 0L))
        .sum();
  }

  @Test
  void retentionRunsAfterEveryBatchOfFinishedJobsLongBeforeItsInterval() {
    try (Worker w = Worker.builder(store).registry(registry).concurrency(4).pollInterval(Duration.ofMillis(20))
        .heartbeatInterval(Duration.ofMillis(20)).purgeInterval(Duration.ofHours(1))
        .retention(new RetentionLimits(0, 0, BATCH)).start()) {
      // fewer than a batch: retention waits for its interval (an hour), so they stay
      List<String> first = enqueue(BATCH - 1, "a");
      await().atMost(Duration.ofSeconds(30))
          .until(() -> first.stream().allMatch(id -> memory.find(id).orElseThrow().state() == JobState.SUCCEEDED));
      int seen = heartbeats.get();
      await().atMost(Duration.ofSeconds(30)).until(() -> heartbeats.get() >= seen + 3); // housekeeping went on
      assertThat(purges.get()).as("purges before a batch finished").isZero();
      assertThat(finishedStored()).isEqualTo(BATCH - 1);

      // three batches more: each batch finished runs retention, which deletes beyond the limit of 0
      enqueue(3 * BATCH, "b");
      await().atMost(Duration.ofSeconds(30)).until(() -> w.stats().succeeded() == 4L * BATCH - 1);
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        assertThat(purges.get()).as("purges").isGreaterThanOrEqualTo(3);
        assertThat(finishedStored()).as("finished jobs still stored").isLessThan(BATCH);
      });
      assertThat(w.failure()).isEmpty();
    }
  }
}
