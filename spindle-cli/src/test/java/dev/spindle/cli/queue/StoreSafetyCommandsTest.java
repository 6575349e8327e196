package dev.spindle.cli.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.cli.CliRun;
import dev.spindle.cli.ExitCode;
import dev.spindle.cli.coordination.LockCommand;
import dev.spindle.queue.FlowLimit;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobStores;
import dev.spindle.queue.Schedule;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.queue.spi.StoreBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commands never destroy or create a store they were not told to: the demonstrations refuse a
 * store that holds data (unless told to reset it), reading commands fail clearly on a missing
 * store and create nothing, and the lock command reports a store it cannot open in one line. The
 * real command line on real SQLite files.
 */
class StoreSafetyCommandsTest {
  @TempDir
  Path dir;

  /** A store with 39 jobs, 2 schedules and a flow limit. */
  private Path filledStore() {
    Path f = dir.resolve("filled.db");
    try (StoreBackend s = JobStores.open("sqlite:" + f); JobQueue q = JobQueue.builder(s).build()) {
      for (int i = 0; i < 39; i++) {
        q.enqueue("demo.greet", "\"n" + i + "\"");
      }
      for (String name : List.of("hourly", "daily")) {
        q.addSchedule(Schedule.every(name, Duration.ofHours(1)).task("demo.greet", "\"s\"").build());
      }
      s.flowAdmin().orElseThrow().putLimit(FlowLimit.parse("api concurrency=2"));
    }
    return f;
  }

  private static List<Integer> counts(Path f) {
    try (StoreBackend s = JobStores.openExisting("sqlite:" + f)) {
      return List.of(s.inspector().listJobs(JobFilter.all()).size(), s.schedules().size(), s.flowAdmin().orElseThrow().limits().size());
    }
  }

  @Test
  void theWorkflowDemosRefuseAStoreThatHoldsDataAndLoseNothing() {
    Path f = filledStore();
    assertThat(counts(f)).containsExactly(39, 2, 1);
    for (String[] args : List.of(new String[] {"workflow", "--store", f.toString()},
        new String[] {"workflow", "thumbnails", "--count", "1", "--home", dir.resolve("h").toString(), "--store",
            f.toString()})) {
      CliRun r = CliRun.of(args);
      assertThat(r.code()).as(r.err()).isEqualTo(1);
      assertThat(r.err()).contains("holds 39 jobs, 2 schedules, 1 flow limit").contains("--reset-store");
      assertThat(counts(f)).as(String.join(" ", args)).containsExactly(39, 2, 1);
    }
  }

  @Test
  void resetStoreSaysWhatItDeletesAndWithoutStoreTheWorkflowUsesAFileOfItsOwn() throws Exception {
    Path f = filledStore();
    CliRun r = CliRun.of("workflow", "--store", f.toString(), "--reset-store");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("--reset-store: deleted " + f).contains("(it held 39 jobs, 2 schedules, 1 flow limit)")
        .contains("result: 100");
    assertThat(counts(f).get(0)).as("only the workflow's own jobs").isEqualTo(11);
    Path fresh = dir.resolve("fresh.db");
    assertThat(CliRun.of("workflow", "--store", fresh.toString()).code()).isZero();
    assertThat(CliRun.of("workflow", "--store", fresh.toString()).code()).as("now it holds the first run's jobs")
        .isEqualTo(1);
  }

  @Test
  void readingCommandsOnAMissingStoreFailClearlyAndCreateNothing() {
    Path missing = dir.resolve("nothing-here");
    String store = missing.resolve("x.db").toString();
    for (String[] args : List.of(new String[] {"status", "--store", store},
        new String[] {"jobs", "list", "--store", store}, new String[] {"jobs", "show", "1", "--store", store},
        new String[] {"schedules", "list", "--store", store}, new String[] {"flow", "list", "--store", store})) {
      CliRun r = CliRun.of(args);
      assertThat(r.code()).as(String.join(" ", args) + ": " + r.out() + r.err()).isEqualTo(ExitCode.NO_STORE.code());
      assertThat(r.err()).contains("no store at " + store).doesNotContain("Exception");
      assertThat(r.out()).doesNotContain("(no jobs)");
      assertThat(missing).as(String.join(" ", args)).doesNotExist();
    }
    assertThat(CliRun.of("enqueue", "demo.greet", "\"x\"", "--store", store).code()).isZero();
    assertThat(CliRun.of("status", "--store", store).code()).isZero();
  }

  @Test
  void lockOnAMissingDirectoryOrStorePrintsOneLineAndAnExitCode() {
    Path missing = dir.resolve("no-such-dir");
    CliRun r = CliRun.of("lock", "--store", "sqlite:" + missing.resolve("locks.db"), "job", "--", "true");
    assertThat(r.code()).isEqualTo(LockCommand.NO_STORE);
    assertThat(r.err().strip()).doesNotContain("\n").doesNotContain("Exception").doesNotContain("\tat ")
        .contains("no directory " + missing).contains("mkdir");
    assertThat(missing).doesNotExist();
    Path absent = dir.resolve("absent.db");
    r = CliRun.of("lock", "--store", "sqlite:" + absent, "--holders", "job");
    assertThat(r.code()).isEqualTo(LockCommand.NO_STORE);
    assertThat(r.err().strip()).doesNotContain("\n").contains("no store at " + absent);
    assertThat(absent).doesNotExist();
  }

  @Test
  void lockRefusesALockFileOthersCanWrite() throws Exception {
    Path f = dir.resolve("locks.db");
    Files.createFile(f);
    Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
    CliRun r = CliRun.of("lock", "--store", "sqlite:" + f, "job", "--", "true");
    assertThat(r.code()).isEqualTo(LockCommand.STORE_FAILED);
    assertThat(r.err().strip()).doesNotContain("\n").contains("can be written by other users").contains("chmod 600");
  }
}
