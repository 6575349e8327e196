package dev.spindle.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.store.jdbc.SchemaStatus;
import org.junit.jupiter.api.Test;

/** What {@code spindle migrate --print} shows: the version found and the pending statements, nothing changed. */
class PostgresSchemaStatusTest {
  @Test
  void aNewSchemaShowsEveryMigrationAndAnOpenedOneNone() {
    PostgresJobStore.Builder b = SharedPostgres.builder("migrate");
    SchemaStatus fresh = b.schemaStatus();
    assertThat(fresh.found()).isZero();
    assertThat(fresh.pending()).startsWith("-- version 1").contains("-- version 2")
        .anySatisfy(sql -> assertThat(sql).startsWith("CREATE TABLE spindle_history"));
    assertThat(b.schemaStatus().found()).as("reading changed nothing").isZero();
    try (PostgresJobStore store = b.open()) {
      SchemaStatus now = b.schemaStatus();
      assertThat(now.found()).isEqualTo(now.current());
      assertThat(now.pending()).isEmpty();
      assertThat(now.describe()).isEqualTo(store.describe());
    }
  }
}
