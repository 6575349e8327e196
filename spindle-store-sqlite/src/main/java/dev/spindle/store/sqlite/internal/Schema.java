package dev.spindle.store.sqlite.internal;

import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The database schema (version {@value #VERSION}), created on first open. States are stored as the
 * codes of {@link JobRows#code}. Times are microseconds since the epoch. {@code spindle_meta} holds
 * {@code job_id}, the highest job id deleted so far (new ids continue after it and after the live
 * maximum), and {@code finish_seq}, the last sequence number of the finished feed.
 */
public final class Schema {
  /** The schema version written to {@code spindle_meta}. */
  public static final int VERSION = 2;

  private static final String[] DDL = {
    "CREATE TABLE IF NOT EXISTS spindle_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS spindle_policies (id INTEGER PRIMARY KEY, json TEXT NOT NULL UNIQUE,"
        + " max_lost INTEGER NOT NULL, result_ttl_us INTEGER NOT NULL, failure_ttl_us INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS spindle_jobs (id INTEGER PRIMARY KEY, task TEXT NOT NULL, queue TEXT NOT NULL,"
        + " state INTEGER NOT NULL, priority INTEGER NOT NULL, args TEXT NOT NULL, result TEXT, error TEXT,"
        + " dead_reason TEXT, unique_key TEXT, attempt INTEGER NOT NULL DEFAULT 0,"
        + " failures INTEGER NOT NULL DEFAULT 0, lost INTEGER NOT NULL DEFAULT 0, fence INTEGER NOT NULL DEFAULT 0,"
        + " worker_id TEXT, cancel_requested INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL,"
        + " run_at INTEGER NOT NULL, started_at INTEGER, finished_at INTEGER, expires_at INTEGER,"
        + " finish_seq INTEGER NOT NULL DEFAULT 0, policy_id INTEGER NOT NULL)",
    // ready jobs per queue in claim order
    "CREATE INDEX IF NOT EXISTS spindle_jobs_ready ON spindle_jobs (queue, priority DESC, id) WHERE state = 1",
    // delayed and backing-off jobs by run time
    "CREATE INDEX IF NOT EXISTS spindle_jobs_scheduled ON spindle_jobs (run_at) WHERE state = 0",
    // running jobs by worker (heartbeats, reclaim, queue limits)
    "CREATE INDEX IF NOT EXISTS spindle_jobs_running ON spindle_jobs (worker_id) WHERE state = 2",
    // finished jobs: the feed of terminal transitions, retention
    "CREATE INDEX IF NOT EXISTS spindle_jobs_finished ON spindle_jobs (finish_seq) WHERE state >= 3",
    "CREATE INDEX IF NOT EXISTS spindle_jobs_expiry ON spindle_jobs (expires_at) WHERE state >= 3",
    "CREATE UNIQUE INDEX IF NOT EXISTS spindle_jobs_unique ON spindle_jobs (unique_key)"
        + " WHERE unique_key IS NOT NULL",
    "CREATE TABLE IF NOT EXISTS spindle_workers (id TEXT PRIMARY KEY, name TEXT NOT NULL, host TEXT NOT NULL,"
        + " pid INTEGER NOT NULL, queues TEXT NOT NULL, concurrency INTEGER NOT NULL, model TEXT NOT NULL,"
        + " state TEXT NOT NULL, started_at INTEGER NOT NULL, heartbeat_at INTEGER NOT NULL,"
        + " lease_until INTEGER NOT NULL, running INTEGER NOT NULL, processed INTEGER NOT NULL,"
        + " failed INTEGER NOT NULL, rate REAL NOT NULL)",
    "CREATE TABLE IF NOT EXISTS spindle_queues (name TEXT PRIMARY KEY, max_running INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS spindle_schedules (name TEXT PRIMARY KEY, definition TEXT NOT NULL,"
        + " next_fire_at INTEGER NOT NULL, last_fire_at INTEGER, version INTEGER NOT NULL,"
        + " created_at INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS spindle_schedules_next ON spindle_schedules (next_fire_at)",
    // version 2: paused queues (never claimed) and the operators' audit log
    "CREATE TABLE IF NOT EXISTS spindle_paused (queue TEXT PRIMARY KEY) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS spindle_audit (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, user TEXT NOT NULL,"
        + " action TEXT NOT NULL, target TEXT NOT NULL, detail TEXT)",
    "INSERT OR IGNORE INTO spindle_meta (key, value) VALUES ('job_id', 0), ('finish_seq', 0)",
  };

  private Schema() {}

  /** True if the database already has this schema version (so opening needs no write). */
  public static boolean isCurrent(Db.Conn c) throws SQLException {
    try (ResultSet rs = c.jdbc().createStatement().executeQuery(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'spindle_meta'")) {
      rs.next();
      if (rs.getInt(1) == 0) {
        return false;
      }
    }
    try (ResultSet rs = c.jdbc().createStatement()
        .executeQuery("SELECT value FROM spindle_meta WHERE key = 'schema_version'")) {
      return rs.next() && rs.getInt(1) == VERSION;
    }
  }

  /**
   * Creates the schema if missing, inside the caller's write transaction.
   *
   * @throws SQLException if the database was created by a newer version of Spindle
   */
  public static void migrate(Db.Conn c) throws SQLException {
    c.execOnce(DDL[0]);
    Integer version = null;
    try (ResultSet rs = c.jdbc().createStatement()
        .executeQuery("SELECT value FROM spindle_meta WHERE key = 'schema_version'")) {
      if (rs.next()) {
        version = rs.getInt(1);
      }
    }
    if (version != null && version > VERSION) {
      throw new SQLException("the job database was created by a newer Spindle (schema " + version
          + ", this version understands " + VERSION + "); upgrade Spindle");
    }
    for (int i = 1; i < DDL.length; i++) {
      c.execOnce(DDL[i]);
    }
    c.execOnce("INSERT OR REPLACE INTO spindle_meta (key, value) VALUES ('schema_version', " + VERSION + ")");
  }
}
