package dev.spindle.store.postgres;

import static dev.spindle.store.postgres.SharedPostgres.psql;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.store.jdbc.internal.SqlArrayClaims;
import dev.spindle.store.jdbc.internal.SqlJobRows;
import dev.spindle.store.postgres.internal.Db;
import dev.spindle.store.postgres.internal.PostgresDialect;
import dev.spindle.store.postgres.internal.PostgresHistory;
import dev.spindle.testkit.postgres.PostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A queue that was drained, vacuumed, then filled by a burst (an idle night, then a morning's
 * batch): until the next ANALYZE the planner's statistics describe the drained table. A claim must
 * still follow the ready index and take the oldest jobs, not read and sort the whole table. (A
 * VACUUM of an emptied table sent db-scheduler's claim into a nested loop that ran for minutes in
 * {@code PostgresBench versus}.) Their completion must look its rows up, not read an index whole
 * (planned on such statistics, Spindle's completing statement took 13-29 ms a call for about 110
 * jobs).
 */
class PostgresStaleStatisticsTest {
  private static final SqlArrayClaims<Db.Conn> CLAIMS = new SqlArrayClaims<>(PostgresDialect.INSTANCE, null);

  private static final int READY = 200_000;
  private static final int DELAYED = 20_000;
  private static final Pattern COLUMNS = Pattern.compile("\\|");

  /** What the VACUUM of the drained table recorded. */
  enum Drained {
    /** No pages and no rows: the planner estimates the rows from the table's size and row width. */
    EMPTY("0|0"),
    /**
     * One page and no rows: an older transaction could still see the deleted row, so the VACUUM kept
     * it. The planner reads no rows per page, so no rows however much the table grows (this is how
     * the test first failed in CI: another transaction was open during its VACUUM).
     */
    DEAD_ROW_KEPT("1|0");

    final String pagesAndRows;

    Drained(String pagesAndRows) {
      this.pagesAndRows = pagesAndRows;
    }
  }

  @ParameterizedTest
  @EnumSource(Drained.class)
  void aClaimFollowsTheReadyIndexWhileTheStatisticsDescribeTheDrainedTable(Drained drained) throws SQLException {
    PostgresJobStore store = SharedPostgres.open("stale", null);
    String schema = store.schema();
    try {
      Instant t = Instant.now();
      store.enqueue(List.of(new NewJob("store.echo", "\"seed\"", "default", 0, t, null, JobPolicy.defaults(), t)));
      drainAndVacuum(schema, drained);
      assertThat(pagesAndRows(schema)).as("what the VACUUM recorded").isEqualTo(drained.pagesAndRows);
      // the burst, no ANALYZE since: ready jobs (ids 2.. in enqueue order), then delayed ones, due
      psql(schema, "INSERT INTO spindle_jobs (id, task, queue, state, priority, args, created_at, run_at, policy_id)"
          + " SELECT i + 1, 'store.echo', 'default', CASE WHEN i <= " + READY + " THEN " + SqlJobRows.QUEUED + " ELSE "
          + SqlJobRows.SCHEDULED + " END, 0, '\"x\"', 0, 0, (SELECT min(id) FROM spindle_policies)"
          + " FROM generate_series(1, " + (READY + DELAYED) + ") AS i; SELECT setval('spindle_job_ids', "
          + (READY + DELAYED + 1) + ")");
      assertThat(pagesAndRows(schema)).as("still no ANALYZE").endsWith("|0");

      Map<String, IndexReads> before = indexReads(schema);
      Instant now = Instant.now();
      store.heartbeat(new WorkerRecord("w1", "w", "host", 1, List.of("default"), 64, "THREADS", "RUNNING", now, now,
          now.plus(Duration.ofMinutes(5)), 0, 0, 0, 0));
      List<JobInfo> claimed = store.claim(new ClaimRequest("w1", List.of("default"), 64, now)).jobs();
      assertThat(claimed).extracting(JobInfo::id).as("the 64 oldest, in order")
          .containsExactlyElementsOf(IntStream.rangeClosed(2, 65).mapToObj(Integer::toString).toList());
      // the claim's reads as the server counted them: a connection reports its counts within a second
      // of going idle, and the promotion reads at least 1,000 entries of some index (the heartbeat's
      // connection reports its own reads separately, far fewer)
      await().atMost(Duration.ofSeconds(30)).until(() -> entries(indexReads(schema)) >= entries(before) + 1_000);
      Map<String, IndexReads> read = indexReads(schema);
      assertThat(read.get("spindle_jobs_ready_plain").entries() - before.get("spindle_jobs_ready_plain").entries())
          .as("ready index entries read by a claim of 64").isLessThan(1_000);
      assertThat(read.get("spindle_jobs_scheduled").entries() - before.get("spindle_jobs_scheduled").entries())
          .as("delayed index entries read by a promotion of 1,000").isBetween(1_000L, 2_000L);
      assertThat(read.get("spindle_jobs_created")).as("never read whole").isEqualTo(before.get("spindle_jobs_created"));
      assertThat(count(schema, "state = " + SqlJobRows.SCHEDULED)).as("1,000 promoted").isEqualTo(DELAYED - 1_000);

      // the plans, with the claim's settings in its transaction, as the store sends them
      String take = explain(schema, CLAIMS.takeMany(), "'w1'", "1", "'default'", "64");
      assertThat(take).as(take).contains("Index Scan using spindle_jobs_ready_plain on spindle_jobs")
          .doesNotContain("Sort").doesNotContain("Seq Scan on spindle_jobs").contains("LockRows (actual rows=64 loops=1)");
      long due = Long.MAX_VALUE / 2;
      String rules = explain(schema, CLAIMS.promoteAndReadRules(), Long.toString(due), Long.toString(due));
      assertThat(rules).as(rules).contains("Index Scan using spindle_jobs_scheduled on spindle_jobs")
          .doesNotContain("Sort").doesNotContain("spindle_jobs_created").doesNotContain("Seq Scan on spindle_jobs");

      // their completion, on the plan the store runs it with (generic), while the statistics still
      // count no running job: it must look the 64 rows up, not read an index whole
      String ids = claimed.stream().map(JobInfo::id).collect(Collectors.joining(", "));
      String fences = claimed.stream().map(j -> Long.toString(j.fence())).collect(Collectors.joining(", "));
      String completing = numbered(PostgresHistory.INSTANCE.moveSuccesses("NULL"));
      // at 0, their history day (1, the default policy's day after) in a partition of the rolled back transaction
      String done = psql(schema, "BEGIN; SET LOCAL plan_cache_mode = force_generic_plan; CREATE TABLE day1 PARTITION OF"
          + " spindle_history FOR VALUES FROM (86400000000) TO (172800000000); PREPARE c AS " + completing
          + "; EXPLAIN (ANALYZE, TIMING OFF, COSTS OFF) EXECUTE c(0, ARRAY[" + ids + "]::bigint[], ARRAY[" + fences
          + "]::bigint[], array_fill('w1'::text, ARRAY[64]), array_fill('1'::text, ARRAY[64]),"
          + " ARRAY[1]::bigint[]);"
          + " ROLLBACK");
      assertThat(pagesAndRows(schema)).as("still no ANALYZE").endsWith("|0");
      assertThat(done).as(done).containsPattern("Index Scan (using|on) spindle_jobs_pkey")
          .contains("Index Cond: (id = ANY ($2))").doesNotContain("spindle_jobs_running")
          .doesNotContain("Seq Scan on spindle_jobs").contains("Delete on spindle_jobs j (actual rows=64 loops=1)");
    } finally {
      store.close(); // before the schema is dropped
      PostgresServer.shared().psql("DROP SCHEMA " + schema + " CASCADE");
    }
  }

