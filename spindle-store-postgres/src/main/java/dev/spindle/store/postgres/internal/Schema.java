package dev.spindle.store.postgres.internal;

import dev.spindle.queue.StoreException;
import dev.spindle.store.jdbc.internal.SqlMigrations;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * The versioned schema of the PostgreSQL store (version {@value #VERSION}), migrated forward on
 * open: {@link #MIGRATIONS}{@code [v - 1]} takes a schema from version {@code v - 1} to {@code v}.
 * Every migration runs in one transaction under an advisory lock, so processes opening the store
 * together migrate once. A schema newer than {@link #VERSION} is refused (nothing is changed).
 *
 * <p>States are stored as the codes of {@link JobRows#code}; times are microseconds since the epoch
 * ({@code bigint}). {@code spindle_meta} holds {@code schema_version} (and, before version 5, {@code
 * finish_seq}, the last number of the finished feed: now the sequence {@code spindle_finish_seq}); job
 * ids come from the sequence {@code spindle_job_ids}.
 * Version 2 adds {@code spindle_history}, finished jobs partitioned by expiry day ({@code
 * spindle_history_d<day>}, created as needed; {@code spindle_history_forever} for jobs kept
 * forever), and the view {@code spindle_all_jobs} over both tables. Version 3 adds flow control;
 * version 4 {@code spindle_history_counts} (jobs in the history per queue and state, kept by
 * statement triggers on the history; retention subtracts a partition's counts when it drops it); version 5 the sequence {@code
 * spindle_finish_seq}; version 6 trigram GIN indexes ({@code pg_trgm}) on the arguments and errors
 * of both tables, for text search; version 7 leaves RUNNING rows (and rows without an error) out of
 * the hot table's; version 8 keys the running jobs' index by (worker, id), so a completion finds its
 * row directly; version 9 keeps the dependency edges from a deleted job (they hold its end for its
 * dependents' input) until the dependent is deleted; version 10 spreads the history's counts over
 * {@link #COUNT_SHARDS} rows; version 11 leaves rows without an error out of the history's error index; version 14 adds durable
 * execution: {@code spindle_job_steps}, {@code spindle_job_signals}, {@code spindle_durable_cache} and
 * the job's wait ({@code wait_kind}, {@code wait_for} on both job tables); version 15 the function
 * {@value #HAS_DEPENDENTS}{@code (bigint[])}, which a finishing statement calls after its updates
 * ({@link #hasDependents}).
 */
public final class Schema {
  /** The schema version this code writes and understands. */
  public static final int VERSION = 15;

  /**
   * The function that says whether any of the jobs in its {@code bigint[]} argument has an edge to
   * a dependent or a waiter in {@code spindle_deps} (schema 15). It is VOLATILE, so its query reads
   * with a snapshot of its own, taken when it runs (READ COMMITTED), not the calling statement's.
   */
  public static final String HAS_DEPENDENTS = "spindle_has_dependents";

  /** History partitions span this many microseconds of expiry time (one day). */
  public static final long PARTITION_US = 86_400_000_000L;

  /** Jobs expiring at or after this (about year 2255: kept "forever") go to {@code spindle_history_forever}. */
  public static final long FOREVER_US = 1L << 53;

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
      "CREATE INDEX spindle_jobs_ready ON spindle_jobs (queue, priority DESC, id) WHERE state = " + JobRows.QUEUED,
      // delayed and backing-off jobs by run time
      "CREATE INDEX spindle_jobs_scheduled ON spindle_jobs (run_at) WHERE state = " + JobRows.SCHEDULED,
      // running jobs by worker (heartbeats, reclaim, queue limits)
      "CREATE INDEX spindle_jobs_running ON spindle_jobs (worker_id) WHERE state = " + JobRows.RUNNING,
      // finished jobs: the feed of terminal transitions, retention
      "CREATE INDEX spindle_jobs_finished ON spindle_jobs (finish_seq) WHERE " + JobRows.IS_TERMINAL,
      "CREATE INDEX spindle_jobs_expiry ON spindle_jobs (expires_at) WHERE " + JobRows.IS_TERMINAL,
      "CREATE UNIQUE INDEX spindle_jobs_unique ON spindle_jobs (unique_key) WHERE unique_key IS NOT NULL",
      "CREATE INDEX spindle_jobs_created ON spindle_jobs (created_at)",
      "CREATE INDEX spindle_jobs_finished_at ON spindle_jobs (finished_at) WHERE " + JobRows.IS_TERMINAL,
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
          "CREATE TABLE spindle_history_forever PARTITION OF spindle_history FOR VALUES FROM (" + FOREVER_US
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
              + " WHERE state = " + JobRows.QUEUED + " AND flow_key IS NOT NULL",
          "CREATE INDEX spindle_jobs_ready_plain ON spindle_jobs (queue, priority DESC, id)"
              + " WHERE state = " + JobRows.QUEUED + " AND flow_key IS NULL",
          "CREATE INDEX spindle_jobs_flow_running ON spindle_jobs (flow_key) WHERE state = " + JobRows.RUNNING + " AND flow_key IS NOT NULL",
          "CREATE FUNCTION spindle_flow_track() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$"
              + " DECLARE d bigint; q text; k text; BEGIN"
              + " IF TG_OP = 'DELETE' THEN d := -1; q := OLD.queue; k := OLD.flow_key;"
              + " ELSIF TG_OP = 'INSERT' THEN d := 1; q := NEW.queue; k := NEW.flow_key;"
              + " ELSE q := NEW.queue; k := NEW.flow_key; d := CASE WHEN NEW.state = " + JobRows.QUEUED + " THEN 1 ELSE -1 END; END IF;"
              + " INSERT INTO spindle_flow_ready (queue, key, ready, served) VALUES (q, k, d, 0)"
              + " ON CONFLICT (queue, key) DO UPDATE SET ready = spindle_flow_ready.ready + excluded.ready;"
              + " IF d < 0 THEN DELETE FROM spindle_flow_ready WHERE queue = q AND key = k AND ready <= 0; END IF;"
              + " RETURN NULL; END $$",
          "CREATE TRIGGER spindle_flow_ins AFTER INSERT ON spindle_jobs FOR EACH ROW"
              + " WHEN (NEW.flow_key IS NOT NULL AND NEW.state = " + JobRows.QUEUED + ") EXECUTE FUNCTION spindle_flow_track()",
          "CREATE TRIGGER spindle_flow_upd AFTER UPDATE OF state ON spindle_jobs FOR EACH ROW"
              + " WHEN (NEW.flow_key IS NOT NULL AND (OLD.state = " + JobRows.QUEUED + ") <> (NEW.state = " + JobRows.QUEUED + "))"
              + " EXECUTE FUNCTION spindle_flow_track()",
          "CREATE TRIGGER spindle_flow_del AFTER DELETE ON spindle_jobs FOR EACH ROW"
              + " WHEN (OLD.flow_key IS NOT NULL AND OLD.state = " + JobRows.QUEUED + ") EXECUTE FUNCTION spindle_flow_track()"),
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
      // version 5: finish numbers from a sequence instead of the counter row of spindle_meta, which every
      // completion held to its commit (see FinishHorizon for how readers stay safe); it goes on from the counter
      List.of(
          "CREATE SEQUENCE spindle_finish_seq",
          "SELECT setval('spindle_finish_seq', value + 1, false) FROM spindle_meta WHERE key = 'finish_seq'",
          "DELETE FROM spindle_meta WHERE key = 'finish_seq'"),
      // version 6: text search (job lists' "text": ILIKE on the first PostgresDialect.TEXT_PREFIX characters of args or error) along
      // trigram GIN indexes on both tables (a prefix: arguments of megabytes would add thousands of index
      // entries per row version). pg_trgm is a trusted extension (a user with CREATE on the database may add it; one per
      // database, so the operator class is named in the extension's schema); without the right to add
      // it the indexes are left out and text search reads the rows
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
      // version 7: the hot table's trigram indexes leave RUNNING rows out, and the error's leaves rows without
      // one out: a claim and a successful completion are not HOT updates (the state changes), so each row
      // version went into both GIN indexes (3 versions of 2 entries per job; now 2 of 1). Text search finds
      // running jobs through spindle_jobs_running (PostgresDialect.textMatch); PostgreSQL CPU per drained
      // job fell from about 50 to 44-47 us on a quiet machine (PostgresBench versus)
      List.of("DO $$ DECLARE s text; BEGIN"
          + " SELECT n.nspname INTO s FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
          + " WHERE e.extname = 'pg_trgm';"
          + " IF s IS NOT NULL THEN"
          + " DROP INDEX IF EXISTS spindle_jobs_args_trgm;"
          + " DROP INDEX IF EXISTS spindle_jobs_error_trgm;"
          + trigramIndex("spindle_jobs_args_trgm", "spindle_jobs", "args", " WHERE state <> " + JobRows.RUNNING)
          + trigramIndex("spindle_jobs_error_trgm", "spindle_jobs", "error", " WHERE state <> " + JobRows.RUNNING
              + " AND error IS NOT NULL")
          + " END IF; END $$",
          // and the hot table is vacuumed early and at full speed: every job leaves 2 to 3 dead row
          // versions, and the defaults (20 % of the table dead, cost-limited) let millions pile up
          "ALTER TABLE spindle_jobs SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 10000,"
              + " autovacuum_vacuum_cost_delay = 0, autovacuum_analyze_scale_factor = 0.02)"),
      // version 8: the running jobs' index also holds the id. A completion batch is planned once for any
      // size (a generic plan), and it joined each completion to its job along (worker_id) alone, then
      // filtered the id: every job the worker held was read for each of its completions (64 x 64 for a
      // batch of 64 at concurrency 64, and the dead entries of jobs it finished since the last vacuum).
      // Now (worker_id, id) finds the one row
      List.of("DROP INDEX spindle_jobs_running",
          "CREATE INDEX spindle_jobs_running ON spindle_jobs (worker_id, id) WHERE state = " + JobRows.RUNNING),
      // version 9: a deleted job (purge, retention) takes its own dependency rows along, no longer the
      // edges from it: those hold its end for its dependents' input (a dependent still waiting, or one
      // retried or revived later), and go when the dependent does
      List.of("CREATE OR REPLACE FUNCTION spindle_jobs_deleted() RETURNS trigger LANGUAGE plpgsql"
          + " SET search_path FROM CURRENT AS $$ BEGIN IF EXISTS (SELECT 1 FROM spindle_deps) THEN"
          + " DELETE FROM spindle_deps d USING gone g WHERE d.child = g.id;"
          + " DELETE FROM spindle_waits w USING gone g WHERE w.id = g.id; END IF; RETURN NULL; END $$"),
      // version 10: successes move to the history in their completing statement (archiveAfter 0), so every
      // completion inserts into spindle_history, and its statement trigger added to one count row per queue
      // and state, held to the commit: concurrent completions waited for each other there. The counts are
      // now spread over COUNT_SHARDS rows, a random one per statement; readers sum them
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
      // version 11: the history's error index leaves rows without an error out, as the hot table's does
      // since version 7: every success moves to the history, and each wrote a GIN entry for its null error
      // (text search matches no null error, so it can use the partial index)
      List.of("DO $$ DECLARE s text; BEGIN"
          + " SELECT n.nspname INTO s FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
          + " WHERE e.extname = 'pg_trgm';"
          + " IF s IS NOT NULL THEN"
          + " DROP INDEX IF EXISTS spindle_history_error_trgm;"
          + trigramIndex("spindle_history_error_trgm", "spindle_history", "error", " WHERE error IS NOT NULL")
          + " END IF; END $$"),
      // version 12: the hot table's creation-time index leaves RUNNING jobs out. A claim is not a HOT
      // update (the state changes), so its row version went into every index whose condition it met:
      // the primary key, spindle_jobs_running and this one. Job lists bounded by creation time read
      // running jobs along spindle_jobs_running instead (PostgresDialect.createdIdBound)
      List.of("DROP INDEX spindle_jobs_created",
          "CREATE INDEX spindle_jobs_created ON spindle_jobs (created_at) WHERE state <> " + JobRows.RUNNING),
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
      // version 15: whether finished jobs have dependents, read after the finishing statement's updates with
      // a snapshot of its own: the statement's snapshot predates the edges of the transactions whose row
      // locks it waited for (a suspension on the job, a new dependent), and their waiters slept on
      // (PL/pgSQL: its query is planned once per session; a SQL function's body is planned at each call)
      List.of("CREATE OR REPLACE FUNCTION " + HAS_DEPENDENTS + "(ids bigint[]) RETURNS boolean LANGUAGE plpgsql"
          + " VOLATILE SET search_path FROM CURRENT AS $$ BEGIN RETURN EXISTS (SELECT 1 FROM spindle_deps"
          + " WHERE parent = ANY(ids)); END $$"));

  private Schema() {}

  /**
   * SQL of a finishing statement's result column: whether any of the rows of its data-modifying
   * {@code WITH} query {@code cte} (their {@code id}s) has dependents, read after all of them were
   * changed. The scalar subquery aggregates every row of {@code cte}, so {@value #HAS_DEPENDENTS}
   * runs once, after the statement's last row update and so after every transaction it waited for
   * committed, and its own snapshot sees the edges those added. An {@code EXISTS} on {@code
   * spindle_deps} in the statement would read the statement's snapshot, taken before those waits.
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
