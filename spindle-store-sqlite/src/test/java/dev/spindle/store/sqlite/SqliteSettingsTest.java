package dev.spindle.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.PayloadException;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.spi.NewJob;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An open store keeps the settings it was opened with: changing its builder afterwards changes nothing. */
class SqliteSettingsTest {
  @TempDir
  Path dir;

  @Test
  void changingTheBuilderAfterOpenChangesNothing() {
    SqliteJobStore.Builder b = SqliteJobStore.builder(dir.resolve("s.db")).maxPayloadBytes(64);
    try (SqliteJobStore store = b.open()) {
      b.durability(SqliteJobStore.Durability.FULL).maxPayloadBytes(1 << 20);
      assertThat(store.durability()).isEqualTo(SqliteJobStore.Durability.NORMAL);
      String big = "\"" + "x".repeat(100) + "\"";
      assertThatThrownBy(() -> store.enqueue(List.of(newJob(big)))).isInstanceOf(PayloadException.class)
          .hasMessageContaining("64 bytes");
    }
  }

  private static NewJob newJob(String args) {
    return new NewJob("t", args, "default", 0, Instant.EPOCH, null, JobPolicy.defaults(), Instant.EPOCH);
  }
}
