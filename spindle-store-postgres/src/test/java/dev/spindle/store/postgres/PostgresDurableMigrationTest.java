package dev.spindle.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.store.postgres.internal.Schema;
import dev.spindle.testkit.postgres.PostgresServer;
import dev.spindle.testkit.store.MigratedDurableJob;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A store of schema 13 (before durable execution: no step, signal or cache tables, no wait columns
 * on the job tables) is migrated on open: its jobs stay, and a job enqueued before the migration
 * records steps, suspends on a signal and is woken by it.
 */
class PostgresDurableMigrationTest {
  @Test
  void aSchemaThirteenStoreGainsDurableExecutionAndKeepsItsJobs() {
    String schema = PostgresServer.newSchema("durable_migration");
    String id;
    try (PostgresJobStore store = open(schema)) {
      Instant now = store.storeTime();
      id = store.enqueue(List.of(new NewJob("t.old", "{}", "q", 0, now, "old-1", JobPolicy.defaults(), now)))
          .get(0).jobId();
    }
    SharedPostgres.psql(schema, "DROP TABLE spindle_job_steps, spindle_job_signals, spindle_durable_cache,"
        + " spindle_job_progress, spindle_job_log;"
        + " DROP VIEW spindle_all_jobs;"
        + " ALTER TABLE spindle_jobs DROP COLUMN wait_kind, DROP COLUMN wait_for;"
        + " ALTER TABLE spindle_history DROP COLUMN wait_kind, DROP COLUMN wait_for;"
        + " CREATE VIEW spindle_all_jobs AS SELECT * FROM spindle_jobs UNION ALL SELECT * FROM spindle_history;"
        + " UPDATE spindle_meta SET value = 13 WHERE key = 'schema_version'");
    assertThat(version(schema)).isEqualTo("13");

    try (PostgresJobStore store = open(schema)) {
      assertThat(version(schema)).isEqualTo(Integer.toString(Schema.VERSION));
      MigratedDurableJob.runsDurably(store, id, "old-1");
    }
  }

  private static PostgresJobStore open(String schema) {
    PostgresServer pg = PostgresServer.shared();
    return PostgresJobStore.builder(pg.host(), pg.port(), "postgres", pg.user()).password(pg.password())
        .schema(schema).open();
  }

  private static String version(String schema) {
    return SharedPostgres.psql(schema, "SELECT value FROM spindle_meta WHERE key = 'schema_version'");
  }
}
