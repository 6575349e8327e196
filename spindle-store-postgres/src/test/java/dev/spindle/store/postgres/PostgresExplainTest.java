package dev.spindle.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.store.jdbc.internal.SqlJobRows;
import dev.spindle.store.jdbc.internal.SqlRetention;
import dev.spindle.store.postgres.internal.PostgresDialect;
import dev.spindle.testkit.postgres.PostgresServer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The indexes behind every hot query, checked with {@code EXPLAIN} on 1,000,000 jobs (900,000
 * finished, 60,000 ready in 3 queues, 20,000 delayed, 1,000 running, the rest failed), statistics
 * fresh: no plan may read the jobs table sequentially.
 */
class PostgresExplainTest {
  private static PostgresJobStore store;
  private static String schema;
  private static final long NOW = 1_800_000_000_000_000L;

  @BeforeAll
  static void fill() {
    store = SharedPostgres.open("explain", null);
    schema = store.schema();
    Instant t = Instant.now();
    store.enqueue(List.of(new NewJob("store.echo", "\"seed\"", "q0", 0, t, null, JobPolicy.defaults(), t)));
    // state codes: 0 SCHEDULED, 1 QUEUED, 2 RUNNING, 3 SUCCEEDED, 4 FAILED
    psql("INSERT INTO spindle_jobs (id, task, queue, state, priority, args, worker_id, created_at, run_at,"
        + " finished_at, expires_at, finish_seq, policy_id, unique_key)"
        + " SELECT i + 1, 'store.echo', 'q' || (i % 3), s, i % 5, '\"x\"', CASE WHEN s = 2 THEN 'w' || (i % 10) END,"
        + " " + NOW + " - (1000000 - i) * 1000, " + NOW + " + CASE WHEN s = 0 THEN i ELSE -1000000 END,"
        + " CASE WHEN s >= 3 THEN " + NOW + " - (1000000 - i) END, CASE WHEN s >= 3 THEN " + NOW + " + i END,"
        + " CASE WHEN s >= 3 THEN i ELSE 0 END, (SELECT min(id) FROM spindle_policies),"
        + " CASE WHEN i % 7 = 0 THEN 'k' || i END"
        + " FROM (SELECT i, CASE WHEN i < 900000 THEN 3 WHEN i < 960000 THEN 1 WHEN i < 980000 THEN 0"
        + " WHEN i < 981000 THEN 2 ELSE 4 END AS s FROM generate_series(1, 1000000) AS i) g;"
        + " SELECT setval('spindle_job_ids', 1000002); SELECT setval('spindle_finish_seq', 1000000);"
        + " ANALYZE spindle_jobs");
  }

  @AfterAll
  static void drop() {
    store.close();
    PostgresServer.shared().psql("DROP SCHEMA " + schema + " CASCADE");
  }

  private static String psql(String sql) {
    return SharedPostgres.psql(schema, sql);
  }

  private static String plan(String sql) {
    return psql("EXPLAIN (COSTS OFF) " + sql);
  }

  @Test
  void theTableHoldsAMillionJobs() {
    assertThat(psql("SELECT count(*) FROM spindle_jobs")).isEqualTo("1000001");
  }

