package dev.spindle.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.queue.DurableRules;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.DurableStore;
import dev.spindle.queue.spi.JobRef;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.SignalResult;
import dev.spindle.queue.spi.StepRecord;
import dev.spindle.queue.spi.StepWrite;
import dev.spindle.queue.spi.WaitFor;
import dev.spindle.store.postgres.internal.Schema;
import dev.spindle.testkit.postgres.PostgresServer;
import java.time.Duration;
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
    SharedPostgres.psql(schema, "DROP TABLE spindle_job_steps, spindle_job_signals, spindle_durable_cache;"
        + " DROP VIEW spindle_all_jobs;"
        + " ALTER TABLE spindle_jobs DROP COLUMN wait_kind, DROP COLUMN wait_for;"
        + " ALTER TABLE spindle_history DROP COLUMN wait_kind, DROP COLUMN wait_for;"
        + " CREATE VIEW spindle_all_jobs AS SELECT * FROM spindle_jobs UNION ALL SELECT * FROM spindle_history;"
        + " UPDATE spindle_meta SET value = 13 WHERE key = 'schema_version'");
    assertThat(version(schema)).isEqualTo("13");

    try (PostgresJobStore store = open(schema)) {
      assertThat(version(schema)).isEqualTo(Integer.toString(Schema.VERSION));
      assertThat(store.find(id).orElseThrow().state()).isEqualTo(JobState.QUEUED);
      DurableStore durable = store.durable().orElseThrow();
      JobInfo j = store.claim(new ClaimRequest("w1", List.of("q"), 1, store.storeTime())).jobs().get(0);
      assertThat(j.id()).isEqualTo(id);
      StepRecord step = new StepRecord("charge", 0, 0, StepRecord.Kind.VALUE, "42", j.fence(), j.attempt(), 1,
          Instant.EPOCH);
      assertThat(durable.record(id, j.fence(), "w1", step, DurableRules.defaults()).status())
          .isEqualTo(StepWrite.Status.APPLIED);
      Instant now = store.storeTime();
      assertThat(durable.suspend(id, j.fence(), "w1", WaitFor.signal("go", 0, 1, now.plus(Duration.ofDays(1))), now))
          .isTrue();
      assertThat(store.find(id).orElseThrow().state()).isEqualTo(JobState.SCHEDULED);
      assertThat(durable.signal(JobRef.uniqueKey("old-1"), "go", "true", DurableRules.defaults(), now))
          .isEqualTo(SignalResult.WOKE);
      assertThat(store.find(id).orElseThrow().state()).isEqualTo(JobState.QUEUED);
      assertThat(durable.view(id).orElseThrow().steps()).extracting(StepRecord::resultJson).containsExactly("42");
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
