package dev.spindle.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.ExecutionModel;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.JobHandle;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobStores;
import dev.spindle.queue.RetryPolicy;
import dev.spindle.queue.Worker;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.supervisor.testing.NapTasks;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Queue jobs run on the PROCESSES model: a task in a child JVM sees the job's id and attempt in its
 * context, as it would on threads (real SQLite file, real worker JVMs).
 */
class QueueJobsOnProcessWorkersTest {
  private static final Duration LONG = Duration.ofSeconds(90);

  @TempDir
  Path dir;

  @Test
  void aRetriedJobInAChildJvmSeesItsIdAndItsSecondAttempt() {
    try (StoreBackend store = JobStores.open("sqlite:" + dir.resolve("jobs.db"));
        JobQueue queue = JobQueue.builder(store).registry(TaskRegistry.of(NapTasks.class)).build();
        Worker worker = queue.worker().model(ExecutionModel.PROCESSES).concurrency(2).start()) {
      JobHandle<String> h = queue.enqueue(NapTasks.SECOND_ATTEMPT, "a", JobOptions.builder()
          .retry(RetryPolicy.builder().maxAttempts(3).initialDelay(Duration.ofMillis(10)).build()).build());
      String seen = h.result(LONG);
      assertThat(seen).startsWith(h.id() + " attempt 2 pid ");
      assertThat(seen).doesNotEndWith(" pid " + ProcessHandle.current().pid());
      assertThat(worker.stats().retried()).as("the first attempt failed and was retried").isEqualTo(1);
    }
  }
}
