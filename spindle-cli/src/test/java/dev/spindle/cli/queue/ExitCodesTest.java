package dev.spindle.cli.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.ExecutionModel;
import dev.spindle.cli.CliRun;
import dev.spindle.cli.ExitCode;
import dev.spindle.queue.JobState;
import dev.spindle.queue.JobStores;
import dev.spindle.queue.Worker;
import dev.spindle.queue.spi.StoreBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each outcome a script tells apart has its own exit status: a waited job that FAILED, went DEAD or
 * was CANCELLED, a wait that timed out, a store that cannot be opened, a job that does not exist.
 */
class ExitCodesTest {
  @TempDir
  Path dir;

  private String store;

  @BeforeEach
  void setUp() {
    store = "sqlite:" + dir.resolve("jobs.db");
  }

  @Test
  void aWaitedJobsEndIsItsExitStatus() {
    try (StoreBackend s = JobStores.open(store);
         Worker w = Worker.builder(s).registry(QueueSupport.defaultRegistry()).model(ExecutionModel.THREADS)
             .concurrency(2).shutdownGrace(Duration.ofSeconds(5)).start()) {
      CliRun ok = CliRun.of("enqueue", "demo.greet", "\"ann\"", "--wait", "60s", "--store", store);
      assertThat(ok.code()).as(ok.err()).isEqualTo(ExitCode.OK.code());

      CliRun failed = CliRun.of("enqueue", "demo.flaky", "5", "--max-attempts", "1", "--wait", "60s", "--store", store);
      assertThat(failed.code()).as(failed.err()).isEqualTo(ExitCode.JOB_FAILED.code()).isEqualTo(3);
      assertThat(failed.err()).contains("FAILED");

      // arguments that do not fit the task (unchecked with --allow-unknown): dead-lettered, bad_args
      CliRun dead = CliRun.of("enqueue", "demo.flaky", "{\"n\":1}", "--allow-unknown", "--wait", "60s", "--store",
          store);
      assertThat(dead.code()).as(dead.err()).isEqualTo(ExitCode.JOB_DEAD.code()).isEqualTo(4);
      assertThat(dead.err()).contains("DEAD");

      CliRun many = CliRun.of("enqueue", "demo.flaky", "5", "--max-attempts", "1", "--count", "3", "--wait", "60s",
          "--store", store);
      assertThat(many.code()).as(many.err()).isEqualTo(ExitCode.JOB_FAILED.code());
      assertThat(many.out()).contains("0 of 3 jobs succeeded");
    }
  }

  @Test
  void aCancelledJobAndATimedOutWaitHaveTheirOwnStatus() {
    String id = CliRun.of("enqueue", "demo.greet", "\"x\"", "--delay", "1h", "--unique-key", "k1", "--quiet",
        "--store", store).out().strip();
    assertThat(CliRun.of("jobs", "cancel", id, "--store", store).code()).isZero();
    // the unique key returns the existing, cancelled job: the wait ends at once
    CliRun cancelled = CliRun.of("enqueue", "demo.greet", "\"x\"", "--delay", "1h", "--unique-key", "k1", "--wait",
        "60s", "--store", store);
    assertThat(cancelled.code()).as(cancelled.err()).isEqualTo(ExitCode.JOB_CANCELLED.code()).isEqualTo(5);

    CliRun timedOut = CliRun.of("enqueue", "demo.greet", "\"y\"", "--delay", "1h", "--wait", "200ms", "--store", store);
    assertThat(timedOut.code()).isEqualTo(ExitCode.WAIT_TIMEOUT.code()).isEqualTo(6);
    assertThat(timedOut.err()).contains("did not finish within");
    try (StoreBackend s = JobStores.open(store)) {
      String waited = timedOut.out().strip();
      assertThat(s.find(waited).orElseThrow().state()).as("a timed-out wait leaves the job").isEqualTo(
          JobState.SCHEDULED);
    }
  }

  @Test
  void aMissingJobAndAnUnopenableStoreHaveTheirOwnStatus() throws Exception {
    CliRun.of("enqueue", "demo.greet", "\"x\"", "--store", store);
    CliRun missing = CliRun.of("jobs", "show", "424242", "--store", store);
    assertThat(missing.code()).isEqualTo(ExitCode.NOT_FOUND.code()).isEqualTo(8);
    assertThat(CliRun.of("flow", "remove", "nope", "--store", store).code()).isEqualTo(8);
    assertThat(CliRun.of("schedules", "remove", "nope", "--store", store).code()).isEqualTo(8);

    Path aFile = Files.writeString(dir.resolve("not-a-directory"), "x");
    CliRun unopenable = CliRun.of("enqueue", "demo.greet", "\"x\"", "--store", "sqlite:" + aFile.resolve("jobs.db"));
    assertThat(unopenable.code()).as(unopenable.err()).isEqualTo(ExitCode.STORE_UNAVAILABLE.code()).isEqualTo(7);

    CliRun usage = CliRun.of("jobs", "list", "--limit", "0", "--store", store);
    assertThat(usage.code()).isEqualTo(ExitCode.USAGE.code()).isEqualTo(2);
  }

  @Test
  void helpListsTheExitCodes() {
    CliRun help = CliRun.of("--help");
    assertThat(help.out()).contains("Exit codes");
    for (ExitCode c : ExitCode.values()) {
      assertThat(help.out()).containsPattern("(?m)^\\s+" + c.code() + "\\s+" + java.util.regex.Pattern.quote(
          c.meaning().substring(0, 20)));
    }
    assertThat(CliRun.of("enqueue", "--help").out()).contains("a waited job went DEAD");
  }
}
