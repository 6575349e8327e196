package dev.spindle.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.Task;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.memory.InMemoryJobStore;
import dev.spindle.queue.spi.JobStore;
import dev.spindle.queue.spi.NewJob;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A worker writes the outcomes of short jobs in full rounds (group commit, see the dispatcher's
 * OutcomeGathering): against a store whose calls take 2 ms, sixteen slots of jobs that take
 * microseconds are written about sixteen per call, not split into a few early ones and the rest.
 * Real in-memory store behind a proxy that counts calls and gives each the cost of a real store's
 * ({@link SlowStore}).
 */
class WorkerGroupCommitTest {
  private static final Task<Long, Long> DOUBLE = Task.of("t.double", Long.class, Long.class, x -> 2 * x);
  private static final TaskRegistry REGISTRY = TaskRegistry.builder().add(DOUBLE).build();

  @Test
  void shortJobsAreWrittenInFullRounds() {
    int jobs = 1_600;
    AtomicLong calls = new AtomicLong();
    AtomicLong written = new AtomicLong();
    try (InMemoryJobStore memory = new InMemoryJobStore()) {
      JobStore store = SlowStore.wrap(memory, Duration.ofMillis(2), args -> {
        List<?> completions = (List<?>) args[0];
        if (!completions.isEmpty()) {
          calls.incrementAndGet();
          written.addAndGet(completions.size());
        }
      });
      Instant now = Instant.now();
      List<NewJob> batch = new ArrayList<>();
      for (int i = 0; i < jobs; i++) {
        batch.add(new NewJob("t.double", Integer.toString(i), JobOptions.DEFAULT_QUEUE, 0, now, null,
            JobPolicy.defaults(), now));
      }
      memory.enqueue(batch);
      try (Worker w = Worker.builder(store).registry(REGISTRY).concurrency(16).pollInterval(Duration.ofMillis(50))
          .shutdownGrace(Duration.ofSeconds(5)).start()) {
        await().atMost(Duration.ofSeconds(60)).until(() -> written.get() == jobs);
        assertThat(w.failure()).isEmpty();
      }
      double perCall = written.get() / (double) calls.get();
      assertThat(perCall).as("outcomes written per store call (%d calls)", calls.get()).isGreaterThan(13.5);
    }
  }
}
