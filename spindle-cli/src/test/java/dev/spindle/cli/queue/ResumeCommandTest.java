package dev.spindle.cli.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.cli.CliRun;
import dev.spindle.queue.DependencyPolicy;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobState;
import dev.spindle.queue.JobStores;
import dev.spindle.queue.WorkflowInput;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.Dependency;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.queue.spi.WorkerRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code spindle jobs resume}: a dry run changes nothing; the resume moves the jobs once and is audited. */
class ResumeCommandTest {
  @TempDir
  Path dir;

  @Test
  void previewsThenResumesAFailedWorkflowOnce() {
    String store = "sqlite:" + dir.resolve("jobs.db");
    List<String> ids = failedChain(store);
    String first = ids.get(0);
    String second = ids.get(1);

    CliRun dry = CliRun.of("jobs", "resume", second, "--dry-run", "--store", store);
    assertThat(dry.code()).as(dry.err()).isZero();
    assertThat(dry.out()).contains("would resume (dry run): job " + first, "job " + first + " FAILED -> QUEUED",
        "job " + second + " CANCELLED -> WAITING");
    assertThat(state(store, first)).isEqualTo(JobState.FAILED);

    CliRun bad = CliRun.of("jobs", "resume", second, "--args", "{not json", "--store", store);
    assertThat(bad.code()).isEqualTo(1);
    assertThat(bad.err()).contains("new arguments of job " + first);
    assertThat(state(store, first)).isEqualTo(JobState.FAILED);

    CliRun done = CliRun.of("jobs", "resume", second, "--node", first, "--args", "{\"n\":2}", "--store", store);
    assertThat(done.code()).as(done.err()).isZero();
    assertThat(done.out()).contains("resumed: job " + first + " FAILED -> QUEUED, 1 dependent(s) re-armed,"
        + " with new arguments");
    try (StoreBackend s = JobStores.open(store)) {
      assertThat(s.find(first).orElseThrow().argsJson()).isEqualTo("{\"n\":2}");
      assertThat(s.find(second).orElseThrow().state()).isEqualTo(JobState.WAITING);
      assertThat(s.auditLog().recentAudit(5)).anySatisfy(r -> {
        assertThat(r.action()).isEqualTo("workflow.resume");
        assertThat(r.user()).startsWith("cli:");
        assertThat(r.target()).isEqualTo(first);
      });
    }

    CliRun again = CliRun.of("jobs", "resume", first, "--node", first, "--store", store);
    assertThat(again.code()).isEqualTo(1);
    assertThat(again.err()).contains("only a FAILED or DEAD node can be resumed");
  }

  /** A chain of two jobs whose first failed (so the second was cancelled). */
  private static List<String> failedChain(String store) {
    Instant t0 = Instant.now();
    try (StoreBackend s = JobStores.open(store)) {
      NewJob a = new NewJob("t.x", "{\"n\":1}", JobOptions.DEFAULT_QUEUE, 0, t0, null, JobPolicy.defaults(), t0);
      NewJob b = new NewJob("t.y", "2", JobOptions.DEFAULT_QUEUE, 0, t0, null, JobPolicy.defaults(), t0)
          .dependingOn(List.of(Dependency.onBatchJob(0, DependencyPolicy.REQUIRE_SUCCESS)), WorkflowInput.ARGS);
      List<String> ids = s.enqueue(List.of(a, b)).stream().map(EnqueueResult::jobId).toList();
      s.heartbeat(new WorkerRecord("w1", "w", "host", 1, List.of(JobOptions.DEFAULT_QUEUE), 8, "THREADS", "RUNNING",
          t0, t0, t0.plus(Duration.ofHours(1)), 0, 0, 0, 0));
      JobInfo j = s.claim(new ClaimRequest("w1", List.of(JobOptions.DEFAULT_QUEUE), 8, t0)).jobs().get(0);
      s.complete(List.of(Completion.failed(j.id(), j.fence(), "w1",
          "{\"type\":\"E\",\"message\":\"boom\",\"stack\":[]}")), t0);
      return ids;
    }
  }

  private static JobState state(String store, String id) {
    try (StoreBackend s = JobStores.open(store)) {
      return s.find(id).orElseThrow().state();
    }
  }
}
