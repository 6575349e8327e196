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

  @Test
  void locationParametersUseTheOneDurationAndSizeGrammar() {
    String base = "sqlite:" + dir.resolve("p.db");
    try (var store = dev.spindle.queue.JobStores.open(base + "?busyTimeout=1.5s&wakeup=5ms&maxPayloadBytes=1KiB")) {
      assertThat(store.enqueue(List.of(newJob("\"" + "x".repeat(1000) + "\"")))).hasSize(1);
      assertThatThrownBy(() -> store.enqueue(List.of(newJob("\"" + "x".repeat(1100) + "\""))))
          .isInstanceOf(PayloadException.class).hasMessageContaining("limit of 1024 bytes");
    }
    assertThatThrownBy(() -> dev.spindle.queue.JobStores.open(base + "?maxDatabaseBytes=5 apples"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("parameter maxDatabaseBytes: not a size: '5 apples'");
    assertThatThrownBy(() -> dev.spindle.queue.JobStores.open(base + "?busyTimeout=soon"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("parameter busyTimeout: not a duration");
  }

  private static NewJob newJob(String args) {
    return new NewJob("t", args, "default", 0, Instant.EPOCH, null, JobPolicy.defaults(), Instant.EPOCH);
  }
}
