package dev.spindle.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.queue.DurableRules;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.DurableStore;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.StepLog;
import dev.spindle.queue.spi.StepRecord;
import dev.spindle.queue.spi.StepTally;
import dev.spindle.queue.spi.StepWrite;
import dev.spindle.testkit.postgres.PostgresServer;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the hot writes cost PostgreSQL, counted by {@code pg_stat_statements} on a server of this
 * test's own (the extension needs a restart): a plain job enqueued alone, and a step recorded by the
 * attempt that holds the job, are each one INSERT in auto-commit, with no other read and no COMMIT of
 * their own.
 */
class PostgresRoundTripsTest {
  private static final int STEPS = 10;
  private static PostgresServer pg;

  @BeforeAll
  static void startServer() {
    pg = PostgresServer.start();
    pg.psql("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'");
    pg.restart();
    pg.psql("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
  }

  @AfterAll
  static void stopServer() {
    pg.close();
  }

  @Test
  void aStepByTheHolderIsOneStatementInAutoCommit() {
    try (PostgresJobStore store = PostgresJobStore.builder(pg.host(), pg.port(), "postgres", pg.user())
        .password(pg.password()).schema(PostgresServer.newSchema("round_trip")).open()) {
      Instant now = store.storeTime();
      store.enqueue(List.of(new NewJob("t.steps", "{}", "q", 0, now, null, JobPolicy.defaults(), now)));
      JobInfo j = store.claim(new ClaimRequest("w1", List.of("q"), 1, store.storeTime())).jobs().get(0);
      DurableStore durable = store.durable().orElseThrow();
      StepTally tally = StepTally.of(durable.load(j.id(), j.fence(), "w1").orElseThrow());

      pg.psql("SELECT pg_stat_statements_reset()");
      for (int i = 0; i < STEPS; i++) {
        StepRecord step = new StepRecord("s" + i, 0, i, StepRecord.Kind.VALUE, "\"v\"", j.fence(), j.attempt(), 1,
            Instant.EPOCH);
        StepWrite w = durable.record(j.id(), j.fence(), "w1", step, DurableRules.defaults(), tally);
        assertThat(w.status()).isEqualTo(StepWrite.Status.APPLIED);
        tally = tally.plus(Objects.requireNonNull(w.stored()));
      }

      assertThat(calls("query LIKE 'INSERT INTO spindle_job_steps%'")).as("one insert per step").isEqualTo(STEPS);
      assertThat(calls("query LIKE 'SELECT%spindle_job_steps%'")).as("no read of the records").isZero();
      assertThat(calls("query LIKE 'SELECT%FROM spindle_jobs%'")).as("no separate fenced check").isZero();
      assertThat(calls("upper(query) = 'COMMIT'")).as("no COMMIT per step (the store's other work may commit)")
          .isLessThan(STEPS);
      assertThat(durable.view(j.id()).map(StepLog::steps).orElseThrow()).hasSize(STEPS);
    }
  }

  @Test
  void aPlainJobEnqueuedAloneIsOneInsertThatTakesItsIdFromTheSequence() {
    try (PostgresJobStore store = PostgresJobStore.builder(pg.host(), pg.port(), "postgres", pg.user())
        .password(pg.password()).schema(PostgresServer.newSchema("enqueue_alone")).open()) {
      Instant now = store.storeTime();
      store.enqueue(List.of(new NewJob("t.plain", "{}", "q", 0, now, null, JobPolicy.defaults(), now)));

      pg.psql("SELECT pg_stat_statements_reset()");
      for (int i = 0; i < STEPS; i++) {
        store.enqueue(List.of(new NewJob("t.plain", "{}", "q", 0, now, null, JobPolicy.defaults(), now)));
      }

      assertThat(calls("query LIKE 'INSERT INTO spindle_jobs%nextval%RETURNING id'")).as("one insert per job")
          .isEqualTo(STEPS);
      assertThat(calls("query LIKE '%nextval%generate_series%'")).as("no separate id read").isZero();
      assertThat(calls("upper(query) = 'COMMIT'")).as("no COMMIT per job (the store's other work may commit)")
          .isLessThan(STEPS);
      assertThat(store.inspector().queueSummaries()).singleElement()
          .satisfies(q -> assertThat(q.count(JobState.QUEUED)).isEqualTo(STEPS + 1));
    }
  }

  private static long calls(String where) {
    return Long.parseLong(pg.psql("SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE " + where).strip());
  }
}
