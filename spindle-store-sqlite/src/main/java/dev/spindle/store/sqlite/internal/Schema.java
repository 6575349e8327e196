package dev.spindle.store.sqlite.internal;

import dev.spindle.queue.StoreException;
import dev.spindle.store.jdbc.internal.SqlMigrations;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The database schema (version {@value #VERSION}), created on first open. States are stored as the
 * codes of {@link JobRows#code}. Times are microseconds since the epoch. {@code spindle_meta} holds
 * {@code job_id}, the highest job id deleted so far (new ids continue after it and after the live
 * maximum), and {@code finish_seq}, the last sequence number of the finished feed.
 *
 * <p>Versions: 2 added paused queues and the audit log; 3 job dependencies (workflows); 4 text
 * search, time-range indexes, per-minute statistics and paused schedules; 5
 * {@code spindle_jobs.trace_context} (the producer's W3C trace context, in the form {@code TraceContextColumn}
 * writes); 6 flow control
 * ({@code spindle_jobs.flow_key}, limits, per-key state, fair rotation; see {@code SqlFlow}); 7 the
 * trace contexts moved out of the job rows into {@code spindle_trace} (so claims and outcomes, which
 * rewrite a job's row, no longer rewrite its context); 8 a deleted job no longer takes the dependency
 * edges from it along (they hold its end for its dependents' input); 9 durable execution: step records
 * ({@code spindle_job_steps}), signals ({@code spindle_job_signals}), memoized results ({@code
 * spindle_durable_cache}) and the job's wait ({@code spindle_jobs.wait_kind}, {@code wait_for}); 10 what running
 * jobs report ({@code spindle_job_progress}, {@code spindle_job_log}; see {@code SqlProgress}). {@link #migrate} brings an older database up
 * in the same write transaction that records the new version: new tables and indexes are created,
 * the text index is filled from the jobs present, columns are added, contexts are moved.
 */
public final class Schema {
  /** The schema version written to {@code spindle_meta}. */
  public static final int VERSION = 13;

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
        + " finish_seq INTEGER NOT NULL DEFAULT 0, policy_id INTEGER NOT NULL, flow_key TEXT, wait_kind TEXT,"
        + " wait_for TEXT)",
    // ready jobs per queue in claim order
    "CREATE INDEX IF NOT EXISTS spindle_jobs_ready ON spindle_jobs (queue, priority DESC, id) WHERE state = "
        + JobRows.QUEUED,
    // delayed and backing-off jobs by run time
    "CREATE INDEX IF NOT EXISTS spindle_jobs_scheduled ON spindle_jobs (run_at) WHERE state = " + JobRows.SCHEDULED,
    // running jobs by worker (heartbeats, reclaim, queue limits)
    "CREATE INDEX IF NOT EXISTS spindle_jobs_running ON spindle_jobs (worker_id) WHERE state = " + JobRows.RUNNING,
    // finished jobs: the feed of terminal transitions, retention
    "CREATE INDEX IF NOT EXISTS spindle_jobs_finished ON spindle_jobs (finish_seq) WHERE " + JobRows.IS_TERMINAL,
    "CREATE INDEX IF NOT EXISTS spindle_jobs_expiry ON spindle_jobs (expires_at) WHERE " + JobRows.IS_TERMINAL,
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
    // each worker's clock minus the store's at its last heartbeat (shown by spindle status)
    "CREATE TABLE IF NOT EXISTS spindle_worker_clocks (worker TEXT PRIMARY KEY, skew_us INTEGER NOT NULL)"
        + " WITHOUT ROWID",
    // each worker's task names, comma-separated, as its heartbeats last sent them. A new table, not a
    // new version: a store of an older Spindle (a rolling deploy) opens the file and ignores it
    "CREATE TABLE IF NOT EXISTS spindle_worker_tasks (worker TEXT PRIMARY KEY, tasks TEXT NOT NULL) WITHOUT ROWID",
    // version 3: job dependencies (workflows); WAITING jobs have state -1
    "CREATE TABLE IF NOT EXISTS spindle_deps (parent INTEGER NOT NULL, child INTEGER NOT NULL,"
        + " policy INTEGER NOT NULL, position INTEGER NOT NULL, end_state INTEGER, end_result TEXT, end_error TEXT,"
        + " PRIMARY KEY (parent, child)) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS spindle_deps_child ON spindle_deps (child, position)",
    "CREATE TABLE IF NOT EXISTS spindle_waits (id INTEGER PRIMARY KEY, pending INTEGER NOT NULL,"
        + " failures INTEGER NOT NULL, on_failure_only INTEGER NOT NULL, input INTEGER NOT NULL,"
        + " cancelled_by INTEGER)",
    "CREATE INDEX IF NOT EXISTS spindle_waits_cancelled_by ON spindle_waits (cancelled_by)"
        + " WHERE cancelled_by IS NOT NULL",
    // a deleted job (purge, retention) takes its own dependency rows along; the edges from it stay
    // with its dependents (they hold its end, their input) until those are deleted. Before version 8
    // the trigger spindle_jobs_deleted deleted those edges too
    "DROP TRIGGER IF EXISTS spindle_jobs_deleted",
    "CREATE TRIGGER IF NOT EXISTS spindle_jobs_deps_deleted AFTER DELETE ON spindle_jobs"
        + " WHEN EXISTS (SELECT 1 FROM spindle_deps) BEGIN DELETE FROM spindle_deps WHERE child = old.id;"
        + " DELETE FROM spindle_waits WHERE id = old.id; END",
    // version 4: text search (a trigram index of arguments and errors kept by triggers), time ranges,
    // per-minute statistics, paused schedules
    "CREATE VIRTUAL TABLE IF NOT EXISTS spindle_jobs_text USING fts5(t_args, t_error, content='',"
        + " contentless_delete=1, tokenize='trigram')",
    // version 13: encrypted arguments are not indexed (their trigrams are random and match nothing)
    "DROP TRIGGER IF EXISTS spindle_jobs_text_ins",
    "CREATE TRIGGER spindle_jobs_text_ins AFTER INSERT ON spindle_jobs BEGIN"
        + " INSERT INTO spindle_jobs_text (rowid, t_args, t_error) VALUES (new.id, " + searchable("new.args")
        + ", new.error); END",
    "DROP TRIGGER IF EXISTS spindle_jobs_text_upd",
    "CREATE TRIGGER spindle_jobs_text_upd AFTER UPDATE OF args, error ON spindle_jobs"
        + " WHEN old.error IS NOT new.error OR old.args IS NOT new.args BEGIN DELETE FROM spindle_jobs_text WHERE rowid = old.id;"
        + " INSERT INTO spindle_jobs_text (rowid, t_args, t_error) VALUES (new.id, " + searchable("new.args")
        + ", new.error); END",
    "CREATE TRIGGER IF NOT EXISTS spindle_jobs_text_del AFTER DELETE ON spindle_jobs BEGIN"
        + " DELETE FROM spindle_jobs_text WHERE rowid = old.id; END",
    "CREATE INDEX IF NOT EXISTS spindle_jobs_created ON spindle_jobs (created_at)",
    "CREATE INDEX IF NOT EXISTS spindle_jobs_finished_at ON spindle_jobs (finished_at) WHERE "
        + JobRows.IS_TERMINAL,
    "CREATE TABLE IF NOT EXISTS spindle_stats (minute INTEGER NOT NULL, counter INTEGER NOT NULL,"
        + " n INTEGER NOT NULL, PRIMARY KEY (minute, counter)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS spindle_paused_schedules (name TEXT PRIMARY KEY) WITHOUT ROWID",
    // version 6: flow control. Limits by name (their text form); per key the GCRA arrival time and a
    // pause; the starts inside sliding windows; per queue and key the ready jobs (kept by triggers, only
    // for keyed jobs) and when the key was last served (the fair rotation)
    "CREATE TABLE IF NOT EXISTS spindle_flow_limits (name TEXT PRIMARY KEY, spec TEXT NOT NULL) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS spindle_flow_state (key TEXT PRIMARY KEY, tat INTEGER, paused_until INTEGER)"
        + " WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS spindle_flow_starts (key TEXT NOT NULL, at INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS spindle_flow_starts_key ON spindle_flow_starts (key, at)",
    "CREATE TABLE IF NOT EXISTS spindle_flow_ready (queue TEXT NOT NULL, key TEXT NOT NULL, ready INTEGER NOT NULL,"
        + " served INTEGER NOT NULL, PRIMARY KEY (queue, key)) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS spindle_flow_ready_served ON spindle_flow_ready (queue, served)",
    "CREATE INDEX IF NOT EXISTS spindle_jobs_flow_ready ON spindle_jobs (queue, flow_key, priority DESC, id)"
        + " WHERE state = " + JobRows.QUEUED + " AND flow_key IS NOT NULL",
    // the unkeyed ready jobs of a queue that also has keyed ones (without it, finding one walks every
    // keyed job of spindle_jobs_ready)
    "CREATE INDEX IF NOT EXISTS spindle_jobs_ready_plain ON spindle_jobs (queue, priority DESC, id)"
        + " WHERE state = " + JobRows.QUEUED + " AND flow_key IS NULL",
    "CREATE INDEX IF NOT EXISTS spindle_jobs_flow_running ON spindle_jobs (flow_key)"
        + " WHERE state = " + JobRows.RUNNING + " AND flow_key IS NOT NULL",
    "CREATE TRIGGER IF NOT EXISTS spindle_flow_ins AFTER INSERT ON spindle_jobs"
        + " WHEN new.flow_key IS NOT NULL AND new.state = " + JobRows.QUEUED + " BEGIN"
        + " INSERT INTO spindle_flow_ready (queue, key, ready, served) VALUES (new.queue, new.flow_key, 1, 0)"
        + " ON CONFLICT (queue, key) DO UPDATE SET ready = ready + 1; END",
    "CREATE TRIGGER IF NOT EXISTS spindle_flow_upd AFTER UPDATE OF state ON spindle_jobs"
        + " WHEN new.flow_key IS NOT NULL AND (old.state = " + JobRows.QUEUED + ") <> (new.state = " + JobRows.QUEUED + ") BEGIN"
        + " INSERT INTO spindle_flow_ready (queue, key, ready, served)"
        + " VALUES (new.queue, new.flow_key, CASE WHEN new.state = " + JobRows.QUEUED + " THEN 1 ELSE -1 END, 0)"
        + " ON CONFLICT (queue, key) DO UPDATE SET ready = ready + excluded.ready;"
        + " DELETE FROM spindle_flow_ready WHERE queue = new.queue AND key = new.flow_key AND ready <= 0; END",
    "CREATE TRIGGER IF NOT EXISTS spindle_flow_del AFTER DELETE ON spindle_jobs"
        + " WHEN old.flow_key IS NOT NULL AND old.state = " + JobRows.QUEUED + " BEGIN"
        + " UPDATE spindle_flow_ready SET ready = ready - 1 WHERE queue = old.queue AND key = old.flow_key;"
        + " DELETE FROM spindle_flow_ready WHERE queue = old.queue AND key = old.flow_key AND ready <= 0; END",
    // version 7: each job's trace context (TraceContextColumn), out of the job's row; deleted with the job
    "CREATE TABLE IF NOT EXISTS spindle_trace (id INTEGER PRIMARY KEY, context NOT NULL)",
    "CREATE TRIGGER IF NOT EXISTS spindle_jobs_trace_del AFTER DELETE ON spindle_jobs BEGIN"
        + " DELETE FROM spindle_trace WHERE id = old.id; END",
    // version 9: durable execution (SqlDurable): step records and signals per job, deleted with it;
    // memoized results by key
    "CREATE TABLE IF NOT EXISTS spindle_job_steps (job_id INTEGER NOT NULL, name TEXT NOT NULL,"
        + " occurrence INTEGER NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL, result TEXT, fence INTEGER NOT NULL,"
        + " attempt INTEGER NOT NULL, took_ms INTEGER NOT NULL, bytes INTEGER NOT NULL, recorded_at INTEGER NOT NULL,"
        + " PRIMARY KEY (job_id, name, occurrence)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS spindle_job_signals (job_id INTEGER NOT NULL, name TEXT NOT NULL,"
        + " ordinal INTEGER NOT NULL, payload TEXT NOT NULL, received_at INTEGER NOT NULL,"
        + " PRIMARY KEY (job_id, name, ordinal)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS spindle_durable_cache (cache_key TEXT PRIMARY KEY, result TEXT NOT NULL,"
        + " job_id TEXT NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID",
    "CREATE TRIGGER IF NOT EXISTS spindle_jobs_durable_del AFTER DELETE ON spindle_jobs BEGIN"
        + " DELETE FROM spindle_job_steps WHERE job_id = old.id; DELETE FROM spindle_job_signals WHERE job_id = old.id;"
        + " END",
    // version 10: what running jobs report (SqlProgress): the latest progress and the last log lines, deleted
    // with the job
    "CREATE TABLE IF NOT EXISTS spindle_job_progress (job_id INTEGER PRIMARY KEY, fraction REAL, message TEXT NOT NULL,"
        + " updated_at INTEGER, lines_total INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS spindle_job_log (job_id INTEGER NOT NULL, seq INTEGER NOT NULL,"
        + " logged_at INTEGER NOT NULL, log_level TEXT NOT NULL, message TEXT NOT NULL, PRIMARY KEY (job_id, seq))"
        + " WITHOUT ROWID",
    "CREATE TRIGGER IF NOT EXISTS spindle_jobs_progress_del AFTER DELETE ON spindle_jobs BEGIN"
        + " DELETE FROM spindle_job_progress WHERE job_id = old.id; DELETE FROM spindle_job_log WHERE job_id = old.id;"
        + " END",
    // version 11: the attempts ledger (SqlAttempts): each job's last attempts and refused writes, deleted with it
    "CREATE TABLE IF NOT EXISTS spindle_job_attempts (job_id INTEGER NOT NULL, fence INTEGER NOT NULL,"
        + " kind INTEGER NOT NULL, attempt INTEGER NOT NULL, worker_id TEXT NOT NULL, host TEXT,"
        + " started_at INTEGER NOT NULL, ended_at INTEGER, outcome TEXT, error TEXT)",
    "CREATE INDEX IF NOT EXISTS spindle_job_attempts_job ON spindle_job_attempts (job_id, fence)",
    "CREATE INDEX IF NOT EXISTS spindle_job_attempts_dup ON spindle_job_attempts (kind, outcome)",
    "CREATE TRIGGER IF NOT EXISTS spindle_jobs_attempts_del AFTER DELETE ON spindle_jobs BEGIN"
        + " DELETE FROM spindle_job_attempts WHERE job_id = old.id; END",
    // version 12: incidents of stall detectors (SqlIncidents); an open one holds its key in open_key
    "CREATE TABLE IF NOT EXISTS spindle_incidents (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, queue TEXT NOT NULL,"
        + " subject TEXT NOT NULL, open_key TEXT UNIQUE, since INTEGER NOT NULL, opened_at INTEGER NOT NULL,"
        + " resolved_at INTEGER, details TEXT NOT NULL)",
    "INSERT OR IGNORE INTO spindle_meta (key, value) VALUES ('job_id', 0), ('finish_seq', 0)",
  };

  /**
   * SQL: the text of arguments column {@code args} the text index holds: null for encrypted
   * arguments ({@link dev.spindle.queue.KeyRing}), whose ciphertext no search can match and whose
   * many random trigrams would make every insert slow.
   */
  private static String searchable(String args) {
    String prefix = "{\"" + dev.spindle.queue.KeyRing.MARKER + "\":1,";
    return "CASE WHEN substr(" + args + ", 1, " + prefix.length() + ") = '" + prefix + "' THEN NULL ELSE " + args
        + " END";
  }

  /** Table name to column names of this version, read from the DDL applied to a blank database. */
  private static volatile @Nullable Map<String, Set<String>> expected;

  private Schema() {}

  /** True if the database already has this schema version and its columns (opening needs no write). */
  public static boolean isCurrent(Db.Conn c) throws SQLException {
    return MIGRATIONS.found(c) == VERSION && missingColumns(c.jdbc(), false).isEmpty();
  }

  private static Set<String> tables(Connection c) throws SQLException {
    Set<String> names = new LinkedHashSet<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")) {
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    }
    return names;
  }

  private static Map<String, Set<String>> columns(Connection c, Set<String> tables) throws SQLException {
    Map<String, Set<String>> out = new LinkedHashMap<>();
    for (String t : tables) {
      Set<String> cols = new LinkedHashSet<>();
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA table_info(" + t + ")")) {
        while (rs.next()) {
          cols.add(rs.getString("name"));
        }
      }
      out.put(t, cols);
    }
    return out;
  }

  private static Map<String, Set<String>> expected() throws SQLException {
    Map<String, Set<String>> e = expected;
    if (e == null) {
      try (Connection blank = DriverManager.getConnection("jdbc:sqlite::memory:");
           Statement st = blank.createStatement()) {
        for (String ddl : DDL) {
          st.execute(ddl);
        }
        e = Map.copyOf(columns(blank, tables(blank)));
      }
      expected = e;
    }
    return e;
  }

  /** "table: col, col" for every column this version needs that the database lacks. */
  private static List<String> missingColumns(Connection c, boolean existingOnly) throws SQLException {
    Map<String, Set<String>> have = columns(c, tables(c));
    List<String> missing = new ArrayList<>();
    for (Map.Entry<String, Set<String>> t : new java.util.TreeMap<>(expected()).entrySet()) {
      if (existingOnly && !have.containsKey(t.getKey())) {
        continue;
      }
      Set<String> lacking = new LinkedHashSet<>(t.getValue());
      lacking.removeAll(have.getOrDefault(t.getKey(), Set.of()));
      if (!lacking.isEmpty()) {
        missing.add(t.getKey() + " lacks " + String.join(", ", lacking));
      }
    }
    return missing;
  }

  private static void requireColumns(Db.Conn c, java.nio.file.Path file, boolean existingOnly)
      throws SQLException {
    List<String> missing = missingColumns(c.jdbc(), existingOnly);
    if (!missing.isEmpty()) {
      throw new StoreException(StoreException.Reason.CANNOT_OPEN, "the job database " + file + " has an older or "
          + "different schema than this Spindle understands (" + String.join("; ", missing) + "); it was left "
          + "unchanged: move it away or give the store another file");
    }
  }

  /** The columns of {@code spindle_jobs}; none if there is no such table. */
  private static Set<String> jobColumns(Db.Conn c) throws SQLException {
    return columns(c.jdbc(), Set.of("spindle_jobs")).getOrDefault("spindle_jobs", Set.of());
  }

  /** Before version 6: the nullable {@code flow_key} column of jobs (old rows have none). */
  private static void addFlowKeyColumn(Db.Conn c, Set<String> existing) throws SQLException {
    if (existing.contains("spindle_jobs") && !jobColumns(c).contains("flow_key")) {
      c.execOnce("ALTER TABLE spindle_jobs ADD COLUMN flow_key TEXT");
    }
  }

  /** Before version 9: the nullable wait columns of jobs (durable execution; old rows wait for nothing). */
  private static void addWaitColumns(Db.Conn c, Set<String> existing) throws SQLException {
    if (existing.contains("spindle_jobs") && !jobColumns(c).contains("wait_kind")) {
      c.execOnce("ALTER TABLE spindle_jobs ADD COLUMN wait_kind TEXT");
      c.execOnce("ALTER TABLE spindle_jobs ADD COLUMN wait_for TEXT");
    }
  }

  /**
   * Versions 5 and 6: moves the jobs' {@code trace_context} column (same stored form) into
   * {@code spindle_trace} and drops it (once the table exists).
   */
  private static void moveTraceContexts(Db.Conn c) throws SQLException {
    if (jobColumns(c).contains("trace_context")) {
      c.execOnce("INSERT INTO spindle_trace (id, context) SELECT id, trace_context FROM spindle_jobs"
          + " WHERE trace_context IS NOT NULL");
      c.execOnce("ALTER TABLE spindle_jobs DROP COLUMN trace_context");
    }
  }

  /**
   * The migrations for {@link SqlMigrations}: every statement of {@link #DDL} is idempotent, so the
   * one list (the last version's) brings any older version up; the earlier versions have none of
   * their own. All run in the caller's write transaction.
   */
  private static final SqlMigrations.Schema<Db.Conn> MIGRATIONS = new SqlMigrations.Schema<>(
      Stream.concat(Collections.nCopies(VERSION - 1, List.<String>of()).stream(), Stream.of(List.of(DDL))).toList(),
      true) {
    @Override
    public int found(Db.Conn c) throws SQLException {
      if (!tables(c.jdbc()).contains("spindle_meta")) {
        return 0;
      }
      try (ResultSet rs = c.jdbc().createStatement()
          .executeQuery("SELECT value FROM spindle_meta WHERE key = 'schema_version'")) {
        return rs.next() ? rs.getInt(1) : 0;
      }
    }

    @Override
    protected void execute(Db.Conn c, String sql) throws SQLException {
      c.execOnce(sql);
    }

    @Override
    protected void record(Db.Conn c, int version) throws SQLException {
      c.execOnce("INSERT OR REPLACE INTO spindle_meta (key, value) VALUES ('schema_version', " + version + ")");
    }

    @Override
    public String newer(String where, int found) {
      return "the job database " + where + " was created by a newer Spindle (schema " + found
          + ", this version understands " + VERSION + "); it was left unchanged: upgrade Spindle";
    }
  };

  /**
   * Creates the schema if missing, inside the caller's write transaction ({@link SqlMigrations}).
   *
   * @throws StoreException CANNOT_OPEN if the database was created by a newer version of Spindle, if
   *     the file holds another application's tables, or Spindle tables lacking columns of this
   *     version (nothing is changed: the transaction rolls back)
   */
  public static void migrate(Db.Conn c, java.nio.file.Path file) throws SQLException {
    Set<String> existing = tables(c.jdbc());
    if (!existing.isEmpty() && !existing.contains("spindle_meta")) {
      List<String> shown = new ArrayList<>(existing).subList(0, Math.min(existing.size(), 5));
      throw new StoreException(StoreException.Reason.CANNOT_OPEN, "the SQLite file " + file + " belongs to another "
          + "application (tables: " + String.join(", ", shown) + (existing.size() > 5 ? ", ..." : "")
          + "; no Spindle schema marker spindle_meta): Spindle does not add its tables to it; give the store "
          + "a file of its own");
    }
    int found = MIGRATIONS.found(c);
    if (found > VERSION) {
      throw new StoreException(StoreException.Reason.CANNOT_OPEN, MIGRATIONS.newer(file.toString(), found));
    }
    addFlowKeyColumn(c, existing);
    addWaitColumns(c, existing);
    requireColumns(c, file, true); // before the DDL: its indexes could fail on a missing column
    boolean indexText = existing.contains("spindle_jobs") && !existing.contains("spindle_jobs_text");
    SqlMigrations.migrate(c, MIGRATIONS, file.toString());
    if (indexText) { // a database before version 4: index the jobs it already has
      c.execOnce("INSERT INTO spindle_jobs_text (rowid, t_args, t_error) SELECT id, " + searchable("args")
          + ", error FROM spindle_jobs");
    }
    moveTraceContexts(c);
    requireColumns(c, file, false);
  }
}