  @Test
  void textSearchFollowsTheTrigramIndexes() {
    // the job list's text filter as SqlFilter writes it (newest first), over the hot table and the history
    String sql = "SELECT id, task, state FROM spindle_all_jobs WHERE 1 = 1"
        + PostgresDialect.INSTANCE.textMatch("needle").condition().replace("?", "'%needle%'")
        + " ORDER BY id DESC LIMIT 50";
    String plan = plan(sql);
    // running jobs are not in the hot table's trigram indexes (schema 7): found along spindle_jobs_running
    assertThat(plan).as(sql + "\n" + plan).doesNotContain("Seq Scan on spindle_jobs")
        .contains("Bitmap Index Scan on spindle_jobs_args_trgm").contains("Bitmap Index Scan on spindle_jobs_error_trgm")
        .contains("Bitmap Index Scan on spindle_jobs_running");
    // and it finds what it should: a few rows with the text in their arguments or their error, one running
    psql("UPDATE spindle_jobs SET args = '\"a Needle here\"' WHERE id IN (500000, 700000, 980500);"
        + " UPDATE spindle_jobs SET error = 'needle in error' WHERE id IN (990000, 980600)");
    assertThat(store.inspector().listJobs(dev.spindle.queue.spi.JobFilter.all().withText("needle")))
        .extracting(dev.spindle.queue.JobInfo::id).containsExactly("990000", "980600", "980500", "700000", "500000");
  }

  @Test
  void aCreationTimeRangeFindsRunningJobsAlongTheirOwnIndex() {
    // job i + 1 was created at NOW - (1,000,000 - i) ms: i = 979,990..980,009 are ten delayed jobs, then
    // ten running ones, which spindle_jobs_created leaves out (schema 12)
    Instant from = Instant.EPOCH.plus(NOW - 20_010_000L, ChronoUnit.MICROS);
    Instant to = Instant.EPOCH.plus(NOW - 19_990_000L, ChronoUnit.MICROS);
    assertThat(store.inspector().listJobs(dev.spindle.queue.spi.JobFilter.all().withCreated(from, to).withLimit(100)))
        .extracting(dev.spindle.queue.JobInfo::id)
        .containsExactlyElementsOf(LongStream.rangeClosed(979_991, 980_010).map(i -> 1_960_001 - i)
            .mapToObj(Long::toString).toList());
    for (String agg : List.of("min", "max")) {
      String sql = "SELECT " + PostgresDialect.INSTANCE.createdIdBound(agg, "spindle_all_jobs")
          .replaceFirst("\\?", Long.toString(NOW - 20_010_000L)).replaceFirst("\\?", Long.toString(NOW - 19_990_000L));
      assertThat(plan(sql)).as(sql + "\n" + plan(sql)).doesNotContain("Seq Scan on spindle_jobs")
          .contains("spindle_jobs_created").contains("spindle_jobs_running");
      assertThat(psql(sql)).isEqualTo(agg.equals("min") ? "979991" : "980010");
    }
  }

  @Test
  void aCompletionBatchFindsEachRowDirectlyUnderItsGenericPlan() {
    // the store's prepared completion runs with a plan made for any array size; 100 running jobs per
    // worker here: each completion must read one index entry, not all its worker's jobs
    String out = psql("SET plan_cache_mode = force_generic_plan; PREPARE c(bigint[], bigint[], text[]) AS"
        + " UPDATE spindle_jobs j SET state = 2 FROM unnest($1, $2, $3) AS u(id, fence, worker)"
        + " WHERE j.id = u.id AND j.fence = u.fence AND j.worker_id = u.worker AND j.state = 2 RETURNING j.id;"
        + " EXPLAIN (ANALYZE, COSTS OFF) EXECUTE c(ARRAY[980001, 980002, 980003]::bigint[],"
        + " ARRAY[0, 0, 0]::bigint[], ARRAY['w0', 'w1', 'w2']::text[])");
    assertThat(out).as(out).doesNotContain("Seq Scan on spindle_jobs").doesNotContain("Rows Removed by Filter")
        .containsPattern("Index Cond: \\(\\(worker_id = u\\.worker\\) AND \\(id = u\\.id\\)\\)|"
            + "Index Scan using spindle_jobs_pkey on spindle_jobs j")
        .contains("rows=3 loops=1");
  }

