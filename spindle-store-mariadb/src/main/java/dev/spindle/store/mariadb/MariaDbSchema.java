package dev.spindle.store.mariadb;

import dev.spindle.queue.StoreException;
import dev.spindle.store.jdbc.internal.SqlJobRows;
import dev.spindle.store.jdbc.internal.SqlMigrations;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * The MariaDB store's schema (version {@value #VERSION}): the tables and columns of the SQLite and
 * PostgreSQL schemas, in InnoDB, {@code utf8mb4_bin} (keys compare as bytes, as they do there).
 * Times are {@code BIGINT} microseconds since the epoch; payloads (arguments, results, errors)
 * {@code LONGTEXT} JSON; states the codes of {@link SqlJobRows}. Written for {@code sql_mode}
 * {@code ANSI_QUOTES}: the column {@code "key"} of the flow tables is a reserved word otherwise.
 *
 * <p>MariaDB has no partial indexes: each hot index leads with {@code state} instead, so a claim
 * walks only the ready rows of its queue. Job ids come from the sequence {@code spindle_job_ids};
 * finish numbers from the row {@code finish_seq} of {@code spindle_meta}, taken under its row lock,
 * so they commit in order. Triggers keep what the other schemas keep by triggers: the ready count
 * per queue and flow key. Version 2 adds durable execution: {@code spindle_job_steps}, {@code
 * spindle_job_signals}, {@code spindle_durable_cache} and the job's wait ({@code wait_kind}, {@code
 * wait_for}). Version 3 adds what running jobs report: {@code spindle_job_progress} and {@code
 * spindle_job_log}; version 4 the attempts ledger, {@code spindle_job_attempts}.
 *
 * <p>DDL commits on its own in MariaDB, so a migration is not one transaction: every statement is
 * written to be run again ({@code IF NOT EXISTS}), migrations run under the named lock {@code
 * spindle-schema:<database>} and the version is recorded last. Applications that manage their
 * schema themselves (Flyway, Liquibase) may run {@link #statements()} instead. Stateless.
 */
public final class MariaDbSchema {
  /** The schema version this code writes and understands. */
  public static final int VERSION = 5;

  private static final String TABLE = " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";
  private static final int QUEUED = SqlJobRows.QUEUED;
  private static final int LOCK_SECONDS = 60;

  private static final List<List<String>> MIGRATIONS = List.of(List.of(
      "CREATE TABLE IF NOT EXISTS spindle_meta (\"key\" VARCHAR(64) PRIMARY KEY, value BIGINT NOT NULL)" + TABLE,
      "CREATE SEQUENCE IF NOT EXISTS spindle_job_ids START WITH 1 INCREMENT BY 1 CACHE 1000 ENGINE=InnoDB",
      // the finished feed's last number, taken under this row's lock: numbers commit in order
      "INSERT IGNORE INTO spindle_meta (\"key\", value) VALUES ('finish_seq', 0)",
      "CREATE TABLE IF NOT EXISTS spindle_policies (id BIGINT AUTO_INCREMENT PRIMARY KEY, json TEXT NOT NULL,"
          + " max_lost INT NOT NULL, result_ttl_us BIGINT NOT NULL, failure_ttl_us BIGINT NOT NULL,"
          + " UNIQUE KEY spindle_policies_json (json))" + TABLE,
      "CREATE TABLE IF NOT EXISTS spindle_jobs (id BIGINT PRIMARY KEY, task VARCHAR(255) NOT NULL,"
          + " queue VARCHAR(191) NOT NULL, state SMALLINT NOT NULL, priority INT NOT NULL, args LONGTEXT NOT NULL,"
          + " result LONGTEXT, error LONGTEXT, dead_reason VARCHAR(255), unique_key VARCHAR(500),"
          + " attempt INT NOT NULL DEFAULT 0, failures INT NOT NULL DEFAULT 0, lost INT NOT NULL DEFAULT 0,"
          + " fence BIGINT NOT NULL DEFAULT 0, worker_id VARCHAR(255), cancel_requested INT NOT NULL DEFAULT 0,"
          + " created_at BIGINT NOT NULL, run_at BIGINT NOT NULL, started_at BIGINT, finished_at BIGINT,"
          + " expires_at BIGINT, finish_seq BIGINT NOT NULL DEFAULT 0, policy_id BIGINT NOT NULL,"
          + " flow_key VARCHAR(512), trace_context TEXT,"
          // ready jobs per queue in claim order (with and without a flow key): a claim walks these
          + " KEY spindle_jobs_ready (state, queue, priority DESC, id),"
          + " KEY spindle_jobs_flow_ready (state, queue, flow_key, priority DESC, id),"
          // delayed and backing-off jobs by run time; running jobs by worker; running keyed jobs
          + " KEY spindle_jobs_scheduled (state, run_at),"
          + " KEY spindle_jobs_running (state, worker_id, id),"
          + " KEY spindle_jobs_flow_running (state, flow_key),"
          // the finished feed, retention, job lists by time
          + " KEY spindle_jobs_finished (finish_seq), KEY spindle_jobs_expiry (expires_at),"
          + " KEY spindle_jobs_created (created_at), KEY spindle_jobs_finished_at (finished_at),"
          + " UNIQUE KEY spindle_jobs_unique (unique_key))" + TABLE,
      "CREATE TABLE IF NOT EXISTS spindle_workers (id VARCHAR(255) PRIMARY KEY, name VARCHAR(255) NOT NULL,"
          + " host VARCHAR(255) NOT NULL, pid BIGINT NOT NULL, queues TEXT NOT NULL, concurrency INT NOT NULL,"
          + " model VARCHAR(64) NOT NULL, state VARCHAR(64) NOT NULL, started_at BIGINT NOT NULL,"
          + " heartbeat_at BIGINT NOT NULL, lease_until BIGINT NOT NULL, running INT NOT NULL,"
          + " processed BIGINT NOT NULL, failed BIGINT NOT NULL, rate DOUBLE NOT NULL)" + TABLE,
      "CREATE TABLE IF NOT EXISTS spindle_queues (name VARCHAR(255) PRIMARY KEY, max_running INT NOT NULL)" + TABLE,
      "CREATE TABLE IF NOT EXISTS spindle_schedules (name VARCHAR(255) PRIMARY KEY, definition TEXT NOT NULL,"
          + " next_fire_at BIGINT NOT NULL, last_fire_at BIGINT, version BIGINT NOT NULL, created_at BIGINT NOT NULL,"
          + " KEY spindle_schedules_next (next_fire_at))" + TABLE,
      "CREATE TABLE IF NOT EXISTS spindle_paused (queue VARCHAR(191) PRIMARY KEY)" + TABLE,
      "CREATE TABLE IF NOT EXISTS spindle_paused_schedules (name VARCHAR(255) PRIMARY KEY)" + TABLE,
      "CREATE TABLE IF NOT EXISTS spindle_audit (id BIGINT AUTO_INCREMENT PRIMARY KEY, at BIGINT NOT NULL,"
          + " actor VARCHAR(255) NOT NULL, action VARCHAR(255) NOT NULL, target TEXT NOT NULL, detail TEXT)" + TABLE,
      "CREATE TABLE IF NOT EXISTS spindle_worker_clocks (worker VARCHAR(255) PRIMARY KEY, skew_us BIGINT NOT NULL)"
          + TABLE,
      // job dependencies (workflows); WAITING jobs have state -1
      "CREATE TABLE IF NOT EXISTS spindle_deps (parent BIGINT NOT NULL, child BIGINT NOT NULL, policy INT NOT NULL,"
          + " position INT NOT NULL, end_state INT, end_result LONGTEXT, end_error LONGTEXT,"
          + " PRIMARY KEY (parent, child), KEY spindle_deps_child (child, position))" + TABLE,
      "CREATE TABLE IF NOT EXISTS spindle_waits (id BIGINT PRIMARY KEY, pending INT NOT NULL, failures INT NOT NULL,"
          + " on_failure_only INT NOT NULL, input INT NOT NULL, cancelled_by BIGINT,"
          + " KEY spindle_waits_cancelled_by (cancelled_by))" + TABLE,
      // per-minute statistics, spread over shards so that concurrent transactions rarely share a row
      "CREATE TABLE IF NOT EXISTS spindle_stats (minute BIGINT NOT NULL, counter INT NOT NULL, shard INT NOT NULL,"
          + " n BIGINT NOT NULL, PRIMARY KEY (minute, counter, shard))" + TABLE,
      "CREATE TABLE IF NOT EXISTS spindle_worker_tasks (worker VARCHAR(255) PRIMARY KEY, tasks TEXT NOT NULL)" + TABLE,
      // flow control: limits by name; per key the GCRA arrival time and a pause; starts inside
      // sliding windows; per queue and key the ready jobs (kept by the triggers below) and the rotation
      "CREATE TABLE IF NOT EXISTS spindle_flow_limits (name VARCHAR(255) PRIMARY KEY, spec TEXT NOT NULL)" + TABLE,
      "CREATE TABLE IF NOT EXISTS spindle_flow_state (\"key\" VARCHAR(512) PRIMARY KEY, tat BIGINT,"
          + " paused_until BIGINT)" + TABLE,
      "CREATE TABLE IF NOT EXISTS spindle_flow_starts (\"key\" VARCHAR(512) NOT NULL, at BIGINT NOT NULL,"
          + " KEY spindle_flow_starts_key (\"key\", at))" + TABLE,
      "CREATE TABLE IF NOT EXISTS spindle_flow_ready (queue VARCHAR(191) NOT NULL, \"key\" VARCHAR(512) NOT NULL,"
          + " ready BIGINT NOT NULL, served BIGINT NOT NULL, PRIMARY KEY (queue, \"key\"),"
          + " KEY spindle_flow_ready_served (queue, served))" + TABLE,
      "CREATE TRIGGER IF NOT EXISTS spindle_flow_ins AFTER INSERT ON spindle_jobs FOR EACH ROW"
          + " IF NEW.flow_key IS NOT NULL AND NEW.state = " + QUEUED + " THEN"
          + " INSERT INTO spindle_flow_ready (queue, \"key\", ready, served) VALUES (NEW.queue, NEW.flow_key, 1, 0)"
          + " ON DUPLICATE KEY UPDATE ready = ready + 1; END IF",
      "CREATE TRIGGER IF NOT EXISTS spindle_flow_upd AFTER UPDATE ON spindle_jobs FOR EACH ROW"
          + " IF NEW.flow_key IS NOT NULL AND (OLD.state = " + QUEUED + ") <> (NEW.state = " + QUEUED + ") THEN"
          + " INSERT INTO spindle_flow_ready (queue, \"key\", ready, served)"
          + " VALUES (NEW.queue, NEW.flow_key, IF(NEW.state = " + QUEUED + ", 1, -1), 0)"
          + " ON DUPLICATE KEY UPDATE ready = ready + VALUES(ready);"
          + " DELETE FROM spindle_flow_ready WHERE queue = NEW.queue AND \"key\" = NEW.flow_key AND ready <= 0;"
          + " END IF",
      // a deleted job takes its ready count along; its own dependency and wait rows are deleted by
      // the store after retention (a trigger may not change spindle_deps, which retention's DELETE reads)
      "CREATE TRIGGER IF NOT EXISTS spindle_jobs_deleted AFTER DELETE ON spindle_jobs FOR EACH ROW BEGIN"
          + " IF OLD.flow_key IS NOT NULL AND OLD.state = " + QUEUED + " THEN"
          + " UPDATE spindle_flow_ready SET ready = ready - 1 WHERE queue = OLD.queue AND \"key\" = OLD.flow_key;"
          + " DELETE FROM spindle_flow_ready WHERE queue = OLD.queue AND \"key\" = OLD.flow_key AND ready <= 0;"
          + " END IF; END"),
      // version 2: durable execution (SqlDurable): the job's wait, step records and signals per job
      // (deleted with it), memoized results by key
      List.of("ALTER TABLE spindle_jobs ADD COLUMN IF NOT EXISTS wait_kind VARCHAR(16),"
          + " ADD COLUMN IF NOT EXISTS wait_for TEXT",
          "CREATE TABLE IF NOT EXISTS spindle_job_steps (job_id BIGINT NOT NULL, name VARCHAR(200) NOT NULL,"
              + " occurrence INT NOT NULL, seq INT NOT NULL, kind VARCHAR(16) NOT NULL, result LONGTEXT,"
              + " fence BIGINT NOT NULL, attempt INT NOT NULL, took_ms BIGINT NOT NULL, bytes INT NOT NULL,"
              + " recorded_at BIGINT NOT NULL, PRIMARY KEY (job_id, name, occurrence))" + TABLE,
          "CREATE TABLE IF NOT EXISTS spindle_job_signals (job_id BIGINT NOT NULL, name VARCHAR(200) NOT NULL,"
              + " ordinal INT NOT NULL, payload LONGTEXT NOT NULL, received_at BIGINT NOT NULL,"
              + " PRIMARY KEY (job_id, name, ordinal))" + TABLE,
          "CREATE TABLE IF NOT EXISTS spindle_durable_cache (cache_key VARCHAR(512) PRIMARY KEY,"
              + " result LONGTEXT NOT NULL, job_id VARCHAR(64) NOT NULL, expires_at BIGINT NOT NULL)" + TABLE,
          "CREATE TRIGGER IF NOT EXISTS spindle_jobs_durable_deleted AFTER DELETE ON spindle_jobs FOR EACH ROW BEGIN"
              + " DELETE FROM spindle_job_steps WHERE job_id = OLD.id;"
              + " DELETE FROM spindle_job_signals WHERE job_id = OLD.id; END"),
      // version 3: what running jobs report (SqlProgress): the latest progress and the last log lines,
      // deleted with the job
      List.of("CREATE TABLE IF NOT EXISTS spindle_job_progress (job_id BIGINT PRIMARY KEY, fraction DOUBLE,"
          + " message LONGTEXT NOT NULL, updated_at BIGINT, lines_total BIGINT NOT NULL)" + TABLE,
          "CREATE TABLE IF NOT EXISTS spindle_job_log (job_id BIGINT NOT NULL, seq BIGINT NOT NULL,"
              + " logged_at BIGINT NOT NULL, log_level VARCHAR(8) NOT NULL, message LONGTEXT NOT NULL,"
              + " PRIMARY KEY (job_id, seq))" + TABLE,
          "CREATE TRIGGER IF NOT EXISTS spindle_jobs_progress_deleted AFTER DELETE ON spindle_jobs FOR EACH ROW BEGIN"
              + " DELETE FROM spindle_job_progress WHERE job_id = OLD.id;"
              + " DELETE FROM spindle_job_log WHERE job_id = OLD.id; END"),
      // version 4: the attempts ledger (SqlAttempts): each job's last attempts and refused writes, deleted with it
      List.of("CREATE TABLE IF NOT EXISTS spindle_job_attempts (job_id BIGINT NOT NULL, fence BIGINT NOT NULL,"
          + " kind INT NOT NULL, attempt INT NOT NULL, worker_id VARCHAR(512) NOT NULL, host VARCHAR(255),"
          + " started_at BIGINT NOT NULL, ended_at BIGINT, outcome VARCHAR(512), error LONGTEXT,"
          + " KEY spindle_job_attempts_job (job_id, fence), KEY spindle_job_attempts_dup (kind, outcome))" + TABLE,
          "CREATE TRIGGER IF NOT EXISTS spindle_jobs_attempts_deleted AFTER DELETE ON spindle_jobs FOR EACH ROW"
              + " DELETE FROM spindle_job_attempts WHERE job_id = OLD.id"),
      // version 5: incidents of stall detectors (SqlIncidents); an open one holds its key in open_key
      List.of("CREATE TABLE IF NOT EXISTS spindle_incidents (id BIGINT AUTO_INCREMENT PRIMARY KEY,"
          + " kind VARCHAR(32) NOT NULL, queue VARCHAR(255) NOT NULL, subject VARCHAR(255) NOT NULL,"
          + " open_key VARCHAR(700) UNIQUE, since BIGINT NOT NULL, opened_at BIGINT NOT NULL, resolved_at BIGINT,"
          + " details TEXT NOT NULL)" + TABLE));

  private MariaDbSchema() {}

  /**
   * The statements that create schema version {@link #VERSION} in an empty database, for tools that
   * apply schemas themselves; run them with {@code sql_mode} {@code ANSI_QUOTES}, then record the
   * version as {@link #migrate} does.
   */
  public static List<String> statements() {
    return SCHEMA.statements();
  }

  /**
   * The schema version found in the connection's database, 0 if there is none.
   *
   * @throws SQLException if the database cannot be read
   */
  public static int version(Connection c) throws SQLException {
    return SCHEMA.found(c);
  }

  /** The statements from version {@code found} to {@link #VERSION} ({@link SqlMigrations#pending}). */
  static List<String> pending(int found) {
    return SqlMigrations.pending(SCHEMA, found);
  }

  /**
   * Brings the schema of the connection's database up to {@link #VERSION} under the named lock (the
   * connection is in autocommit mode: DDL commits anyway).
   *
   * @param where the store's location, for messages
   * @return the version found before migrating
   * @throws StoreException CANNOT_OPEN if the schema is newer than this code knows (nothing is
   *     changed) or the lock is not had within a minute
   * @throws SQLException if a statement fails (the statements before it stay applied, and a later
   *     migration runs them again harmlessly)
   */
  public static int migrate(Connection c, String where) throws SQLException {
    return SqlMigrations.migrate(c, SCHEMA, where);
  }

  /** The migrations for {@link SqlMigrations}: autocommitted DDL under a named lock of the database. */
  private static final SqlMigrations.MetaSchema SCHEMA = new SqlMigrations.MetaSchema(MIGRATIONS, false,
      MariaDbDialect.INSTANCE, "SELECT count(*) > 0 FROM information_schema.tables"
          + " WHERE table_schema = DATABASE() AND table_name = 'spindle_meta'") {
    @Override
    protected void lock(Connection c, String where) throws SQLException {
      try (PreparedStatement ps = c.prepareStatement("SELECT GET_LOCK(CONCAT('spindle-schema:', DATABASE()), ?)")) {
        ps.setInt(1, LOCK_SECONDS);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next() || rs.getInt(1) != 1) {
            throw new StoreException(StoreException.Reason.CANNOT_OPEN, "the job store " + where + " is being migrated"
                + " by another process, which held the schema lock for over " + LOCK_SECONDS + " s");
          }
        }
      }
    }

    @Override
    protected void unlock(Connection c) throws SQLException {
      execute(c, "DO RELEASE_LOCK(CONCAT('spindle-schema:', DATABASE()))");
    }
  };
}
