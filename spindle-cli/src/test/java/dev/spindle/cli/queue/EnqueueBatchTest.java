package dev.spindle.cli.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.cli.CliRun;
import dev.spindle.queue.JobState;
import dev.spindle.queue.JobStores;
import dev.spindle.queue.spi.StoreBackend;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code enqueue --count} adds its jobs in batches, every one of them, each printed with --quiet. */
class EnqueueBatchTest {
  @TempDir
  Path dir;

  @Test
  void aCountOfSeveralBatchesAddsEveryJobOnce() {
    String store = "sqlite:" + dir.resolve("jobs.db");
    int count = EnqueueCommand.BATCH * 2 + 7;
    CliRun r = CliRun.of("enqueue", "demo.tick", "\"t\"", "--count", Integer.toString(count), "--quiet", "--store",
        store);
    assertThat(r.code()).as(r.err()).isZero();
    List<String> ids = r.out().lines().toList();
    assertThat(ids).hasSize(count).doesNotHaveDuplicates();
    try (StoreBackend s = JobStores.open(store)) {
      assertThat(s.inspector().queueSummaries().getFirst().count(JobState.QUEUED)).isEqualTo(count);
    }
    CliRun human = CliRun.of("enqueue", "demo.tick", "\"t\"", "--count", Integer.toString(count), "--store", store);
    assertThat(human.out().lines().toList()).hasSize(21).last().asString().startsWith("... " + count + " jobs: ");
  }
}
