package dev.spindle.store.jdbc.internal;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobState;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * For SQL stores (SQLite, PostgreSQL): row mapping of jobs, shared so both encode alike: state
 * codes derived from {@link dev.spindle.queue.JobState}, times in microseconds, the column list of
 * job snapshots and how to read one. Stateless.
 */
public class SqlJobRows {
  /** The columns {@link #read} expects, in order, the trace context from column {@code trace_context}. */
  public static final String COLUMNS = columns("trace_context");

  /**
   * The columns {@link #readClaimed} expects: what a worker needs to run a job it just claimed, the
   * trace context from column {@code trace_context}.
   */
  public static final String CLAIM_COLUMNS = claimColumns("trace_context");

  /** {@link #COLUMNS} with the trace context read by the SQL expression {@code traceContext}. */
  public static String columns(String traceContext) {
    return "id, task, queue, state, priority, args, result, error, dead_reason, unique_key,"
        + " attempt, failures, lost, fence, worker_id, cancel_requested, created_at, run_at, started_at, finished_at,"
        + " expires_at, finish_seq, policy_id, " + traceContext;
  }

  /** {@link #CLAIM_COLUMNS} with the trace context read by the SQL expression {@code traceContext}. */
  public static String claimColumns(String traceContext) {
    return "id, task, queue, priority, args, unique_key, attempt, failures, lost, fence, created_at, run_at, policy_id, "
        + traceContext;
  }

  /** SQL of a job's result retention (microseconds), from its policy. */
  public static final String RESULT_TTL = "(SELECT result_ttl_us FROM spindle_policies p WHERE p.id = policy_id)";
  /** SQL of a failed job's retention (microseconds), from its policy. */
  public static final String FAILURE_TTL = "(SELECT failure_ttl_us FROM spindle_policies p WHERE p.id = policy_id)";

  // The stored state codes: the one encoding of JobState in SQL. Every statement names them
  // through these constants (never a literal); JobRowsTest (SQLite) checks them against JobState.

  /** The stored code of {@link JobState#WAITING} (dependencies): below 0, outside the terminal range. */
  public static final int WAITING = -1;
  /** The stored code of {@link JobState#SCHEDULED}. */
  public static final int SCHEDULED = 0;
  /** The stored code of {@link JobState#QUEUED}. */
  public static final int QUEUED = 1;
  /** The stored code of {@link JobState#RUNNING}. */
  public static final int RUNNING = 2;
  /** The stored code of {@link JobState#SUCCEEDED}: the first terminal code. */
  public static final int SUCCEEDED = 3;
  /** The stored code of {@link JobState#FAILED}. */
  public static final int FAILED = 4;
  /** The stored code of {@link JobState#DEAD}. */
  public static final int DEAD = 5;
  /** The stored code of {@link JobState#CANCELLED}. */
  public static final int CANCELLED = 6;

  /** SQL condition: a terminal job (terminal states, and only they, have codes from SUCCEEDED on). */
  public static final String IS_TERMINAL = "state >= " + SUCCEEDED;
  /** SQL condition: a job that has not run yet: WAITING, SCHEDULED or QUEUED. */
  public static final String IS_WAITING = "state IN (" + WAITING + ", " + SCHEDULED + ", " + QUEUED + ")";
  /** SQL condition: SUCCEEDED or CANCELLED, the jobs the succeeded retention limit counts ({@link SqlRules}). */
  public static final String IS_SUCCESS_LIKE = SqlRules.IS_KEPT_AS_SUCCEEDED;
  /** SQL condition: FAILED or DEAD, the jobs the failed retention limit counts ({@link SqlRules}). */
  public static final String IS_FAILURE_LIKE = SqlRules.IS_KEPT_AS_FAILED;

  private static final JobState[] BY_CODE = {
    JobState.SCHEDULED, JobState.QUEUED, JobState.RUNNING, JobState.SUCCEEDED, JobState.FAILED, JobState.DEAD,
    JobState.CANCELLED
  };

  /** For the stores' own {@code JobRows}, which add nothing but their package. */
  protected SqlJobRows() {}

  /** The stored code of a state (terminal states are >= 3). */
  public static int code(JobState s) {
    return switch (s) {
      case WAITING -> WAITING;
      case SCHEDULED -> SCHEDULED;
      case QUEUED -> QUEUED;
      case RUNNING -> RUNNING;
      case SUCCEEDED -> SUCCEEDED;
      case FAILED -> FAILED;
      case DEAD -> DEAD;
      case CANCELLED -> CANCELLED;
    };
  }

