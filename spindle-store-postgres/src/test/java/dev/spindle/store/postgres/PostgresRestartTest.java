package dev.spindle.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.TaskRegistry;
import dev.spindle.queue.JobHandle;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.Worker;
import dev.spindle.testkit.postgres.PostgresServer;
import dev.spindle.testkit.store.StoreContractTasks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The server restarted under a running worker: the pool and the LISTEN connection reconnect by
 * themselves, jobs committed before the restart and enqueued after it all run.
 */
class PostgresRestartTest {
  @Test
  void aWorkerCarriesOnAfterTheServerRestarts() throws Exception {
    try (PostgresServer pg = PostgresServer.start()) {
      PostgresJobStore.Builder b = PostgresJobStore.builder(pg.host(), pg.port(), "postgres", pg.user())
          .password(pg.password()).schema("restart").option("connectTimeout", "2");
      try (PostgresJobStore producerStore = b.open(); PostgresJobStore workerStore = b.open();
           JobQueue q = JobQueue.builder(producerStore).build();
           Worker w = Worker.builder(workerStore).registry(TaskRegistry.of(StoreContractTasks.class)).concurrency(4)
               .pollInterval(Duration.ofMillis(100)).start()) {
        assertThat(q.enqueue(StoreContractTasks.SQUARE, 3L).result(Duration.ofSeconds(30))).isEqualTo(9L);
        pg.restart();
        List<JobHandle<Long>> after = new ArrayList<>();
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
          after.add(q.enqueue(StoreContractTasks.SQUARE, 4L));
          return true;
        });
        for (long i = 5; i < 25; i++) {
          after.add(q.enqueue(StoreContractTasks.SQUARE, i));
        }
        for (JobHandle<Long> h : after) {
          assertThat(h.result(Duration.ofSeconds(60))).isPositive();
        }
        assertThat(after).hasSize(21);
      }
    }
  }
}