  @Test
  void noHotQueryScansTheTable() {
    Map<String, String> hot = Map.ofEntries(
        Map.entry("claim", "SELECT id FROM spindle_jobs WHERE state = 1 AND queue = 'q1'"
            + " ORDER BY priority DESC, id LIMIT 256 FOR UPDATE SKIP LOCKED"),
        Map.entry("promote due delayed jobs", "SELECT id FROM spindle_jobs WHERE state = 0 AND run_at <= " + NOW
            + " ORDER BY run_at LIMIT 1000 FOR UPDATE SKIP LOCKED"),
        Map.entry("next due time", "SELECT run_at FROM spindle_jobs WHERE state = 0 ORDER BY run_at LIMIT 1"),
        Map.entry("heartbeat: jobs held", "SELECT id, cancel_requested FROM spindle_jobs WHERE state = 2"
            + " AND worker_id = 'w3'"),
        Map.entry("finished feed", "SELECT id FROM spindle_jobs WHERE state >= 3 AND finish_seq > 899000"
            + " ORDER BY finish_seq LIMIT 100"),
        Map.entry("retention by expiry", "SELECT id FROM spindle_jobs WHERE state >= 3 AND expires_at <= " + NOW
            + " ORDER BY expires_at LIMIT 1000"),
        Map.entry("reclaim", "SELECT j.id FROM spindle_jobs j WHERE j.state = 2 AND NOT EXISTS (SELECT 1 FROM"
            + " spindle_workers w WHERE w.id = j.worker_id AND w.lease_until > " + NOW + ") LIMIT 100"),
        Map.entry("find", "SELECT * FROM spindle_jobs WHERE id = 123456"),
        Map.entry("unique key", "SELECT id, state FROM spindle_jobs WHERE unique_key = 'k700'"),
        Map.entry("oldest waiting", "SELECT run_at FROM spindle_jobs WHERE id = (SELECT min(id) FROM spindle_jobs"
            + " WHERE state = 1)"),
        Map.entry("complete a batch", "UPDATE spindle_jobs j SET state = 3 FROM unnest(ARRAY[900001, 900002,"
            + " 900003]::bigint[], ARRAY[0, 0, 0]::bigint[], ARRAY['w1', 'w1', 'w1']) AS u(id, fence, worker)"
            + " WHERE j.id = u.id AND j.fence = u.fence AND j.worker_id = u.worker AND j.state = 2"),
        Map.entry("retention limit: the newest job beyond it", "SELECT finish_seq FROM spindle_all_jobs WHERE "
            + SqlJobRows.IS_SUCCESS_LIKE + " ORDER BY finish_seq DESC OFFSET 100000 LIMIT 1"),
        Map.entry("retention limit: the oldest jobs up to it", "SELECT id FROM spindle_all_jobs WHERE "
            + SqlJobRows.IS_SUCCESS_LIKE + " AND finish_seq <= 800000 ORDER BY finish_seq LIMIT 5000"),
        Map.entry("retention limit: the next jobs up to it", "SELECT finish_seq FROM spindle_all_jobs x WHERE x."
            + SqlJobRows.IS_SUCCESS_LIKE + " AND x.finish_seq <= 800000 AND NOT " + SqlRetention.awaited("x")
            + " AND x.finish_seq > 790000 ORDER BY x.finish_seq LIMIT 5000"),
        Map.entry("retention limit: delete a range of the oldest jobs", "DELETE FROM spindle_jobs x WHERE x."
            + SqlJobRows.IS_SUCCESS_LIKE + " AND x.finish_seq <= 800000 AND NOT " + SqlRetention.awaited("x")
            + " AND x.finish_seq >= 795000"),
        Map.entry("running in a limited queue", "SELECT count(*) FROM spindle_jobs WHERE state = 2 AND queue = 'q1'"),
        Map.entry("dependency release", "SELECT child, policy FROM spindle_deps WHERE parent = 5"));
    // small tables (workers, meta) may be read whole; the jobs table never
    hot.forEach((what, sql) -> assertThat(plan(sql)).as(what + ":\n" + sql)
        .doesNotContain("Seq Scan on spindle_jobs").contains("Index"));
  }
}
