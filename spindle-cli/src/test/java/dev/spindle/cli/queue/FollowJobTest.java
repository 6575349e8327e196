package dev.spindle.cli.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.Task;
import dev.spindle.TaskContext;
import dev.spindle.TaskRegistry;
import dev.spindle.cli.CliRun;
import dev.spindle.cli.ExitCode;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobState;
import dev.spindle.queue.Redaction;
import dev.spindle.queue.RetryPolicy;
import dev.spindle.queue.Worker;
import dev.spindle.store.sqlite.SqliteJobStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code spindle jobs show ID --follow} prints a running job's progress and log lines as they come
 * and exits with the job's status once it ends; {@code show} alone prints the kept lines; bad
 * options are refused. On a real SQLite store with a real worker.
 */
class FollowJobTest {
  static final CountDownLatch GO = new CountDownLatch(1);

  static final Task<String, String> STAGES = Task.withContext("cli.stages", String.class, String.class, (in, tc) -> {
    tc.progress(0.3, "stage one of " + in);
    tc.log("one");
    if (in.equals("wait")) {
      assertThat(GO.await(30, TimeUnit.SECONDS)).isTrue();
    }
    tc.progress(1, "all stages");
    tc.log(TaskContext.LogLevel.WARN, "two");
    if (in.equals("fail")) {
      throw new IllegalStateException("stage two broke");
    }
    return in;
  });

  static final TaskRegistry REG = TaskRegistry.builder().add(STAGES).build();

  @TempDir
  Path dir;

  @Test
  void followPrintsNewReportsAtEachLookUntilTheJobEnds() {
    try (SqliteJobStore s = SqliteJobStore.open(dir.resolve("jobs.db"));
         JobQueue q = JobQueue.builder(s).registry(REG).build();
         Worker w = Worker.builder(s).registry(REG).pollInterval(Duration.ofMillis(20))
             .progressFlushInterval(Duration.ofMillis(50)).start()) {
      String id = q.enqueue(STAGES, "wait").id();
      await().atMost(Duration.ofSeconds(20)).until(() -> s.progress().orElseThrow().view(id).orElseThrow()
          .linesTotal() == 1);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
      JobFollower f = new JobFollower(s, id, Redaction.none(), out);
      assertThat(f.poll()).isFalse();
      assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("progress    30% stage one of wait", "log #1 ",
          "INFO  one").doesNotContain("two");
      assertThat(f.poll()).as("nothing new").isFalse();
      assertThat(bytes.toString(StandardCharsets.UTF_8).split("\n")).hasSize(2);
      GO.countDown();
      await().atMost(Duration.ofSeconds(20)).until(() -> s.find(id).orElseThrow().state() == JobState.SUCCEEDED);
      assertThat(f.poll()).isTrue();
      assertThat(f.exitCode()).isEqualTo(ExitCode.OK);
      assertThat(bytes.toString(StandardCharsets.UTF_8).split("\n")).containsExactly(
          "progress    30% stage one of wait", bytes.toString(StandardCharsets.UTF_8).split("\n")[1],
          "progress   100% all stages", bytes.toString(StandardCharsets.UTF_8).split("\n")[3], "ended      SUCCEEDED");
      assertThat(bytes.toString(StandardCharsets.UTF_8).split("\n")[3]).startsWith("log #2 ").endsWith("WARN  two");
    }
  }

  @Test
  void followOnTheCommandLineExitsWithTheJobsStatus() {
    String store = "sqlite:" + dir.resolve("jobs.db");
    String failed;
    String succeeded;
    try (SqliteJobStore s = SqliteJobStore.open(dir.resolve("jobs.db"));
         JobQueue q = JobQueue.builder(s).registry(REG).build();
         Worker w = Worker.builder(s).registry(REG).pollInterval(Duration.ofMillis(20)).start()) {
      failed = q.enqueue(STAGES, "fail", JobOptions.builder().retry(RetryPolicy.none()).build()).id();
      succeeded = q.enqueue(STAGES, "fine").id();
      await().atMost(Duration.ofSeconds(20)).until(() -> s.find(failed).orElseThrow().state().isTerminal()
          && s.find(succeeded).orElseThrow().state().isTerminal());
    }
    CliRun bad = CliRun.of("jobs", "show", failed, "--follow", "--interval", "50ms", "--store", store);
    assertThat(bad.code()).as(bad.err()).isEqualTo(ExitCode.JOB_FAILED.code());
    assertThat(bad.out()).contains("progress   100% all stages", "WARN  two", "ended      FAILED");
    CliRun ok = CliRun.of("jobs", "show", succeeded, "-f", "--store", store);
    assertThat(ok.code()).as(ok.err()).isZero();
    assertThat(ok.out()).contains("INFO  one", "WARN  two", "ended      SUCCEEDED");

    CliRun show = CliRun.of("jobs", "show", succeeded, "--store", store);
    assertThat(show.out()).contains("progress   100% all stages", "log        2 line(s)", "INFO  one")
        .doesNotContain("ended");
    CliRun json = CliRun.of("jobs", "show", succeeded, "--store", store, "--json");
    assertThat(json.out()).contains("\"progress\":{", "\"linesTotal\":2", "\"message\":\"two\"");

    CliRun both = CliRun.of("jobs", "show", succeeded, "--follow", "--json", "--store", store);
    assertThat(both.code()).isEqualTo(ExitCode.USAGE.code());
    assertThat(both.err()).contains("--follow prints text");
    CliRun zero = CliRun.of("jobs", "show", succeeded, "--follow", "--interval", "0s", "--store", store);
    assertThat(zero.code()).isEqualTo(ExitCode.USAGE.code());
    assertThat(zero.err()).contains("--interval must be positive");
    CliRun missing = CliRun.of("jobs", "show", "424242", "--follow", "--store", store);
    assertThat(missing.code()).isEqualTo(ExitCode.NOT_FOUND.code());
  }
}
