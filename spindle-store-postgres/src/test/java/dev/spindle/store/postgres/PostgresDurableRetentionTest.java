package dev.spindle.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.queue.DurableRules;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.JobRef;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.RetentionLimits;
import dev.spindle.queue.spi.StepRecord;
import dev.spindle.queue.spi.StepWrite;
import dev.spindle.testkit.postgres.PostgresServer;
import dev.spindle.testkit.store.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The step and signal rows of a job go with it on PostgreSQL, where a finished job moves to the
 * history and retention drops whole partitions: after the retention pass that removes the job, its
 * rows are gone; a running job's rows stay.
 */
class PostgresDurableRetentionTest {
  private final ManualClock clock = new ManualClock(Instant.parse("2030-07-01T10:00:00Z"));

  @Test
  void retentionTakesTheRecordsOfTheJobsItRemovesAndLeavesTheOthers() {
    try (PostgresJobStore store = SharedPostgres.open("durable_retention", clock)) {
      JobInfo done = runWithRecords(store);
      JobInfo running = runWithRecords(store);
      assertThat(store.complete(List.of(Completion.succeeded(done.id(), done.fence(), "w1", "1")), clock.instant()))
          .containsExactly(true);
      assertThat(rows(store, "spindle_job_steps")).isEqualTo(2);
      assertThat(rows(store, "spindle_job_signals")).isEqualTo(2);
      assertThat(store.durable().orElseThrow().view(done.id()).orElseThrow().steps()).as("kept while the job is")
          .hasSize(1);

      clock.advance(Duration.ofDays(3));
      assertThat(store.purgeExpired(clock.instant(), RetentionLimits.defaults())).isPositive();
      assertThat(store.find(done.id())).isEmpty();
      assertThat(rows(store, "spindle_job_steps")).isEqualTo(1);
      assertThat(rows(store, "spindle_job_signals")).isEqualTo(1);
      assertThat(store.durable().orElseThrow().view(running.id()).orElseThrow().steps()).hasSize(1);
      assertThat(store.durable().orElseThrow().signalAt(running.id(), "s", 0)).isPresent();
    }
  }

  private JobInfo runWithRecords(PostgresJobStore store) {
    Instant now = clock.instant();
    store.enqueue(List.of(new NewJob("t.kept", "{}", "q", 0, now, null, JobPolicy.defaults(), now)));
    JobInfo j = store.claim(new ClaimRequest("w1", List.of("q"), 1, now)).jobs().get(0);
    StepRecord step = new StepRecord("a", 0, 0, StepRecord.Kind.VALUE, "1", j.fence(), j.attempt(), 1, Instant.EPOCH);
    assertThat(store.durable().orElseThrow().record(j.id(), j.fence(), "w1", step, DurableRules.defaults()).status())
        .isEqualTo(StepWrite.Status.APPLIED);
    store.durable().orElseThrow().signal(JobRef.id(j.id()), "s", "1", DurableRules.defaults(), now);
    return j;
  }

  private static long rows(PostgresJobStore store, String table) {
    return Long.parseLong(PostgresServer.shared().psql("SELECT count(*) FROM " + store.schema() + "." + table)
        .strip());
  }
}
