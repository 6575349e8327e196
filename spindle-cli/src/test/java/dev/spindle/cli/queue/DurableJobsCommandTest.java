package dev.spindle.cli.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.Task;
import dev.spindle.TaskRegistry;
import dev.spindle.cli.CliRun;
import dev.spindle.cli.ExitCode;
import dev.spindle.queue.DurableContext;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobState;
import dev.spindle.queue.Worker;
import dev.spindle.store.sqlite.SqliteJobStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code spindle jobs show} lists a durable job's steps and wait; {@code spindle jobs signal} sends
 * it a signal by id or unique key, with clear errors for bad input, on a real SQLite store.
 */
class DurableJobsCommandTest {
  /** Charges, then waits a week for "approval". */
  private static final Task<String, String> APPROVE = Task.withContext("cli.approve", String.class, String.class,
      (order, tc) -> {
        DurableContext ctx = DurableContext.of(tc).orElseThrow();
        String charge = ctx.step("charge", String.class, () -> "charged " + order);
        return charge + ctx.awaitSignal("approval", String.class, Duration.ofDays(7)).orElse("timeout");
      });

  @TempDir
  Path dir;

  private String store;
  private String id;

  @BeforeEach
  void aJobWaitingForASignal() {
    store = "sqlite:" + dir.resolve("jobs.db");
    TaskRegistry reg = TaskRegistry.builder().add(APPROVE).build();
    try (SqliteJobStore s = SqliteJobStore.open(dir.resolve("jobs.db"));
         JobQueue q = JobQueue.builder(s).registry(reg).build();
         Worker w = Worker.builder(s).registry(reg).pollInterval(Duration.ofMillis(50)).start()) {
      id = q.enqueue(APPROVE, "order-7", JobOptions.builder().uniqueKey("order-7").build()).id();
      await().atMost(Duration.ofSeconds(20)).until(() -> s.find(id).orElseThrow().state() == JobState.SCHEDULED);
    }
  }

  @Test
  void showListsTheStepsAndTheWait() {
    CliRun show = CliRun.of("jobs", "show", id, "--store", store);
    assertThat(show.code()).as(show.err()).isZero();
    assertThat(show.out()).contains("steps      1 recorded", "charge", "\"charged order-7\"",
        "waits for  signal 'approval', until ");
    CliRun json = CliRun.of("jobs", "show", id, "--store", store, "--json");
    assertThat(json.out()).contains("\"durable\"", "\"name\":\"charge\"", "\"signal\":\"approval\"");
  }

  @Test
  void signalWakesTheJobByIdOrUniqueKey() {
    CliRun r = CliRun.of("jobs", "signal", "--unique-key", "order-7", "approval", "\"ok\"", "--store", store);
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("queued again");
    try (SqliteJobStore s = SqliteJobStore.open(dir.resolve("jobs.db"))) {
      assertThat(s.find(id).orElseThrow().state()).isEqualTo(JobState.QUEUED);
    }
    CliRun kept = CliRun.of("jobs", "signal", id, "approval", "--store", store);
    assertThat(kept.code()).as(kept.err()).isZero();
    assertThat(kept.out()).contains("takes it when it waits");
    assertThat(CliRun.of("jobs", "show", id, "--store", store).out()).contains("signals    approval x2");
  }

  @Test
  void badInputIsRefusedAndStoresNothing() throws Exception {
    CliRun notJson = CliRun.of("jobs", "signal", id, "approval", "{oops", "--store", store);
    assertThat(notJson.code()).isEqualTo(ExitCode.USAGE.code());
    assertThat(notJson.err()).contains("PAYLOAD is not JSON");
    CliRun badName = CliRun.of("jobs", "signal", id, "x".repeat(300), "--store", store);
    assertThat(badName.code()).isEqualTo(ExitCode.USAGE.code());
    CliRun missing = CliRun.of("jobs", "signal", "999999", "approval", "--store", store);
    assertThat(missing.code()).isEqualTo(ExitCode.NOT_FOUND.code());
    assertThat(CliRun.of("jobs", "show", id, "--store", store).out()).doesNotContain("signals    ");
    Path none = dir.resolve("none.db");
    CliRun noStore = CliRun.of("jobs", "signal", "1", "approval", "--store", "sqlite:" + none);
    assertThat(noStore.code()).isEqualTo(ExitCode.NO_STORE.code());
    assertThat(Files.exists(none)).isFalse();
  }
}