  /** The state of a stored code. */
  public static JobState state(int code) {
    if (code == WAITING) {
      return JobState.WAITING;
    }
    if (code < 0 || code >= BY_CODE.length) {
      throw new IllegalStateException("unknown job state code " + code + " in the database");
    }
    return BY_CODE[code];
  }

  /**
   * The SET clause ({@code state = <code>}) of a statement that moves jobs from {@code from} to
   * {@code to}, after checking the move against {@link JobState}'s table; the statement's WHERE
   * clause must select {@code from} jobs only. Set-based statements are built with it once, so a
   * move the table forbids fails loudly when the store class loads, not as an UPDATE that matches
   * nothing.
   *
   * @throws dev.spindle.queue.IllegalJobTransitionException if the table forbids the move
   */
  public static String moveTo(JobState from, JobState to) {
    JobState.checkTransition("(any " + from + " job)", from, to);
    return "state = " + code(to);
  }

  /** Microseconds since the epoch. */
  public static long micros(Instant t) {
    long bound = Long.MAX_VALUE / 4 / 1_000_000L; // saturate: far instants must not overflow
    long sec = Math.max(-bound, Math.min(bound, t.getEpochSecond()));
    return sec * 1_000_000L + t.getNano() / 1000;
  }

  /** A duration in microseconds, saturated so no stored duration (or a time plus one) overflows. */
  public static long micros(Duration d) {
    if (d.getSeconds() >= Long.MAX_VALUE / 4_000_000L) {
      return Long.MAX_VALUE / 4;
    }
    return Math.min(d.toNanos() / 1000, Long.MAX_VALUE / 4);
  }

  /** The numeric id of a job id, or -1 if it is not a number (no such job). */
  public static long idOrNeg(String id) {
    try {
      return Long.parseLong(id);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The instant of a microsecond timestamp. */
  public static Instant instant(long micros) {
    return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000);
  }

  private static @Nullable Instant instantOrNull(ResultSet rs, int col) throws SQLException {
    long v = rs.getLong(col);
    return rs.wasNull() ? null : instant(v);
  }

  /** Finds a job policy by its id. */
  @FunctionalInterface
  public interface Policies {
    JobPolicy get(long id) throws SQLException;
  }

  /**
   * Reads a store's {@code trace_context} column (a store may keep it in a form of its own); the
   * default reads it as text.
   */
  @FunctionalInterface
  public interface TraceContextReader {
    /** The trace context in column {@code column} of the current row, or {@code null}. */
    @Nullable String read(ResultSet rs, int column) throws SQLException;
  }

  /**
   * Reads a job just claimed ({@link #CLAIM_COLUMNS}): RUNNING under {@code workerId} since
   * {@code now}; the result and error of earlier attempts are not read.
   */
  public static JobInfo readClaimed(ResultSet rs, String workerId, Instant now, Policies policies)
      throws SQLException {
    return readClaimed(rs, workerId, now, policies, ResultSet::getString);
  }

  /** {@link #readClaimed(ResultSet, String, Instant, Policies)} with the store's trace-context reader. */
  public static JobInfo readClaimed(ResultSet rs, String workerId, Instant now, Policies policies,
      TraceContextReader traceContexts) throws SQLException {
    return new JobInfo(Long.toString(rs.getLong(1)), rs.getString(2), rs.getString(3), JobState.RUNNING,
        rs.getInt(4), rs.getString(5), null, null, null, rs.getString(6), rs.getInt(7), rs.getInt(8), rs.getInt(9),
        rs.getLong(10), workerId, false, instant(rs.getLong(11)), instant(rs.getLong(12)), now, null, null, 0,
        policies.get(rs.getLong(13)), traceContexts.read(rs, 14));
  }

  /** Reads a row selected with {@link #COLUMNS}. */
  public static JobInfo read(ResultSet rs, Policies policies) throws SQLException {
    return read(rs, policies, ResultSet::getString);
  }

  /** {@link #read(ResultSet, Policies)} with the store's trace-context reader. */
  public static JobInfo read(ResultSet rs, Policies policies, TraceContextReader traceContexts)
      throws SQLException {
    return new JobInfo(Long.toString(rs.getLong(1)), rs.getString(2), rs.getString(3), state(rs.getInt(4)),
        rs.getInt(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10),
        rs.getInt(11), rs.getInt(12), rs.getInt(13), rs.getLong(14), rs.getString(15), rs.getInt(16) != 0,
        instant(rs.getLong(17)), instant(rs.getLong(18)), instantOrNull(rs, 19), instantOrNull(rs, 20),
        instantOrNull(rs, 21), rs.getLong(22), policies.get(rs.getLong(23)), traceContexts.read(rs, 24));
  }
}
