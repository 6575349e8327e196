package dev.spindle.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.TaskRegistry;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobState;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A task that calls {@code System.exit} in a real worker process (THREADS, the default model, with
 * a shutdown hook that stops the worker cleanly, as {@code spindle worker} has): every worker that
 * takes the job dies, and each death counts as a lost-worker strike, so the job dead-letters
 * ({@code worker_lost}) after its limit instead of killing every next worker forever.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class WorkerTaskExitTest {
  private static final int MAX_WORKER_LOST = 3;
  /** Children the test starts at most: enough to show a job that never dead-letters. */
  private static final int MAX_CHILDREN = MAX_WORKER_LOST + 2;

  @TempDir
  Path dir;

  @Test
  void aTaskThatCallsSystemExitDeadLettersAfterItsWorkerLostLimit() throws Exception {
    Path db = dir.resolve("exit.db");
    Path log = dir.resolve("executions.log");
    try (SqliteJobStore store = SqliteJobStore.open(db);
         JobQueue q = JobQueue.builder(store).registry(TaskRegistry.of(KillTestTasks.class)).build()) {
      String id = q.enqueue(KillTestTasks.EXIT, 3, JobOptions.builder().maxWorkerLost(MAX_WORKER_LOST).build()).id();
      int died = 0;
      while (store.find(id).orElseThrow().state() != JobState.DEAD && died < MAX_CHILDREN) {
        Process child = startChild(db, log);
        try {
          assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("the worker process exits").isTrue();
          assertThat(child.exitValue()).as("the task's exit status").isEqualTo(3);
        } finally {
          child.destroyForcibly();
        }
        died++;
      }
      JobInfo j = store.find(id).orElseThrow();
      assertThat(died).as("worker processes the job killed").isEqualTo(MAX_WORKER_LOST);
      assertThat(j.state()).isEqualTo(JobState.DEAD);
      assertThat(j.deadReason()).isEqualTo(JobInfo.WORKER_LOST);
      assertThat(j.workerLost()).isEqualTo(MAX_WORKER_LOST);
      assertThat(j.attempt()).as("every attempt counted").isEqualTo(MAX_WORKER_LOST);
      assertThat(j.error().orElseThrow().message()).contains("lost its worker " + MAX_WORKER_LOST + " time");
      assertThat(Files.readAllLines(log)).as("executions").hasSize(MAX_WORKER_LOST);
      assertThat(store.inspector().workers()).as("each worker deregistered").isEmpty();
    }
  }

  /** A worker process (1 slot, a lease too long to expire during the test, a grace of 2 s). */
  private static Process startChild(Path db, Path log) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process p = new ProcessBuilder(java, "-Dkill.log=" + log, "-cp", System.getProperty("java.class.path"),
        ChildWorker.class.getName(), db.toString(), "1", "600000", "1000", "2000")
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    assertThat(line).as("child worker started").startsWith("READY");
    return p;
  }
}
