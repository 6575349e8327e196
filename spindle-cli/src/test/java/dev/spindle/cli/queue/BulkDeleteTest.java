package dev.spindle.cli.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.cli.CliRun;
import dev.spindle.queue.JobStores;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.queue.spi.StoreBackend;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A purge without a filter deletes every finished job: it needs an explicit --all. */
class BulkDeleteTest {
  @TempDir
  Path dir;

  @Test
  void purgeWithoutAFilterIsRefusedUnlessAllIsGiven() {
    String store = "sqlite:" + dir.resolve("jobs.db");
    CliRun.of("enqueue", "demo.greet", "\"x\"", "--count", "3", "--queue", "a", "--store", store);
    CliRun.of("enqueue", "demo.greet", "\"y\"", "--count", "2", "--queue", "b", "--store", store);
    try (StoreBackend s = JobStores.open(store)) {
      for (var j : s.inspector().listJobs(JobFilter.all().withLimit(100))) {
        s.cancel(j.id(), Instant.now());
      }
    }

    CliRun refused = CliRun.of("jobs", "purge", "--store", store);
    assertThat(refused.code()).isEqualTo(2);
    assertThat(refused.err()).contains("jobs purge without a filter would delete every finished job")
        .contains("--all");
    assertThat(count(store)).as("nothing was purged").isEqualTo(5);

    CliRun filtered = CliRun.of("jobs", "purge", "--queue", "a", "--store", store);
    assertThat(filtered.code()).as(filtered.err()).isZero();
    assertThat(filtered.out()).contains("3 job(s) purged");
    assertThat(count(store)).isEqualTo(2);

    CliRun all = CliRun.of("jobs", "purge", "--all", "--store", store);
    assertThat(all.code()).as(all.err()).isZero();
    assertThat(all.out()).contains("2 job(s) purged");
    assertThat(count(store)).isZero();
  }

  private static int count(String store) {
    try (StoreBackend s = JobStores.open(store)) {
      return s.inspector().listJobs(JobFilter.all().withLimit(100)).size();
    }
  }
}
