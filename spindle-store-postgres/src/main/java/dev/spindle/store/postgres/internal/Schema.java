package dev.spindle.store.postgres.internal;

import dev.spindle.queue.StoreException;
import dev.spindle.store.jdbc.internal.SqlHistoryPartitions;
import dev.spindle.store.jdbc.internal.SqlJobRows;
import dev.spindle.store.jdbc.internal.SqlMigrations;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * The versioned schema of the PostgreSQL store (version {@value #VERSION}), migrated forward on
 * open: {@link #MIGRATIONS}{@code [v - 1]} takes version {@code v - 1} to {@code v} (each version's
 * comment says what and why). Migrations run in one transaction under an advisory lock, so
 * processes opening together migrate once; a newer schema is refused unchanged.
 *
 * <p>States are {@link SqlJobRows#code}s; times are microseconds since the epoch ({@code bigint}). Job
 * ids come from {@code spindle_job_ids}, finish numbers from {@code spindle_finish_seq}; {@code
 * spindle_meta} holds {@code schema_version}. Finished jobs may live in {@code spindle_history},
 * partitioned by expiry day, and {@code spindle_all_jobs} views both tables. Stateless.
 */
public final class Schema {
  /** The schema version this code writes and understands. */
  public static final int VERSION = 18;

  /**
   * The function saying whether any job of its {@code bigint[]} argument has a dependent or waiter
   * in {@code spindle_deps} (schema 15); VOLATILE, so it reads with its own snapshot, not the caller's.
   */
  public static final String HAS_DEPENDENTS = "spindle_has_dependents";

  /** Rows per queue and state in {@code spindle_history_counts} (schema 10). */
  public static final int COUNT_SHARDS = 16;

  private static final List<List<String>> MIGRATIONS = List.of(List.of(
      "CREATE TABLE spindle_meta (key text PRIMARY KEY, value bigint NOT NULL)",
      "INSERT INTO spindle_meta (key, value) VALUES ('finish_seq', 0)",
      "CREATE SEQUENCE spindle_job_ids",
      "CREATE TABLE spindle_policies (id bigserial PRIMARY KEY, json text NOT NULL UNIQUE,"
          + " max_lost integer NOT NULL, result_ttl_us bigint NOT NULL, failure_ttl_us bigint NOT NULL)",
      "CREATE TABLE spindle_jobs (id bigint PRIMARY KEY, task text NOT NULL, queue text NOT NULL,"
          + " state smallint NOT NULL, priority integer NOT NULL, args text NOT NULL, result text, error text,"
          + " dead_reason text, unique_key text, attempt integer NOT NULL DEFAULT 0,"
          + " failures integer NOT NULL DEFAULT 0, lost integer NOT NULL DEFAULT 0, fence bigint NOT NULL DEFAULT 0,"
          + " worker_id text, cancel_requested integer NOT NULL DEFAULT 0, created_at bigint NOT NULL,"
          + " run_at bigint NOT NULL, started_at bigint, finished_at bigint, expires_at bigint,"
          + " finish_seq bigint NOT NULL DEFAULT 0, policy_id bigint NOT NULL, trace_context text)"
          + " WITH (fillfactor = 80)",
      // ready jobs per queue in claim order: the claim walks this index and skips locked rows
      "CREATE INDEX spindle_jobs_ready ON spindle_jobs (queue, priority DESC, id) WHERE state = " + SqlJobRows.QUEUED,
      // delayed and backing-off jobs by run time
      "CREATE INDEX spindle_jobs_scheduled ON spindle_jobs (run_at) WHERE state = " + SqlJobRows.SCHEDULED,
      // running jobs by worker (heartbeats, reclaim, queue limits)
      "CREATE INDEX spindle_jobs_running ON spindle_jobs (worker_id) WHERE state = " + SqlJobRows.RUNNING,
      // finished jobs: the feed of terminal transitions, retention
      "CREATE INDEX spindle_jobs_finished ON spindle_jobs (finish_seq) WHERE " + SqlJobRows.IS_TERMINAL,
      "CREATE INDEX spindle_jobs_expiry ON spindle_jobs (expires_at) WHERE " + SqlJobRows.IS_TERMINAL,
      "CREATE UNIQUE INDEX spindle_jobs_unique ON spindle_jobs (unique_key) WHERE unique_key IS NOT NULL",
      "CREATE INDEX spindle_jobs_created ON spindle_jobs (created_at)",
      "CREATE INDEX spindle_jobs_finished_at ON spindle_jobs (finished_at) WHERE " + SqlJobRows.IS_TERMINAL,
      "CREATE TABLE spindle_workers (id text PRIMARY KEY, name text NOT NULL, host text NOT NULL,"
          + " pid bigint NOT NULL, queues text NOT NULL, concurrency integer NOT NULL, model text NOT NULL,"
          + " state text NOT NULL, started_at bigint NOT NULL, heartbeat_at bigint NOT NULL,"
          + " lease_until bigint NOT NULL, running integer NOT NULL, processed bigint NOT NULL,"
          + " failed bigint NOT NULL, rate double precision NOT NULL)",
      "CREATE TABLE spindle_queues (name text PRIMARY KEY, max_running integer NOT NULL)",
      "CREATE TABLE spindle_schedules (name text PRIMARY KEY, definition text NOT NULL,"
          + " next_fire_at bigint NOT NULL, last_fire_at bigint, version bigint NOT NULL,"
          + " created_at bigint NOT NULL)",
      "CREATE INDEX spindle_schedules_next ON spindle_schedules (next_fire_at)",
      "CREATE TABLE spindle_paused (queue text PRIMARY KEY)",
      "CREATE TABLE spindle_audit (id bigserial PRIMARY KEY, at bigint NOT NULL, actor text NOT NULL,"
          + " action text NOT NULL, target text NOT NULL, detail text)",
      "CREATE TABLE spindle_worker_clocks (worker text PRIMARY KEY, skew_us bigint NOT NULL)",
      // job dependencies (workflows); WAITING jobs have state -1
      "CREATE TABLE spindle_deps (parent bigint NOT NULL, child bigint NOT NULL,"
          + " policy integer NOT NULL, position integer NOT NULL, end_state integer, end_result text,"
          + " end_error text, PRIMARY KEY (parent, child))",
      "CREATE INDEX spindle_deps_child ON spindle_deps (child, position)",
      "CREATE TABLE spindle_waits (id bigint PRIMARY KEY, pending integer NOT NULL,"
          + " failures integer NOT NULL, on_failure_only integer NOT NULL, input integer NOT NULL,"
          + " cancelled_by bigint)",
      "CREATE INDEX spindle_waits_cancelled_by ON spindle_waits (cancelled_by) WHERE cancelled_by IS NOT NULL",
      // per-minute statistics, spread over shards so that concurrent transactions rarely share a row
      "CREATE TABLE spindle_stats (minute bigint NOT NULL, counter integer NOT NULL, shard integer NOT NULL,"
          + " n bigint NOT NULL, PRIMARY KEY (minute, counter, shard))",
      "CREATE TABLE spindle_paused_schedules (name text PRIMARY KEY)",
      // a deleted job (purge, retention) takes its dependency rows along
      "CREATE FUNCTION spindle_jobs_deleted() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$"
          + " BEGIN IF EXISTS (SELECT 1 FROM spindle_deps) THEN"
          + " DELETE FROM spindle_deps d USING gone g WHERE d.child = g.id;"
          + " DELETE FROM spindle_deps d USING gone g WHERE d.parent = g.id;"
          + " DELETE FROM spindle_waits w USING gone g WHERE w.id = g.id; END IF; RETURN NULL; END $$",
      "CREATE TRIGGER spindle_jobs_deleted AFTER DELETE ON spindle_jobs REFERENCING OLD TABLE AS gone"
          + " FOR EACH STATEMENT EXECUTE FUNCTION spindle_jobs_deleted()"),
      // version 2: finished jobs move to a history partitioned by expiry day; retention drops partitions
      List.of(
          "CREATE TABLE spindle_history (LIKE spindle_jobs INCLUDING DEFAULTS) PARTITION BY RANGE (expires_at)",
          "CREATE INDEX spindle_history_id ON spindle_history (id)",
          "CREATE INDEX spindle_history_seq ON spindle_history (finish_seq)",
          "CREATE INDEX spindle_history_expiry ON spindle_history (expires_at)",
          "CREATE INDEX spindle_history_unique ON spindle_history (unique_key) WHERE unique_key IS NOT NULL",
          "CREATE INDEX spindle_history_created ON spindle_history (created_at)",
          "CREATE INDEX spindle_history_finished_at ON spindle_history (finished_at)",
          "CREATE TABLE spindle_history_forever PARTITION OF spindle_history FOR VALUES FROM (" + SqlHistoryPartitions.FOREVER_US
              + ") TO (MAXVALUE)",
          "CREATE VIEW spindle_all_jobs AS SELECT * FROM spindle_jobs UNION ALL SELECT * FROM spindle_history"),
      // version 3: flow control (see dev.spindle.store.jdbc.internal.SqlFlow): the job's flow key, the
      // limits, per-key state, and per queue and key the ready jobs (kept by triggers for keyed rows only)
      List.of(
          "ALTER TABLE spindle_jobs ADD COLUMN flow_key text",
          "ALTER TABLE spindle_history ADD COLUMN flow_key text",
          "CREATE OR REPLACE VIEW spindle_all_jobs AS SELECT * FROM spindle_jobs UNION ALL SELECT * FROM spindle_history",
          "CREATE TABLE spindle_flow_limits (name text PRIMARY KEY, spec text NOT NULL)",
          "CREATE TABLE spindle_flow_state (key text PRIMARY KEY, tat bigint, paused_until bigint)",
          "CREATE TABLE spindle_flow_starts (key text NOT NULL, at bigint NOT NULL)",
          "CREATE INDEX spindle_flow_starts_key ON spindle_flow_starts (key, at)",
          "CREATE TABLE spindle_flow_ready (queue text NOT NULL, key text NOT NULL, ready bigint NOT NULL,"
              + " served bigint NOT NULL, PRIMARY KEY (queue, key))",
          "CREATE INDEX spindle_jobs_flow_ready ON spindle_jobs (queue, flow_key, priority DESC, id)"
              + " WHERE state = " + SqlJobRows.QUEUED + " AND flow_key IS NOT NULL",
          "CREATE INDEX spindle_jobs_ready_plain ON spindle_jobs (queue, priority DESC, id)"
              + " WHERE state = " + SqlJobRows.QUEUED + " AND flow_key IS NULL",
          "CREATE INDEX spindle_jobs_flow_running ON spindle_jobs (flow_key) WHERE state = " + SqlJobRows.RUNNING + " AND flow_key IS NOT NULL",
          "CREATE FUNCTION spindle_flow_track() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$"
              + " DECLARE d bigint; q text; k text; BEGIN"
              + " IF TG_OP = 'DELETE' THEN d := -1; q := OLD.queue; k := OLD.flow_key;"
              + " ELSIF TG_OP = 'INSERT' THEN d := 1; q := NEW.queue; k := NEW.flow_key;"
              + " ELSE q := NEW.queue; k := NEW.flow_key; d := CASE WHEN NEW.state = " + SqlJobRows.QUEUED + " THEN 1 ELSE -1 END; END IF;"
              + " INSERT INTO spindle_flow_ready (queue, key, ready, served) VALUES (q, k, d, 0)"
              + " ON CONFLICT (queue, key) DO UPDATE SET ready = spindle_flow_ready.ready + excluded.ready;"
              + " IF d < 0 THEN DELETE FROM spindle_flow_ready WHERE queue = q AND key = k AND ready <= 0; END IF;"
              + " RETURN NULL; END $$",
          "CREATE TRIGGER spindle_flow_ins AFTER INSERT ON spindle_jobs FOR EACH ROW"
              + " WHEN (NEW.flow_key IS NOT NULL AND NEW.state = " + SqlJobRows.QUEUED + ") EXECUTE FUNCTION spindle_flow_track()",
          "CREATE TRIGGER spindle_flow_upd AFTER UPDATE OF state ON spindle_jobs FOR EACH ROW"
              + " WHEN (NEW.flow_key IS NOT NULL AND (OLD.state = " + SqlJobRows.QUEUED + ") <> (NEW.state = " + SqlJobRows.QUEUED + "))"
              + " EXECUTE FUNCTION spindle_flow_track()",
          "CREATE TRIGGER spindle_flow_del AFTER DELETE ON spindle_jobs FOR EACH ROW"
              + " WHEN (OLD.flow_key IS NOT NULL AND OLD.state = " + SqlJobRows.QUEUED + ") EXECUTE FUNCTION spindle_flow_track()"),
      // version 4: the history's jobs per queue and state, for queue summaries (inserts and deletes
      // through spindle_history fire the triggers; a dropped partition's rows are subtracted by retention)
      List.of(
          "CREATE TABLE spindle_history_counts (queue text NOT NULL, state smallint NOT NULL, n bigint NOT NULL,"
              + " PRIMARY KEY (queue, state))",
          "INSERT INTO spindle_history_counts (queue, state, n) SELECT queue, state, count(*) FROM spindle_history"
              + " GROUP BY queue, state",
          // rows in key order: concurrent archive batches lock the counters in the same order
          "CREATE FUNCTION spindle_history_count() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$"
              + " BEGIN INSERT INTO spindle_history_counts AS h (queue, state, n)"
              + " SELECT queue, state, CASE WHEN TG_OP = 'INSERT' THEN count(*) ELSE -count(*) END FROM changed"
              + " GROUP BY queue, state ORDER BY queue, state"
              + " ON CONFLICT (queue, state) DO UPDATE SET n = h.n + excluded.n; RETURN NULL; END $$",
          "CREATE TRIGGER spindle_history_added AFTER INSERT ON spindle_history REFERENCING NEW TABLE AS changed"
              + " FOR EACH STATEMENT EXECUTE FUNCTION spindle_history_count()",
          "CREATE TRIGGER spindle_history_removed AFTER DELETE ON spindle_history REFERENCING OLD TABLE AS changed"
              + " FOR EACH STATEMENT EXECUTE FUNCTION spindle_history_count()"),
      // version 5: finish numbers from a sequence, going on from spindle_meta's counter row, which every
      // completion held to its commit (FinishHorizon keeps readers safe)
      List.of(
          "CREATE SEQUENCE spindle_finish_seq",
          "SELECT setval('spindle_finish_seq', value + 1, false) FROM spindle_meta WHERE key = 'finish_seq'",
          "DELETE FROM spindle_meta WHERE key = 'finish_seq'"),
      // version 6: trigram GIN indexes for text search (ILIKE on the first PostgresDialect.TEXT_PREFIX
      // characters of args or error: whole megabyte arguments would add thousands of entries per row
      // version). pg_trgm is trusted (CREATE on the database suffices) and one per database, so the operator
      // class is named in its schema; without the right to add it, text search reads the rows
      List.of("DO $$ DECLARE s text; BEGIN"
          + " PERFORM pg_advisory_xact_lock(hashtext('spindle-pg_trgm'));" // one per database: schemas take turns
          + " BEGIN CREATE EXTENSION IF NOT EXISTS pg_trgm;"
          + " EXCEPTION WHEN insufficient_privilege OR undefined_file THEN"
          + " RAISE NOTICE 'pg_trgm not available: job text search without an index'; END;"
          + " SELECT n.nspname INTO s FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
          + " WHERE e.extname = 'pg_trgm';"
          + " IF s IS NOT NULL THEN"
          + trigramIndex("spindle_jobs_args_trgm", "spindle_jobs", "args", "")
          + trigramIndex("spindle_jobs_error_trgm", "spindle_jobs", "error", "")
          + trigramIndex("spindle_history_args_trgm", "spindle_history", "args", "")
          + trigramIndex("spindle_history_error_trgm", "spindle_history", "error", "")
          + " END IF; END $$"),
      // version 7: the hot table's trigram indexes leave RUNNING rows (and the error's, rows without one)
      // out: claims and completions are not HOT updates, so each row version went into both (3 versions of 2
      // entries per job, now 2 of 1); text search finds running jobs along spindle_jobs_running
      // (PostgresDialect.textMatch). Server CPU per drained job fell from about 50 to 44-47 us
      List.of("DO $$ DECLARE s text; BEGIN"
          + " SELECT n.nspname INTO s FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
          + " WHERE e.extname = 'pg_trgm';"
          + " IF s IS NOT NULL THEN"
          + " DROP INDEX IF EXISTS spindle_jobs_args_trgm;"
          + " DROP INDEX IF EXISTS spindle_jobs_error_trgm;"
          + trigramIndex("spindle_jobs_args_trgm", "spindle_jobs", "args", " WHERE state <> " + SqlJobRows.RUNNING)
          + trigramIndex("spindle_jobs_error_trgm", "spindle_jobs", "error", " WHERE state <> " + SqlJobRows.RUNNING
              + " AND error IS NOT NULL")
          + " END IF; END $$",
          // vacuumed early and at full speed: every job leaves 2-3 dead row versions, and the defaults
          // (20 % of the table dead, cost-limited) let millions pile up
          "ALTER TABLE spindle_jobs SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 10000,"
              + " autovacuum_vacuum_cost_delay = 0, autovacuum_analyze_scale_factor = 0.02)"),
      // version 8: the running jobs' index holds the id too: a completion batch's generic plan joined along
      // worker_id alone, reading every job the worker held per completion (64 x 64 at concurrency 64)
      List.of("DROP INDEX spindle_jobs_running",
          "CREATE INDEX spindle_jobs_running ON spindle_jobs (worker_id, id) WHERE state = " + SqlJobRows.RUNNING),
      // version 9: a deleted job no longer takes the edges from it along: they hold its end for its
      // dependents' input (one still waiting, retried or revived later), and go when the dependent does
      List.of("CREATE OR REPLACE FUNCTION spindle_jobs_deleted() RETURNS trigger LANGUAGE plpgsql"
          + " SET search_path FROM CURRENT AS $$ BEGIN IF EXISTS (SELECT 1 FROM spindle_deps) THEN"
          + " DELETE FROM spindle_deps d USING gone g WHERE d.child = g.id;"
          + " DELETE FROM spindle_waits w USING gone g WHERE w.id = g.id; END IF; RETURN NULL; END $$"),
      // version 10: the history's counts spread over COUNT_SHARDS rows, a random one per statement (readers
      // sum them): with successes moving as they complete, concurrent completions waited on one count row
      List.of("ALTER TABLE spindle_history_counts ADD COLUMN shard smallint NOT NULL DEFAULT 0",
          "ALTER TABLE spindle_history_counts DROP CONSTRAINT spindle_history_counts_pkey",
          "ALTER TABLE spindle_history_counts ADD PRIMARY KEY (queue, state, shard)",
          "CREATE OR REPLACE FUNCTION spindle_history_count() RETURNS trigger LANGUAGE plpgsql"
              + " SET search_path FROM CURRENT AS $$"
              + " BEGIN INSERT INTO spindle_history_counts AS h (queue, state, shard, n)"
              + " SELECT queue, state, s.shard, CASE WHEN TG_OP = 'INSERT' THEN count(*) ELSE -count(*) END"
              + " FROM changed, (SELECT floor(random() * " + COUNT_SHARDS + ")::smallint AS shard) s"
              + " GROUP BY queue, state, s.shard ORDER BY queue, state"
              + " ON CONFLICT (queue, state, shard) DO UPDATE SET n = h.n + excluded.n; RETURN NULL; END $$"),
      // version 11: the history's error index leaves rows without an error out, as version 7 did for the
      // hot table (every moved success wrote an entry; text search matches no null error)
      List.of("DO $$ DECLARE s text; BEGIN"
          + " SELECT n.nspname INTO s FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
          + " WHERE e.extname = 'pg_trgm';"
          + " IF s IS NOT NULL THEN"
          + " DROP INDEX IF EXISTS spindle_history_error_trgm;"
          + trigramIndex("spindle_history_error_trgm", "spindle_history", "error", " WHERE error IS NOT NULL")
          + " END IF; END $$"),
      // version 12: the creation-time index leaves RUNNING jobs out (a claim, not a HOT update, wrote an
      // entry there); job lists read running jobs along spindle_jobs_running (PostgresDialect.createdIdBound)
      List.of("DROP INDEX spindle_jobs_created",
          "CREATE INDEX spindle_jobs_created ON spindle_jobs (created_at) WHERE state <> " + SqlJobRows.RUNNING),
      // version 13: each worker's task names, comma-separated, as its heartbeats last sent them: claims
      // leave a task no worker of the queue knows QUEUED, and spindle status names it
      List.of("CREATE TABLE spindle_worker_tasks (worker text PRIMARY KEY, tasks text NOT NULL)"),
      // version 14: durable execution (SqlDurable): step records and signals per job, memoized results
      // by key, and the job's wait on both job tables (a finished job moves to the history with it).
      // Records of deleted jobs are swept after retention (a move to the history is a delete too)
      List.of("ALTER TABLE spindle_jobs ADD COLUMN wait_kind text, ADD COLUMN wait_for text",
          "ALTER TABLE spindle_history ADD COLUMN wait_kind text, ADD COLUMN wait_for text",
          "CREATE OR REPLACE VIEW spindle_all_jobs AS SELECT * FROM spindle_jobs UNION ALL SELECT * FROM spindle_history",
          "CREATE TABLE spindle_job_steps (job_id bigint NOT NULL, name text NOT NULL, occurrence integer NOT NULL,"
              + " seq integer NOT NULL, kind text NOT NULL, result text, fence bigint NOT NULL, attempt integer NOT NULL,"
              + " took_ms bigint NOT NULL, bytes integer NOT NULL, recorded_at bigint NOT NULL,"
              + " PRIMARY KEY (job_id, name, occurrence))",
          "CREATE TABLE spindle_job_signals (job_id bigint NOT NULL, name text NOT NULL, ordinal integer NOT NULL,"
              + " payload text NOT NULL, received_at bigint NOT NULL, PRIMARY KEY (job_id, name, ordinal))",
          "CREATE TABLE spindle_durable_cache (cache_key text PRIMARY KEY, result text NOT NULL, job_id text NOT NULL,"
              + " expires_at bigint NOT NULL)"),
      // version 15: whether finished jobs have dependents, read after the statement's updates with a snapshot
      // of its own (the statement's predates edges added by transactions whose row locks it waited for, whose
      // waiters then slept on); PL/pgSQL plans its query once per session, a SQL function at each call
      List.of("CREATE OR REPLACE FUNCTION " + HAS_DEPENDENTS + "(ids bigint[]) RETURNS boolean LANGUAGE plpgsql"
          + " VOLATILE SET search_path FROM CURRENT AS $$ BEGIN RETURN EXISTS (SELECT 1 FROM spindle_deps"
          + " WHERE parent = ANY(ids)); END $$"),
      // version 16: what running jobs report (SqlProgress), swept with the durable records after retention
      List.of("CREATE TABLE spindle_job_progress (job_id bigint PRIMARY KEY, fraction double precision,"
          + " message text NOT NULL, updated_at bigint, lines_total bigint NOT NULL)",
          "CREATE TABLE spindle_job_log (job_id bigint NOT NULL, seq bigint NOT NULL, logged_at bigint NOT NULL,"
              + " log_level text NOT NULL, message text NOT NULL, PRIMARY KEY (job_id, seq))"),
      // version 17: the attempts ledger (SqlAttempts): each job's last attempts and refused writes, swept with it
      List.of("CREATE TABLE IF NOT EXISTS spindle_job_attempts (job_id bigint NOT NULL, fence bigint NOT NULL, kind integer NOT NULL,"
          + " attempt integer NOT NULL, worker_id text NOT NULL, host text, started_at bigint NOT NULL, ended_at bigint,"
          + " outcome text, error text)",
          "CREATE INDEX IF NOT EXISTS spindle_job_attempts_job ON spindle_job_attempts (job_id, fence)",
          "CREATE INDEX IF NOT EXISTS spindle_job_attempts_dup ON spindle_job_attempts (job_id) WHERE kind = 1 OR outcome = 'LOST'"),
      // version 18: incidents of stall detectors (SqlIncidents); an open one holds its key in open_key
      List.of("CREATE TABLE IF NOT EXISTS spindle_incidents (id bigserial PRIMARY KEY, kind text NOT NULL, queue text NOT NULL,"
          + " subject text NOT NULL, open_key text UNIQUE, since bigint NOT NULL, opened_at bigint NOT NULL,"
          + " resolved_at bigint, details text NOT NULL)"));

  private Schema() {}

  /**
   * SQL of a finishing statement's result column: whether any row ({@code id}) of its data-modifying
   * {@code WITH} query {@code cte} has dependents. The scalar subquery aggregates all of {@code cte},
   * so {@value #HAS_DEPENDENTS} runs once, after the last row update and so after every transaction
   * the statement waited for committed; its own snapshot sees their edges, where an {@code EXISTS} in
   * the statement would read the statement's snapshot, taken before those waits.
   */
  public static String hasDependents(String cte) {
    return "(SELECT " + HAS_DEPENDENTS + "(array_agg(id)) FROM " + cte + ")";
  }

  /**
   * The statement of a migration's {@code DO} block that creates a trigram GIN index on the first
   * {@link PostgresDialect#TEXT_PREFIX} characters of {@code column}, the operator class named in
   * the extension's schema {@code s}; {@code where} is empty or {@code " WHERE ..."}.
   */
  private static String trigramIndex(String name, String table, String column, String where) {
    return " EXECUTE format('CREATE INDEX " + name + " ON " + table + " USING gin ((left(" + column + ", "
        + PostgresDialect.TEXT_PREFIX + ")) %I.gin_trgm_ops)" + where + "', s);";
  }

  /** The migrations for {@link SqlMigrations}, in the caller's transaction under an advisory lock. */
  private static final SqlMigrations.MetaSchema SCHEMA = new SqlMigrations.MetaSchema(MIGRATIONS, true,
      PostgresDialect.INSTANCE, "SELECT to_regclass('spindle_meta') IS NOT NULL") {
    @Override
    protected void lock(Connection c, String where) throws SQLException {
      execute(c, "SELECT pg_advisory_xact_lock(hashtext('spindle-schema:' || current_schema()))");
    }
  };

  /**
   * The statements that take a schema from version {@code found} to {@link #VERSION}, each version's
   * preceded by a comment line {@code -- version N}; empty if {@code found} is current or newer.
   */
  public static List<String> pending(int found) {
    return SqlMigrations.pending(SCHEMA, found);
  }

  /** The schema version found, 0 if there is none. */
  public static int version(Db.Conn c) throws SQLException {
    return SCHEMA.found(c.jdbc());
  }

  /**
   * Brings the schema up to {@link #VERSION} inside the caller's transaction, under an advisory lock.
   *
   * @return the version found before migrating
   * @throws StoreException CANNOT_OPEN if the schema is newer than this code knows
   */
  public static int migrate(Db.Conn c, String where) throws SQLException {
    return SqlMigrations.migrate(c.jdbc(), SCHEMA, where);
  }
}
