package dev.spindle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.queue.FlowLimit;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.store.sqlite.SqliteJobStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./spindle flow}: limits set, listed and removed at run time; why a job waits . */
class FlowCommandTest {
  @TempDir
  Path dir;

  @Test
  void limitsChangeAtRunTimeAndAHeldJobSaysWhy() {
    Path db = dir.resolve("jobs.db");
    String store = "sqlite:" + db;
    CliRun bad = CliRun.of("flow", "set", "api", "concurrency=0", "--store", store);
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).contains("flow limit 'api': concurrency must be in 1..1,000,000, not 0");
    CliRun set = CliRun.of("flow", "set", "api", "per=arg:tenant", "concurrency=1", "--store", store);
    assertThat(set.code()).isZero();
    assertThat(set.out()).contains("set api per=arg:tenant concurrency=1");
    assertThat(CliRun.of("flow", "list", "--store", store).out()).contains("api per=arg:tenant concurrency=1");
    String first;
    String second;
    try (StoreBackend s = SqliteJobStore.builder(db).open(); JobQueue q = JobQueue.builder(s).build()) {
      JobOptions o = JobOptions.builder().flow(FlowLimit.parse("api per=arg:tenant concurrency=9")).build();
      first = q.enqueue("t.call", "{\"tenant\":\"acme\"}", o).id();
      second = q.enqueue("t.call", "{\"tenant\":\"acme\"}", o).id();
      Instant now = Instant.now();
      s.heartbeat(new WorkerRecord("w1", "w", "host", 1, List.of("default"), 4, "THREADS", "RUNNING", now, now,
          now.plus(Duration.ofHours(1)), 0, 0, 0, 0));
      // the stored limit (concurrency 1) wins over the one the jobs declared
      assertThat(s.claim(new ClaimRequest("w1", List.of("default"), 4, now)).jobs()).hasSize(1);
    }
    assertThat(CliRun.of("status", "--store", store).out()).contains("FLOW LIMITS")
        .contains("  api per=arg:tenant concurrency=1");
    CliRun show = CliRun.of("jobs", "show", second, "--store", store);
    assertThat(show.out()).contains("flow       held by flow limit api key 'acme': CONCURRENCY (1 of 1 running)");
    assertThat(CliRun.of("flow", "why", second, "--store", store).out())
        .contains(second + ": held by flow limit api key 'acme': CONCURRENCY");
    assertThat(CliRun.of("flow", "why", first, "--store", store).out()).contains("not held by a flow limit");
    assertThat(CliRun.of("flow", "remove", "api", "--store", store).out()).contains("api removed");
    assertThat(CliRun.of("flow", "list", "--store", store).out()).contains("(no flow limits)");
    CliRun missing = CliRun.of("flow", "remove", "api", "--store", store);
    assertThat(missing.code()).isEqualTo(ExitCode.NOT_FOUND.code());
    assertThat(missing.err()).contains("no flow limit named 'api'");
  }
}
