package dev.spindle.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.store.jdbc.internal.SqlArrayClaims;
import dev.spindle.store.jdbc.internal.SqlArrayEnqueue;
import dev.spindle.store.postgres.internal.Db;
import dev.spindle.store.postgres.internal.PostgresDialect;
import org.junit.jupiter.api.Test;

/** The engine's set-based claim and enqueue statements, as rendered for PostgreSQL, word for word. */
class PostgresSetBasedSqlTest {
  private static final SqlArrayClaims<Db.Conn> CLAIMS = new SqlArrayClaims<>(PostgresDialect.INSTANCE, null);
  private static final SqlArrayEnqueue<Db.Conn> ENQUEUE = new SqlArrayEnqueue<>(PostgresDialect.INSTANCE);

  @Test
  void rendersPostgresqlStatements() {
    assertThat(CLAIMS.takeOne("k")).isEqualTo("UPDATE spindle_jobs j SET state = 2, worker_id = ?, fence = fence + 1, attempt = attempt + 1, started_at = ?, cancel_requested = 0 WHERE j.ctid = ANY(ARRAY(SELECT ctid FROM spindle_jobs WHERE state = 1 AND queue = ? AND flow_key = ? ORDER BY priority DESC, id LIMIT 1 FOR UPDATE SKIP LOCKED)) RETURNING id, task, queue, priority, args, unique_key, attempt, failures, lost, fence, created_at, run_at, policy_id, trace_context");
    assertThat(CLAIMS.takeOne(null)).isEqualTo("UPDATE spindle_jobs j SET state = 2, worker_id = ?, fence = fence + 1, attempt = attempt + 1, started_at = ?, cancel_requested = 0 WHERE j.ctid = ANY(ARRAY(SELECT ctid FROM spindle_jobs WHERE state = 1 AND queue = ? AND flow_key IS NULL ORDER BY priority DESC, id LIMIT 1 FOR UPDATE SKIP LOCKED)) RETURNING id, task, queue, priority, args, unique_key, attempt, failures, lost, fence, created_at, run_at, policy_id, trace_context");
    assertThat(CLAIMS.takeMany()).isEqualTo("UPDATE spindle_jobs j SET state = 2, worker_id = ?, fence = fence + 1, attempt = attempt + 1, started_at = ?, cancel_requested = 0 WHERE j.ctid = ANY(ARRAY(SELECT ctid FROM spindle_jobs WHERE state = 1 AND queue = ? AND flow_key IS NULL ORDER BY priority DESC, id LIMIT ? FOR UPDATE SKIP LOCKED)) RETURNING id, task, queue, priority, args, unique_key, attempt, failures, lost, fence, created_at, run_at, policy_id, trace_context");
    assertThat(CLAIMS.takeFrom()).isEqualTo("UPDATE spindle_jobs j SET state = 2, worker_id = ?, fence = fence + 1, attempt = attempt + 1, started_at = ?, cancel_requested = 0 WHERE j.ctid = ANY(ARRAY(SELECT ctid FROM spindle_jobs WHERE state = 1 AND queue = ? AND flow_key IS NULL AND priority = ? AND id > ? ORDER BY priority DESC, id LIMIT ? FOR UPDATE SKIP LOCKED)) RETURNING id, task, queue, priority, args, unique_key, attempt, failures, lost, fence, created_at, run_at, policy_id, trace_context");
    assertThat(CLAIMS.takeOneOf("k")).isEqualTo("UPDATE spindle_jobs j SET state = 2, worker_id = ?, fence = fence + 1, attempt = attempt + 1, started_at = ?, cancel_requested = 0 WHERE j.ctid = ANY(ARRAY(SELECT ctid FROM spindle_jobs WHERE state = 1 AND queue = ? AND flow_key = ? AND task = ANY(?) ORDER BY priority DESC, id LIMIT 1 FOR UPDATE SKIP LOCKED)) RETURNING id, task, queue, priority, args, unique_key, attempt, failures, lost, fence, created_at, run_at, policy_id, trace_context");
    assertThat(CLAIMS.takeOneOf(null)).isEqualTo("UPDATE spindle_jobs j SET state = 2, worker_id = ?, fence = fence + 1, attempt = attempt + 1, started_at = ?, cancel_requested = 0 WHERE j.ctid = ANY(ARRAY(SELECT ctid FROM spindle_jobs WHERE state = 1 AND queue = ? AND flow_key IS NULL AND task = ANY(?) ORDER BY priority DESC, id LIMIT 1 FOR UPDATE SKIP LOCKED)) RETURNING id, task, queue, priority, args, unique_key, attempt, failures, lost, fence, created_at, run_at, policy_id, trace_context");
    assertThat(CLAIMS.takeManyOf()).isEqualTo("UPDATE spindle_jobs j SET state = 2, worker_id = ?, fence = fence + 1, attempt = attempt + 1, started_at = ?, cancel_requested = 0 WHERE j.ctid = ANY(ARRAY(SELECT ctid FROM spindle_jobs WHERE state = 1 AND queue = ? AND flow_key IS NULL AND task = ANY(?) ORDER BY priority DESC, id LIMIT ? FOR UPDATE SKIP LOCKED)) RETURNING id, task, queue, priority, args, unique_key, attempt, failures, lost, fence, created_at, run_at, policy_id, trace_context");
    assertThat(PostgresDialect.INSTANCE.setBasedSql().claimSettings()).isEqualTo("SELECT set_config('enable_sort', 'off', true), set_config('jit', 'off', true)");
    assertThat(CLAIMS.promoteAndReadRules()).isEqualTo("WITH p AS (UPDATE spindle_jobs j SET state = 1 WHERE j.id = ANY(ARRAY(SELECT id FROM spindle_jobs WHERE state = 0 AND run_at <= ? ORDER BY run_at LIMIT 1000 FOR UPDATE SKIP LOCKED)) RETURNING 1) SELECT name, max_running, NULL::bigint FROM spindle_queues UNION ALL SELECT queue, -1, NULL FROM spindle_paused UNION ALL SELECT NULL, (SELECT count(*) FROM p)::int, (SELECT min(run_at) FROM spindle_jobs WHERE state = 0 AND run_at > ?)");
    assertThat(ENQUEUE.insertAlone()).isEqualTo("INSERT INTO spindle_jobs (id, task, queue, state, priority, args, unique_key, created_at, run_at, policy_id, flow_key, trace_context) VALUES (nextval('spindle_job_ids'), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
    assertThat(ENQUEUE.newIdsSql()).isEqualTo("SELECT nextval('spindle_job_ids') FROM generate_series(1, ?)");
    assertThat(ENQUEUE.lockFlowKeys()).isEqualTo("INSERT INTO spindle_flow_ready (queue, key, ready, served)"
        + " SELECT q, k, 0, 0 FROM unnest(?::text[], ?::text[]) AS t(q, k) ORDER BY q COLLATE \"C\", k COLLATE \"C\""
        + " ON CONFLICT (queue, key) DO UPDATE SET ready = spindle_flow_ready.ready");
    assertThat(PostgresDialect.INSTANCE.setBasedSql().queueTurn()).isEqualTo("SELECT pg_advisory_xact_lock(hashtext('spindle-queue:' || current_schema()"
        + " || ':' || ?))");
  }
}
