package dev.spindle.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.TaskRegistry;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobState;
import dev.spindle.queue.Worker;
import dev.spindle.queue.spi.JobFilter;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * At-least-once delivery across a real {@code kill -9}: a worker process dies mid-run; its jobs run
 * again on another worker once its lease expires; every job completes; no job is lost; the extra
 * executions are exactly the jobs the dead worker held.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WorkerProcessKillTest {
  private static final int JOBS = 120;
  private static final long JOB_MS = 25;

  @TempDir
  Path dir;

  @Test
  void aWorkerProcessKilledMidRunLosesNoJob() throws Exception {
    Path db = dir.resolve("kill.db");
    Path log = dir.resolve("executions.log");
    System.setProperty("kill.log", log.toString());
    try (SqliteJobStore store = SqliteJobStore.open(db);
         JobQueue q = JobQueue.builder(store).registry(TaskRegistry.of(KillTestTasks.class)).build()) {
      q.enqueueAll(KillTestTasks.WORK, Collections.nCopies(JOBS, JOB_MS), JobOptions.defaults());
      long cursor0 = store.finishCursor();
      Process child = startChild(db, log);
      try {
        await().atMost(Duration.ofSeconds(60)).until(() -> store.finishCursor() - cursor0 >= 20);
        child.destroyForcibly(); // SIGKILL
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(137);
      } finally {
        child.destroyForcibly();
      }
      List<JobInfo> heldByTheDead = store.inspector().listJobs(JobFilter.all().withState(JobState.RUNNING).withLimit(JOBS));
      assertThat(heldByTheDead).as("the dead worker held jobs when it died").isNotEmpty();
      try (Worker survivor = Worker.builder(store).registry(TaskRegistry.of(KillTestTasks.class)).concurrency(4)
          .leaseDuration(Duration.ofSeconds(1)).heartbeatInterval(Duration.ofMillis(200)).name("survivor").start()) {
        await().atMost(Duration.ofSeconds(60)).until(() -> store.finishCursor() - cursor0 >= JOBS);
        assertThat(survivor.stats().succeeded()).as("the survivor ran the rest").isPositive();
      }
      List<JobInfo> all = store.inspector().listJobs(JobFilter.all().withLimit(10 * JOBS));
      assertThat(all).hasSize(JOBS).allSatisfy(j -> assertThat(j.state()).isEqualTo(JobState.SUCCEEDED));
      long reclaimed = all.stream().filter(j -> j.workerLost() > 0).count();
      Set<String> heldIds = new HashSet<>();
      heldByTheDead.forEach(j -> heldIds.add(j.id()));
      assertThat(all.stream().filter(j -> j.workerLost() > 0).map(JobInfo::id).toList())
          .as("exactly the jobs the dead worker held were reclaimed").containsExactlyInAnyOrderElementsOf(heldIds);
      List<String> executions = Files.readAllLines(log);
      Set<String> distinct = new HashSet<>(executions);
      assertThat(distinct).hasSize(JOBS);
      assertThat(executions.size() - JOBS).as("extra executions").isLessThanOrEqualTo((int) reclaimed);
      assertThat(all).filteredOn(j -> j.workerLost() > 0).allSatisfy(j -> assertThat(j.attempt()).isEqualTo(2));
    }
  }

  private static Process startChild(Path db, Path log) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process p = new ProcessBuilder(java, "-Dkill.log=" + log, "-cp", System.getProperty("java.class.path"),
        ChildWorker.class.getName(), db.toString(), "4", "1000", "200")
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    assertThat(line).as("child worker started").startsWith("READY");
    return p;
  }
}