  /**
   * Deletes every job and vacuums the table with autovacuum off for it (no ANALYZE corrects the
   * statistics mid-test), leaving the statistics {@code drained} describes.
   */
  private static void drainAndVacuum(String schema, Drained drained) throws SQLException {
    PostgresServer pg = PostgresServer.shared();
    psql(schema, "ALTER TABLE spindle_jobs SET (autovacuum_enabled = false)");
    // alone: psql -c runs several statements in one transaction, where VACUUM may not run
    String vacuum = "VACUUM ANALYZE " + schema + ".spindle_jobs";
    if (drained == Drained.EMPTY) {
      psql(schema, "DELETE FROM spindle_jobs");
      // a transaction open elsewhere on the shared server (an autovacuum's ANALYZE of another table)
      // keeps the deleted row, as in DEAD_ROW_KEPT: vacuum again once it has ended
      await().atMost(Duration.ofMinutes(1)).until(() -> {
        pg.psql(vacuum);
        return pagesAndRows(schema).equals(drained.pagesAndRows);
      });
      return;
    }
    try (Connection older = DriverManager.getConnection(pg.jdbcUrl("postgres"), pg.user(), pg.password());
        Statement st = older.createStatement()) {
      older.setAutoCommit(false);
      st.execute("SELECT txid_current()"); // a transaction older than the delete, still open during the VACUUM
      psql(schema, "DELETE FROM spindle_jobs");
      pg.psql(vacuum);
      older.rollback();
    }
  }

  /** EXPLAIN ANALYZE of a claim statement after the claim's settings, in a rolled back transaction. */
  private static String explain(String schema, String sql, String... params) {
    String bound = sql;
    for (String p : params) {
      bound = bound.replaceFirst("\\?", p);
    }
    return psql(schema, "BEGIN; " + PostgresDialect.INSTANCE.setBasedSql().claimSettings() + "; EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF,"
        + " SUMMARY OFF) " + bound + "; ROLLBACK");
  }

  /** {@code sql} with its {@code ?} parameters numbered {@code $1, $2, ...} (for PREPARE). */
  private static String numbered(String sql) {
    int[] n = {0};
    return Pattern.compile("\\?").matcher(sql).replaceAll(r -> "\\$" + ++n[0]);
  }

  private record IndexReads(long scans, long entries) {}

  /** The server's counts of scans of each of the job table's indexes and of the entries they read. */
  private static Map<String, IndexReads> indexReads(String schema) {
    Map<String, IndexReads> reads = new HashMap<>();
    for (String line : psql(schema, "SELECT indexrelname, idx_scan, idx_tup_read FROM pg_stat_user_indexes"
        + " WHERE schemaname = current_schema() AND relname = 'spindle_jobs'").lines().toList()) {
      String[] f = COLUMNS.split(line, -1);
      reads.put(f[0], new IndexReads(Long.parseLong(f[1]), Long.parseLong(f[2])));
    }
    return reads;
  }

  private static long entries(Map<String, IndexReads> reads) {
    return reads.values().stream().mapToLong(IndexReads::entries).sum();
  }

  private static long count(String schema, String where) {
    return Long.parseLong(psql(schema, "SELECT count(*) FROM spindle_jobs WHERE " + where));
  }

  private static String pagesAndRows(String schema) {
    return psql(schema, "SELECT relpages, reltuples FROM pg_class WHERE oid = 'spindle_jobs'::regclass");
  }
}
