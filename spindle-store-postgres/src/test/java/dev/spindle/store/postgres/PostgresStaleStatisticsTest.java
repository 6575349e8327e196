package dev.spindle.store.postgres;

import static dev.spindle.store.postgres.SharedPostgres.psql;
import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.testkit.postgres.PostgresServer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A queue that was drained, vacuumed while empty, then filled by a burst (an idle night, then a
 * morning's batch): until the next ANALYZE the planner's statistics say the table is empty. A claim
 * must still follow the ready index and take the oldest jobs, not scan and sort the whole table. (A
 * VACUUM of an emptied table sent db-scheduler's claim into a nested loop that ran for minutes in
 * {@code PostgresBench versus}.) Their completion must look its rows up, not read an index whole
 * (planned on such statistics, Spindle's completing statement took 13-29 ms a call for about 110
 * jobs).
 */
class PostgresStaleStatisticsTest {
  private static final int JOBS = 200_000;

  @Test
  void aClaimFollowsTheReadyIndexWhileTheStatisticsStillSayTheTableIsEmpty() {
    PostgresJobStore store = SharedPostgres.open("stale", null);
    String schema = store.schema();
    try {
      Instant t = Instant.now();
      store.enqueue(List.of(new NewJob("store.echo", "\"seed\"", "default", 0, t, null, JobPolicy.defaults(), t)));
      // drained and vacuumed while empty; autovacuum off so that no ANALYZE corrects the statistics mid-test
      psql(schema, "ALTER TABLE spindle_jobs SET (autovacuum_enabled = false); DELETE FROM spindle_jobs");
      // alone: psql -c runs several statements in one transaction, where VACUUM may not run
      PostgresServer.shared().psql("VACUUM ANALYZE " + schema + ".spindle_jobs");
      assertThat(reltuples(schema)).as("the statistics record an empty table").isEqualTo("0");
      // the burst: QUEUED jobs (state 1) in queue 'default', ids 2.. in enqueue order, no ANALYZE since
      psql(schema, "INSERT INTO spindle_jobs (id, task, queue, state, priority, args, created_at, run_at, policy_id)"
          + " SELECT i + 1, 'store.echo', 'default', 1, 0, '\"x\"', 0, 0, (SELECT min(id) FROM spindle_policies)"
          + " FROM generate_series(1, " + JOBS + ") AS i; SELECT setval('spindle_job_ids', " + (JOBS + 1) + ")");
      assertThat(reltuples(schema)).as("still no ANALYZE").isEqualTo("0");

      String plan = psql(schema, "EXPLAIN (COSTS OFF) SELECT id FROM spindle_jobs WHERE state = 1"
          + " AND queue = 'default' ORDER BY priority DESC, id LIMIT 64 FOR UPDATE SKIP LOCKED");
      assertThat(plan).as(plan).doesNotContain("Seq Scan on spindle_jobs").contains("spindle_jobs_ready");

      Instant now = Instant.now();
      store.heartbeat(new WorkerRecord("w1", "w", "host", 1, List.of("default"), 64, "THREADS", "RUNNING", now, now,
          now.plus(Duration.ofMinutes(5)), 0, 0, 0, 0));
      List<JobInfo> claimed = store.claim(new ClaimRequest("w1", List.of("default"), 64, now)).jobs();
      assertThat(claimed).extracting(JobInfo::id).as("the 64 oldest, in order")
          .containsExactlyElementsOf(IntStream.rangeClosed(2, 65).mapToObj(Integer::toString).toList());

      // their completion, on the plan the store runs it with (generic), while the statistics still
      // count no running job: it must look the 64 rows up, not read an index whole
      String ids = claimed.stream().map(JobInfo::id).collect(Collectors.joining(", "));
      String fences = claimed.stream().map(j -> Long.toString(j.fence())).collect(Collectors.joining(", "));
      String completing = PostgresCompletions.moving("NULL");
      int[] n = {0};
      completing = java.util.regex.Pattern.compile("\\?").matcher(completing).replaceAll(r -> "\\$" + ++n[0]);
      // at 0, their history day (1, the default policy's day after) in a partition of the rolled back transaction
      String done = psql(schema, "BEGIN; SET LOCAL plan_cache_mode = force_generic_plan; CREATE TABLE day1 PARTITION OF"
          + " spindle_history FOR VALUES FROM (86400000000) TO (172800000000); PREPARE c AS " + completing
          + "; EXPLAIN (ANALYZE, TIMING OFF, COSTS OFF) EXECUTE c(0, ARRAY[" + ids + "]::bigint[], ARRAY[" + fences
          + "]::bigint[], array_fill('w1'::text, ARRAY[64]), array_fill('1'::text, ARRAY[64]),"
          + " ARRAY[1]::bigint[]);"
          + " ROLLBACK");
      assertThat(reltuples(schema)).as("still no ANALYZE").isEqualTo("0");
      assertThat(done).as(done).containsPattern("Index Scan (using|on) spindle_jobs_pkey")
          .contains("Index Cond: (id = ANY ($2))").doesNotContain("spindle_jobs_running")
          .doesNotContain("Seq Scan on spindle_jobs").contains("Delete on spindle_jobs j (actual rows=64 loops=1)");
    } finally {
      store.close(); // before the schema is dropped
      PostgresServer.shared().psql("DROP SCHEMA " + schema + " CASCADE");
    }
  }

  private static String reltuples(String schema) {
    return psql(schema, "SELECT reltuples FROM pg_class WHERE oid = 'spindle_jobs'::regclass");
  }
}
