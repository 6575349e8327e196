package dev.spindle.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.store.jdbc.internal.SqlArrayClaims;
import dev.spindle.store.postgres.internal.Db;
import dev.spindle.store.postgres.internal.PostgresDialect;
import dev.spindle.testkit.postgres.PostgresServer;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The claim statements lock their rows in a sub-select that runs once, whatever the planner thinks
 * of the table: here its statistics say it is empty (as after an autovacuum between two drains)
 * while it holds 20,000 ready jobs. As a join, the planner could put the locking sub-select inside
 * a nested loop and run it again for every row (in the benchmark two claims then ran for minutes).
 */
class PostgresClaimPlanTest {
  private static final SqlArrayClaims<Db.Conn> CLAIMS = new SqlArrayClaims<>(PostgresDialect.INSTANCE, null);

  private static PostgresJobStore store;

  @BeforeAll
  static void fill() {
    store = SharedPostgres.open("claimplan", null);
    Instant t = Instant.now();
    store.enqueue(List.of(new NewJob("store.echo", "null", "seed", 0, t, null, JobPolicy.defaults(), t)));
    psql("INSERT INTO spindle_jobs (id, task, queue, state, priority, args, created_at, run_at, policy_id, flow_key)"
        + " SELECT i + 10, 'store.echo', 'q', 1, 0, 'null', i, i, (SELECT min(id) FROM spindle_policies),"
        + " CASE WHEN i % 10 = 0 THEN 'k' END FROM generate_series(1, 20000) AS i;"
        + " UPDATE pg_class SET reltuples = 0 WHERE oid = 'spindle_jobs'::regclass");
  }

  @AfterAll
  static void drop() {
    store.close();
    PostgresServer.shared().psql("DROP SCHEMA " + store.schema() + " CASCADE");
  }

  private static String psql(String sql) {
    return SharedPostgres.psql(store.schema(), sql);
  }

  /** Each claim statement with its parameters bound in order, and the jobs it must take. */
  static List<Object[]> statements() {
    return List.of(
        new Object[] {"many", CLAIMS.takeMany(), List.of("'w'", "1", "'q'", "64"), 64},
        new Object[] {"from a position", CLAIMS.takeFrom(), List.of("'w'", "1", "'q'", "0", "5000", "64"), 64},
        new Object[] {"keyed", CLAIMS.takeOne("k"), List.of("'w'", "1", "'q'", "'k'"), 1},
        new Object[] {"unkeyed", CLAIMS.takeOne(null), List.of("'w'", "1", "'q'"), 1});
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("statements")
  void locksItsRowsOnceAndFindsThemByAddress(String what, String sql, List<String> params, int jobs) {
    String bound = sql;
    for (String p : params) {
      bound = bound.replaceFirst("\\?", p);
    }
    String plan = psql("BEGIN; EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) " + bound + "; ROLLBACK");
    assertThat(plan).as(plan).contains("InitPlan").contains("LockRows (actual rows=" + jobs + " loops=1)")
        .contains("Tid Scan on spindle_jobs j").contains("TID Cond: (ctid = ANY (").doesNotContain("Nested Loop")
        .doesNotContain("Seq Scan on spindle_jobs").containsPattern("Update on spindle_jobs j \\(actual rows=" + jobs);
  }
}
