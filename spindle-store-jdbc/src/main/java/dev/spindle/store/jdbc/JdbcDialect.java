package dev.spindle.store.jdbc;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * What one SQL database adds to the shared SQL job store engine: the SQL that differs between
 * databases, how its errors read, and how it is written to. Everything else (the job rows, the
 * state machine's moves, fencing, claims, completions, enqueue, dependencies, flow control,
 * schedules, worker leases, retention, inspection and statistics) is the engine's and is written
 * once against this interface.
 *
 * <p><b>The contract.</b>
 *
 * <ul>
 *   <li><b>Schema.</b> The dialect's module creates and migrates the tables the engine reads and
 *       writes ({@code spindle_jobs}, {@code spindle_policies}, {@code spindle_deps}, {@code
 *       spindle_workers}, {@code spindle_schedules}, {@code spindle_stats}, {@code spindle_audit},
 *       the flow tables), with the columns and types of the SQLite and PostgreSQL schemas: every
 *       time is a 64-bit integer of microseconds since the epoch, bound as a parameter (the store's
 *       clock supplies "now"), so the engine needs no date functions; payloads (arguments, results,
 *       errors) are JSON text; state codes are the integers of the engine's job rows.
 *   <li><b>Statements.</b> Each method returns a fragment of standard SQL (or runs one on a
 *       connection the engine passes in, inside the engine's transaction). Fragments are
 *       constants or depend only on their arguments; they never embed values from users.
 *   <li><b>Transactions.</b> The engine runs every store call in one transaction at READ COMMITTED
 *       or stronger, through the connection discipline of {@link #writers()}; a dialect never
 *       commits, rolls back or closes a connection it is given.
 *   <li><b>Errors.</b> {@link #classify} reads a driver's {@link SQLException}; the engine retries
 *       {@link ErrorKind#BUSY}, {@link ErrorKind#SERIALIZATION_FAILURE} and {@link
 *       ErrorKind#UNIQUE_VIOLATION} transactions and reports the rest as {@code StoreException}s.
 * </ul>
 *
 * <p>Implementations are stateless and thread-safe (one instance serves every connection).
 */
public interface JdbcDialect {
  /** The database's name for messages and logs ({@code "sqlite"}, {@code "postgresql"}). */
  String name();

  // ---- row locks -------------------------------------------------------------------------------

  /**
   * Suffix of a SELECT whose rows this transaction will change: by default {@code " FOR UPDATE"},
   * or "" where writers are serialized ({@link Writers#ONE_WRITER}).
   */
  default String forUpdate() {
    return serialized() ? "" : " FOR UPDATE";
  }

  /**
   * Suffix of a SELECT whose rows must not change until this transaction ends: by default {@code "
   * FOR SHARE"}, or "" where writers are serialized.
   */
  default String forShare() {
    return serialized() ? "" : " FOR SHARE";
  }

  /**
   * Suffix of a SELECT that locks the rows of table {@code alias} it can, skipping those other
   * transactions hold: by default {@code " FOR UPDATE OF alias SKIP LOCKED"}, or "" where writers
   * are serialized.
   */
  default String forUpdateSkipLocked(String alias) {
    return serialized() ? "" : " FOR UPDATE OF " + alias + " SKIP LOCKED";
  }

  private boolean serialized() {
    return writers() == Writers.ONE_WRITER;
  }

  // ---- expressions -----------------------------------------------------------------------------

  /** The larger of two SQL expressions: by default {@code greatest(a, b)} (SQLite writes {@code max(a, b)}). */
  default String greatest(String a, String b) {
    return "greatest(" + a + ", " + b + ")";
  }

  /**
   * A reference to {@code column} that keeps the planner off the column's own index: by default the
   * column itself (the planner needs no hint).
   */
  default String unindexed(String column) {
    return column;
  }

  /**
   * What follows a table's name in a {@code FROM} to make the planner read it along {@code index}
   * (one of the ready indexes every schema has): by default "" (the planner needs no hint); SQLite
   * writes {@code INDEXED BY}.
   */
  default String indexedBy(String index) {
    return "";
  }

  /** The audit table's column naming who acted: by default {@code actor} ({@code user} is reserved in some databases). */
  default String auditUserColumn() {
    return "actor";
  }

  /**
   * A statement that inserts {@code values} (a parenthesized list of expressions or {@code ?})
   * into {@code columns} of {@code table}, and does nothing if a row with the same {@code
   * conflictColumns} exists. By default {@code INSERT ... ON CONFLICT (...) DO NOTHING}; MariaDB
   * and MySQL write {@code INSERT IGNORE}.
   */
  default String insertIgnoring(String table, String columns, String values, String conflictColumns) {
    return "INSERT INTO " + table + " (" + columns + ") VALUES " + values + " ON CONFLICT (" + conflictColumns
        + ") DO NOTHING";
  }

  /**
   * As {@link #insertIgnoring}, with the rows of {@code select} (a {@code SELECT} with a {@code
   * WHERE} clause) instead of a {@code VALUES} list: nothing is inserted for a row whose {@code
   * conflictColumns} exist. By default {@code INSERT ... SELECT ... ON CONFLICT (...) DO NOTHING};
   * MariaDB and MySQL write {@code INSERT IGNORE ... SELECT}.
   */
  default String insertSelectIgnoring(String table, String columns, String select, String conflictColumns) {
    return "INSERT INTO " + table + " (" + columns + ") " + select + " ON CONFLICT (" + conflictColumns
        + ") DO NOTHING";
  }

  /**
   * What follows an INSERT's {@code VALUES (...)} so that a row with the same {@code
   * conflictColumns} is updated instead, by the assignments that follow (each value written with
   * {@link #proposed} and the table's name for the existing row's columns). By default {@code " ON
   * CONFLICT (...) DO UPDATE SET "}; MariaDB and MySQL write {@code " ON DUPLICATE KEY UPDATE "}.
   */
  default String onConflictUpdate(String conflictColumns) {
    return " ON CONFLICT (" + conflictColumns + ") DO UPDATE SET ";
  }

  /**
   * In the assignments after {@link #onConflictUpdate}, the value the INSERT proposed for {@code
   * column}: by default {@code excluded.column}; MariaDB writes {@code VALUES(column)}.
   */
  default String proposed(String column) {
    return "excluded." + column;
  }

  /**
   * Whether {@code UPDATE ... RETURNING} and {@code DELETE ... RETURNING} work (SQLite 3.35+,
   * PostgreSQL, MariaDB 10.5+ for DELETE only: answer false there and the engine reads the rows it
   * changed in the same transaction instead).
   */
  default boolean returning() {
    return true;
  }

  /**
   * Whether deleting a job deletes its own rows in {@code spindle_deps} (as the child) and {@code
   * spindle_waits} (by triggers). Where not (MariaDB: a trigger may not change a table the deleting
   * statement reads), retention deletes them after the jobs. By default true.
   */
  default boolean deletesDependentRows() {
    return true;
  }

  /**
   * A subquery of ids ({@code select}, one column {@code id}, often with {@code LIMIT}) for an
   * {@code IN (...)} of a statement that changes the same table. By default {@code select} itself;
   * MariaDB reads it into a derived table first (it refuses {@code LIMIT} in an {@code IN} subquery,
   * and a subquery on the table being changed).
   */
  default String limitedIds(String select) {
    return select;
  }

  // ---- flow control ----------------------------------------------------------------------------

  /**
   * Tries, without waiting, to lock flow key {@code key} until the transaction ends; a claim takes
   * it before it counts the key's running jobs, and skips the key if another transaction holds it,
   * so two claims (of different queues too) never both fill a key's last permit. Called only where
   * claims run concurrently ({@link Writers#POOL}), and only if the store's builder was given no
   * {@code flowKeyLock} query. By default the key's row of {@code spindle_flow_state}, locked with
   * {@link #forUpdateSkipLocked} (a transaction-scoped try-lock in any database with row locks): a
   * key without a row gets one first ({@link #insertIgnoring}, which waits only for another
   * transaction creating the same row); a row that exists but was skipped is held by another claim.
   *
   * @return whether the lock was taken
   */
  default boolean tryLockFlowKey(JdbcConn c, String key) throws SQLException {
    if (writers() != Writers.POOL) {
      throw new UnsupportedOperationException("the " + name() + " dialect does not claim concurrently and locks no"
          + " flow keys");
    }
    String lock = "SELECT 1 FROM spindle_flow_state WHERE \"key\" = ?" + forUpdateSkipLocked("spindle_flow_state");
    if (found(c, lock, key)) {
      return true;
    }
    if (found(c, "SELECT 1 FROM spindle_flow_state WHERE \"key\" = ?", key)) {
      return false; // the row exists and another transaction holds it
    }
    PreparedStatement create = c.ps(insertIgnoring("spindle_flow_state", "\"key\", tat, paused_until", "(?, NULL, NULL)",
        "\"key\""));
    create.setString(1, key);
    create.executeUpdate();
    return found(c, lock, key);
  }

  private static boolean found(JdbcConn c, String sql, String key) throws SQLException {
    PreparedStatement ps = c.ps(sql);
    ps.setString(1, key);
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next();
    }
  }

  // ---- id lists --------------------------------------------------------------------------------

  /** A subquery yielding the ids bound by {@link #bindIds} as one parameter ({@code ?}). */
  String idsParameter();

  /**
   * Binds {@code ids} to parameter {@code index} of a statement using {@link #idsParameter}: by
   * default as one JSON array text ({@code [1,2,3]}).
   */
  default void bindIds(JdbcConn c, PreparedStatement ps, int index, long[] ids) throws SQLException {
    StringBuilder json = new StringBuilder(ids.length * 8).append('[');
    for (int i = 0; i < ids.length; i++) {
      json.append(i == 0 ? "" : ",").append(ids[i]);
    }
    ps.setString(index, json.append(']').toString());
  }

  /**
   * A subquery yielding, as one column, the names bound as one JSON array of strings (one
   * parameter, {@code ?}): a claim's task filter where the engine writes the claim statements
   * ({@code returning()} false). The default refuses, naming the dialect.
   */
  default String namesParameter() {
    throw new UnsupportedOperationException("the " + name() + " dialect binds no name lists: override namesParameter");
  }

  /**
   * A scalar sub-select of the smallest ({@code agg} {@code "min"}) or largest ({@code "max"}) id of
   * the jobs of {@code table} created in a range, its two parameters the range's start (inclusive)
   * and end (exclusive) in microseconds since the epoch; null if none. By default along an index on
   * {@code created_at} that holds every job.
   */
  default String createdIdBound(String agg, String table) {
    return "(SELECT " + agg + "(id) FROM " + table + " WHERE created_at >= ? AND created_at < ?)";
  }

  // ---- reading jobs ----------------------------------------------------------------------------

  /**
   * How job lists find {@code text} as a case-insensitive substring of the arguments or the error.
   * By default standard SQL: a case-folded {@code LIKE} on {@code spindle_jobs}, with {@code %},
   * {@code _} and {@code !} of the text taken literally ({@code ESCAPE '!'}, whatever the database
   * makes of backslashes); no index, so time ranges are applied first.
   *
   * @param text the text as the user gave it
   */
  default TextMatch textMatch(String text) {
    String like = "%" + text.toLowerCase(Locale.ROOT).replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%";
    return new TextMatch("spindle_jobs", "id", " AND (LOWER(args) LIKE ? ESCAPE '!' OR LOWER(error) LIKE ? ESCAPE '!')",
        List.of(like, like), false);
  }

  /**
   * The jobs readers see, finished ones included: {@code spindle_jobs}, or a view that adds a
   * history table of finished jobs (read-only: rows are locked and changed in {@code spindle_jobs}
   * after {@link #restore}). By default {@code spindle_jobs}.
   */
  default String allJobs() {
    return "spindle_jobs";
  }

  /**
   * Moves jobs {@code ids} back from the history table into {@code spindle_jobs} (ids not in the
   * history are ignored), so that an operator's requeue or delete can change them there. By default
   * nothing (there is no history).
   */
  default void restore(JdbcConn c, long[] ids) throws SQLException {}

  /**
   * A query of rows (queue, state code, count) that the inspector sums per queue and state: by
   * default a {@code GROUP BY} over {@code spindle_jobs}; a store with a history table adds the
   * history's per-queue counts (a queue and state may then appear twice).
   */
  default String queueCounts() {
    return "SELECT queue, state, count(*) FROM spindle_jobs GROUP BY queue, state";
  }

  /**
   * Before jobs are deleted, inside the same transaction (SQLite records the highest id: no id is
   * reused). By default nothing (ids come from a sequence).
   */
  default void beforeDeletingJobs(JdbcConn c) throws SQLException {}

  /**
   * The SQL of a history of finished jobs in day partitions, for a store that keeps one (the engine's
   * history retention and archive use it); by default none.
   */
  default Optional<JdbcHistory> history() {
    return Optional.empty();
  }

  // ---- errors and the connection discipline ----------------------------------------------------

  /** What an error of this database's driver means to the engine. */
  enum ErrorKind {
    /** Another connection holds a lock the statement needs (SQLite {@code SQLITE_BUSY}); retry. */
    BUSY,
    /** A deadlock or serialization failure; the whole transaction may be retried. */
    SERIALIZATION_FAILURE,
    /** A unique key raced with another transaction's insert; the whole transaction may be retried. */
    UNIQUE_VIOLATION,
    /** The connection was lost; a read may run again on another connection, a commit may have happened. */
    CONNECTION_LOST,
    /** Anything else: reported to the caller. */
    OTHER
  }

  /** What {@code e}, thrown by this database's driver, means ({@link ErrorKind}). */
  ErrorKind classify(SQLException e);

  /**
   * The kind {@code one} gives the first exception in {@code e}'s chain of causes that it knows
   * (other than {@link ErrorKind#OTHER}), for drivers that wrap the server's error.
   */
  static ErrorKind firstKnown(SQLException e, Function<SQLException, ErrorKind> one) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SQLException s) {
        ErrorKind k = one.apply(s);
        if (k != ErrorKind.OTHER) {
          return k;
        }
      }
    }
    return ErrorKind.OTHER;
  }

  /** How a database takes writes. */
  enum Writers {
    /** One writer connection per process, write transactions serialized by the engine (SQLite). */
    ONE_WRITER,
    /** A pool of connections writing concurrently under row locks (PostgreSQL, MariaDB). */
    POOL
  }

  /** How this database takes writes ({@link Writers}). */
  Writers writers();

  /** How the engine sends many rows' changes (completions, enqueues) in one store call. */
  enum Batching {
    /** One prepared statement per outcome, its rows as a JDBC batch (cheap round trips: embedded). */
    STATEMENT_BATCHES,
    /** One statement per outcome over column arrays, in rounds of distinct jobs (a network round trip each). */
    ARRAY_ROUNDS
  }

  /** How this database takes many rows in one call ({@link Batching}). */
  Batching batching();

  // ---- column arrays (Batching.ARRAY_ROUNDS) ---------------------------------------------------

  /**
   * For {@link Batching#ARRAY_ROUNDS}: a parameter bound to an array of {@code type}, a type name of
   * {@link java.sql.Connection#createArrayOf} ({@code int2}, {@code int4}, {@code int8}, {@code
   * text}). By default PostgreSQL's {@code ?::type[]}.
   */
  default String arrayParameter(String type) {
    return "?::" + type + "[]";
  }

  /**
   * For {@link Batching#ARRAY_ROUNDS}: the element of array {@code values} at the position where
   * array {@code keys} holds {@code key}. By default PostgreSQL's {@code values[array_position(keys, key)]}.
   */
  default String arrayElement(String values, String keys, String key) {
    return values + "[array_position(" + keys + ", " + key + ")]";
  }

  /**
   * For {@link Batching#ARRAY_ROUNDS}: SQL condition, {@code value} is an element of {@code array}
   * (along an index on {@code value}). By default PostgreSQL's {@code value = ANY(array)}.
   */
  default String arrayContains(String array, String value) {
    return value + " = ANY(" + array + ")";
  }

  /**
   * For the set-based claims and enqueue of {@link Batching#ARRAY_ROUNDS} dialects: the SQL they use
   * that is not standard ({@link SetBasedSql}). By default PostgreSQL's.
   */
  default SetBasedSql setBasedSql() {
    return SetBasedSql.POSTGRESQL;
  }

  /**
   * The non-standard fragments of the set-based claims and enqueue. Immutable.
   *
   * @param rowAddress the column a locked row is found again by in the same transaction ({@code ctid})
   * @param nextJobId the expression of a new job id ({@code nextval('spindle_job_ids')})
   * @param claimSettings a query setting a claim transaction's planner settings, sent before the
   *     claim's first statement in the same round trip; "" for none
   * @param queueTurn a statement taking the transaction lock of the queue bound as its one parameter
   * @param byteOrder the collation suffix that orders text by bytes ({@code COLLATE "C"})
   */
  record SetBasedSql(String rowAddress, String nextJobId, String claimSettings, String queueTurn, String byteOrder) {
    /** PostgreSQL's: {@code ctid}, the job id sequence, no sort or JIT in claims, advisory locks. */
    public static final SetBasedSql POSTGRESQL = new SetBasedSql("ctid", "nextval('spindle_job_ids')",
        "SELECT set_config('enable_sort', 'off', true), set_config('jit', 'off', true)",
        "SELECT pg_advisory_xact_lock(hashtext('spindle-queue:' || current_schema() || ':' || ?))", "COLLATE \"C\"");
  }

  /**
   * For {@link Batching#ARRAY_ROUNDS} with finish numbers taken in the finishing statements (the
   * engine's {@code SqlArrayCompletions}): the dialect's pieces of that path. By default none.
   */
  default Optional<ArrayFinishes> arrayFinishes() {
    return Optional.empty();
  }

  /**
   * A dialect's pieces of the array completion path ({@link #arrayFinishes}).
   *
   * @param nextFinishSeq SQL value of the next finish number in an UPDATE (a sequence's next value)
   * @param hasDependents SQL of a finishing statement's result column, given the name of its
   *     data-modifying {@code WITH} query: true if any of the rows it returned ({@code id}) has a
   *     dependent or waiter, read with a snapshot taken after the statement's updates
   * @param roundSettings a query run at the start of each call's rounds (transaction-local planner
   *     settings, one row), or "" for none
   */
  record ArrayFinishes(String nextFinishSeq, Function<String, String> hasDependents, String roundSettings) {}

  /**
   * A text condition on jobs.
   *
   * @param from the FROM source that holds {@code spindle_jobs}' columns ({@code spindle_jobs}
   *     itself, or a text index joined to it)
   * @param id the id column of {@code from} to order and page by
   * @param condition the condition, starting with {@code " AND "}
   * @param args its arguments, in order
   * @param drivesRows whether an index on the text drives the rows (then time ranges are checked
   *     per row instead of becoming id ranges first)
   */
  record TextMatch(String from, String id, String condition, List<Object> args, boolean drivesRows) {
    /** Copies the arguments. */
    public TextMatch {
      args = List.copyOf(args);
    }
  }
}
