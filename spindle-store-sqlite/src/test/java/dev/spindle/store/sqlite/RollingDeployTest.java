package dev.spindle.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.Task;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.JobHandle;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobState;
import dev.spindle.queue.Worker;
import dev.spindle.queue.spi.UnroutableTask;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rolling deploy on one SQLite file: a worker of the old version, which lacks a task the new
 * version enqueues, leaves that task's jobs QUEUED (no attempt, no strike, no dead letter) for a
 * worker of the new version, and goes on with the tasks it knows.
 */
class RollingDeployTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  static final Task<String, String> GREET = Task.of("deploy.greet", String.class, String.class, s -> "hello " + s);
  static final Task<Integer, Integer> REPORT = Task.of("deploy.report", Integer.class, Integer.class, n -> n * 2);

  @TempDir
  Path dir;

  private Worker worker(SqliteJobStore store, String name, Task<?, ?>... tasks) {
    TaskRegistry.Builder r = TaskRegistry.builder();
    for (Task<?, ?> t : tasks) {
      r.add(t);
    }
    return Worker.builder(store).registry(r.build()).name(name).concurrency(1).pollInterval(Duration.ofMillis(20))
        .heartbeatInterval(Duration.ofMillis(200)).shutdownGrace(Duration.ofSeconds(5)).start();
  }

  @Test
  void anOlderWorkerLeavesANewTaskQueuedForANewerWorkerInsteadOfDeadLetteringIt() {
    Path file = dir.resolve("jobs.db");
    try (SqliteJobStore oldStore = SqliteJobStore.open(file);
         SqliteJobStore newStore = SqliteJobStore.open(file);
         JobQueue producer = JobQueue.builder(newStore)
             .registry(TaskRegistry.builder().add(GREET).add(REPORT).build()).build()) {
      try (Worker old = worker(oldStore, "old", GREET)) {
        JobHandle<Integer> report = producer.enqueue(REPORT, 21);
        // FIFO: the old worker meets the report job before the greeting, and hands it back first
        assertThat(producer.enqueue(GREET, "a").result(WAIT)).isEqualTo("hello a");
        JobInfo waiting = oldStore.find(report.id()).orElseThrow();
        assertThat(waiting.state()).as("not dead-lettered as an unknown task").isEqualTo(JobState.QUEUED);
        assertThat(waiting.deadReason()).isNull();
        assertThat(waiting.attempt()).isZero();
        assertThat(waiting.workerLost()).isZero();
        assertThat(producer.enqueue(GREET, "b").result(WAIT)).as("it goes on with what it knows").isEqualTo("hello b");
        assertThat(oldStore.find(report.id()).orElseThrow().state()).isEqualTo(JobState.QUEUED);
        await().atMost(WAIT).untilAsserted(() -> assertThat(oldStore.inspector().unroutable(oldStore.storeTime()))
            .containsExactly(new UnroutableTask("default", "deploy.report", 1)));

        try (Worker neu = worker(newStore, "new", GREET, REPORT)) {
          assertThat(report.result(WAIT)).isEqualTo(42);
          JobInfo done = newStore.find(report.id()).orElseThrow();
          assertThat(done.attempt()).isEqualTo(1);
          assertThat(done.workerId()).isEqualTo(neu.id());
          assertThat(newStore.inspector().unroutable(newStore.storeTime())).isEmpty();
        }
        assertThat(old.failure()).isEmpty();
        assertThat(old.isTerminated()).isFalse();
      }
    }
  }

  @Test
  void aWorkerThatMetAnUnknownTaskGoesOnWithItsOwnTasksRoundAfterRound() {
    Path file = dir.resolve("jobs.db");
    try (SqliteJobStore store = SqliteJobStore.open(file);
         JobQueue producer = JobQueue.builder(store).registry(TaskRegistry.builder().add(GREET).add(REPORT).build())
             .build()) {
      List<JobHandle<Integer>> reports = List.of(producer.enqueue(REPORT, 1), producer.enqueue(REPORT, 2));
      try (Worker old = worker(store, "old", GREET)) {
        assertThat(producer.enqueue(GREET, "x").result(WAIT)).isEqualTo("hello x");
        for (int i = 0; i < 20; i++) {
          assertThat(producer.enqueue(GREET, Integer.toString(i)).result(WAIT)).isEqualTo("hello " + i);
        }
        for (JobHandle<Integer> r : reports) {
          assertThat(store.find(r.id()).orElseThrow().state()).isEqualTo(JobState.QUEUED);
          assertThat(store.find(r.id()).orElseThrow().attempt()).isZero();
        }
        assertThat(old.failure()).isEmpty();
        assertThat(old.isTerminated()).isFalse();
      }
    }
  }
}
