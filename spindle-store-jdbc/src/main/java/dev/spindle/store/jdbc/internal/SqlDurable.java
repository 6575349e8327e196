package dev.spindle.store.jdbc.internal;

import dev.spindle.queue.DurableRules;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.AttemptOutcome;
import dev.spindle.queue.spi.CachedResult;
import dev.spindle.queue.spi.DependencyEnd;
import dev.spindle.queue.spi.DurableStore;
import dev.spindle.queue.spi.JobRef;
import dev.spindle.queue.spi.RefusedWrite;
import dev.spindle.queue.spi.SignalRecord;
import dev.spindle.queue.spi.SignalResult;
import dev.spindle.queue.spi.StepLog;
import dev.spindle.queue.spi.StepRecord;
import dev.spindle.queue.spi.StepTally;
import dev.spindle.queue.spi.StepWrite;
import dev.spindle.queue.spi.StoreClock;
import dev.spindle.queue.spi.WaitFor;
import dev.spindle.store.jdbc.JdbcConn;
import dev.spindle.store.jdbc.JdbcDialect;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The {@link DurableStore} of every SQL store: step records in {@code spindle_job_steps}, signals in
 * {@code spindle_job_signals}, the wait in the job row's {@code wait_kind} and {@code wait_for},
 * memoized results in {@code spindle_durable_cache}. Each call is one transaction; writes for an
 * attempt lock the job row ({@link JdbcDialect#forUpdate}) and check {@code state = RUNNING},
 * {@code worker_id} and {@code fence} in it, and every decision is {@link DurableRules}'. Records of a
 * deleted job are never read (reads join the job) and are swept by {@link #sweep} after retention.
 * Thread-safe (stateless besides its collaborators).
 *
 * @param <C> the store's connection type
 */
public final class SqlDurable<C extends JdbcConn> implements DurableStore {
  /** Rows of deleted jobs one {@link #sweep} removes at most, per table. */
  static final int SWEEP_BATCH = 10_000;

  private static final String STEP_COLUMNS = "name, occurrence, seq, kind, result, fence, attempt, took_ms, recorded_at";
  private static final String HELD = "state = " + SqlJobRows.RUNNING + " AND worker_id = ? AND fence = ?";

  private final SqlDb<C> db;
  private final JdbcDialect dialect;
  private final Clock clock;
  private final SqlStoreHost<C> host;
  private final SqlAttempts<C> attempts;
  /** The step record's insert, checking the fence only ({@link #insert}). */
  private final String insertHeld;
  /** The step record's insert, checking the fence and the limits. */
  private final String insertWithinLimits;
  /** Group commit of step records across running jobs, where the database takes column arrays; else null. */
  private final @Nullable SqlStepBatches<C> batches;

  /** The durable side of the store on {@code db}, reading time on {@code clock}. */
  public SqlDurable(SqlDb<C> db, JdbcDialect dialect, Clock clock, SqlStoreHost<C> host, SqlAttempts<C> attempts) {
    this.attempts = attempts;
    this.db = db;
    this.dialect = dialect;
    this.clock = clock;
    this.host = host;
    this.insertHeld = dialect.insertSelectIgnoring("spindle_job_steps", INSERT_COLUMNS,
        INSERT_VALUES + dialect.forShare(), "job_id, name, occurrence");
    this.insertWithinLimits = dialect.insertSelectIgnoring("spindle_job_steps", INSERT_COLUMNS,
        INSERT_VALUES + WITHIN_LIMITS + dialect.forShare(), "job_id, name, occurrence");
    this.batches = dialect.batching() == JdbcDialect.Batching.ARRAY_ROUNDS ? new SqlStepBatches<>(db, dialect) : null;
  }

  // ---------------------------------------------------------------- reads

  /**
   * Where the database takes column arrays (a network round trip per statement), one statement in
   * auto-commit, so one snapshot ({@link #LOAD_ONE}); elsewhere a read transaction of three.
   */
  @Override
  public Optional<StepLog> load(String jobId, long fence, String workerId) {
    long id = SqlJobRows.idOrNeg(jobId);
    if (batches != null) {
      return db.writeOne("load the steps of job " + jobId, c -> loadOne(c, id, fence, workerId));
    }
    return db.read("load the steps of job " + jobId, c -> {
      PreparedStatement ps = c.ps("SELECT wait_kind, wait_for FROM spindle_jobs WHERE id = ? AND " + HELD);
      ps.setLong(1, id);
      ps.setString(2, workerId);
      ps.setLong(3, fence);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        return Optional.of(log(c, id, SqlWaits.read(rs.getString(1), rs.getString(2))));
      }
    });
  }

  /**
   * The held job's wait (part 0), its records in order (part 1) and its signal counts (part 2, the
   * count in {@code occurrence}) as one result: one statement reads them in one snapshot.
   */
  private static final String LOAD_ONE = "SELECT 0 AS part, wait_kind, wait_for, CAST(NULL AS text) AS name,"
      + " 0 AS occurrence, 0 AS seq, CAST(NULL AS text) AS kind, CAST(NULL AS text) AS result, CAST(0 AS bigint) AS fence,"
      + " 0 AS attempt, CAST(0 AS bigint) AS took_ms, CAST(0 AS bigint) AS recorded_at FROM spindle_jobs WHERE id = ? AND "
      + HELD + " UNION ALL SELECT 1, NULL, NULL, " + STEP_COLUMNS + " FROM spindle_job_steps WHERE job_id = ?"
      + " UNION ALL SELECT 2, NULL, NULL, name, CAST(count(*) AS integer), 0, NULL, NULL, 0, 0, 0, 0"
      + " FROM spindle_job_signals WHERE job_id = ? GROUP BY name ORDER BY part, seq, name, occurrence";

  private static Optional<StepLog> loadOne(JdbcConn c, long id, long fence, String workerId) throws SQLException {
    PreparedStatement ps = c.ps(LOAD_ONE);
    ps.setLong(1, id);
    ps.setString(2, workerId);
    ps.setLong(3, fence);
    ps.setLong(4, id);
    ps.setLong(5, id);
    boolean held = false;
    WaitFor wait = null;
    List<StepRecord> steps = new ArrayList<>();
    Map<String, Integer> signals = new HashMap<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        switch (rs.getInt(1)) {
          case 0 -> {
            held = true;
            wait = SqlWaits.read(rs.getString(2), rs.getString(3));
          }
          case 1 -> steps.add(step(rs, 4));
          default -> signals.put(rs.getString(4), rs.getInt(5));
        }
      }
    }
    return held ? Optional.of(new StepLog(steps, signals, wait)) : Optional.empty();
  }

  @Override
  public Optional<StepLog> view(String jobId) {
    long id = SqlJobRows.idOrNeg(jobId);
    return db.read("view the steps of job " + jobId, c -> {
      PreparedStatement ps = c.ps("SELECT wait_kind, wait_for FROM " + dialect.allJobs() + " WHERE id = ?");
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        return Optional.of(log(c, id, SqlWaits.read(rs.getString(1), rs.getString(2))));
      }
    });
  }

  private StepLog log(C c, long id, @Nullable WaitFor wait) throws SQLException {
    PreparedStatement steps = c.ps("SELECT " + STEP_COLUMNS + " FROM spindle_job_steps WHERE job_id = ?"
        + " ORDER BY seq, name, occurrence");
    steps.setLong(1, id);
    List<StepRecord> out = new ArrayList<>();
    try (ResultSet rs = steps.executeQuery()) {
      while (rs.next()) {
        out.add(step(rs, 1));
      }
    }
    return new StepLog(out, signalCounts(c, id), wait);
  }

  private static Map<String, Integer> signalCounts(JdbcConn c, long id) throws SQLException {
    PreparedStatement counts = c.ps("SELECT name, count(*) FROM spindle_job_signals WHERE job_id = ? GROUP BY name");
    counts.setLong(1, id);
    Map<String, Integer> signals = new HashMap<>();
    try (ResultSet rs = counts.executeQuery()) {
      while (rs.next()) {
        signals.put(rs.getString(1), rs.getInt(2));
      }
    }
    return signals;
  }

  /** The record in the columns of {@link #STEP_COLUMNS}, the first at {@code from}. */
  private static StepRecord step(ResultSet rs, int from) throws SQLException {
    int i = from;
    return new StepRecord(rs.getString(i), rs.getInt(i + 1), rs.getInt(i + 2),
        StepRecord.Kind.valueOf(rs.getString(i + 3)), rs.getString(i + 4), rs.getLong(i + 5), rs.getInt(i + 6),
        rs.getLong(i + 7), SqlJobRows.instant(rs.getLong(i + 8)));
  }

  @Override
  public Optional<SignalRecord> signalAt(String jobId, String name, int number) {
    long id = SqlJobRows.idOrNeg(jobId);
    return db.read("read a signal of job " + jobId, c -> {
      PreparedStatement ps = c.ps("SELECT s.payload, s.received_at FROM spindle_job_signals s WHERE s.job_id = ?"
          + " AND s.name = ? AND s.ordinal = ? AND EXISTS (SELECT 1 FROM " + dialect.allJobs()
          + " j WHERE j.id = s.job_id)");
      ps.setLong(1, id);
      ps.setString(2, name);
      ps.setInt(3, number);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next()
            ? Optional.of(new SignalRecord(name, number, rs.getString(1), SqlJobRows.instant(rs.getLong(2))))
            : Optional.empty();
      }
    });
  }

  // ---------------------------------------------------------------- writes for an attempt

  @Override
  public StepWrite record(String jobId, long fence, String workerId, StepRecord step, DurableRules rules) {
    Objects.requireNonNull(step, "step");
    Objects.requireNonNull(rules, "rules");
    long id = SqlJobRows.idOrNeg(jobId);
    return db.write("record step " + step.key() + " of job " + jobId, c -> recordIn(c, id, fence, workerId, step,
        rules, null));
  }

  /**
   * One statement in auto-commit where the store allows it ({@link SqlDb#writeOne}): the limits are
   * checked on {@code known} before it, and the record's insert checks the fence; only when it
   * writes nothing do further reads say why. Where the database takes column arrays, that statement
   * is shared with the records other running jobs write at the same moment ({@link SqlStepBatches});
   * a record it did not insert is written again alone, which explains why. Ending a kept wait is a second statement, in one
   * transaction with the insert.
   */
  @Override
  public StepWrite record(String jobId, long fence, String workerId, StepRecord step, DurableRules rules,
      StepTally known) {
    Objects.requireNonNull(step, "step");
    Objects.requireNonNull(rules, "rules");
    Objects.requireNonNull(known, "known");
    long id = SqlJobRows.idOrNeg(jobId);
    SqlStepBatches<C> group = batches;
    if (group != null && !known.waiting() && rules.limitExceeded(known.steps(), known.bytes(), step.resultBytes())
        == null) {
      StepRecord stored = step.recordedAt(clock.instant());
      if (group.insert(id, fence, workerId, stored)) {
        return StepWrite.applied(stored);
      }
    }
    String operation = "record step " + step.key() + " of job " + jobId;
    SqlDb.Work<C, StepWrite> work = c -> recordIn(c, id, fence, workerId, step, rules, known);
    return known.waiting() ? db.write(operation, work) : db.writeOne(operation, work);
  }

  /**
   * {@link #record} on {@code c}, in a transaction the caller owns (a dialect's step inside an
   * application's transaction): the record commits or rolls back with it.
   */
  public StepWrite recordOn(C c, String jobId, long fence, String workerId, StepRecord step, DurableRules rules)
      throws SQLException {
    Objects.requireNonNull(step, "step");
    Objects.requireNonNull(rules, "rules");
    return recordIn(c, SqlJobRows.idOrNeg(jobId), fence, workerId, step, rules, null);
  }

  /**
   * Inserts the record if the job is held and the limits allow it (from {@code known}, or read by the
   * statement when null), then ends the job's wait; when nothing was inserted, {@link #explain}
   * reads why.
   */
  private StepWrite recordIn(C c, long id, long fence, String workerId, StepRecord step, DurableRules rules,
      @Nullable StepTally known) throws SQLException {
    boolean within = known == null
        ? step.resultBytes() <= rules.maxResultBytes()
        : rules.limitExceeded(known.steps(), known.bytes(), step.resultBytes()) == null;
    StepRecord stored = step.recordedAt(clock.instant());
    if (within && insert(c, id, fence, workerId, stored, known == null ? rules : null)) {
      endWait(c, id, known);
      return StepWrite.applied(stored);
    }
    StepWrite why = explain(c, id, fence, workerId, step, rules);
    if (why.status() != StepWrite.Status.APPLIED) {
      return why;
    }
    // what the caller knew was off (a record it counted was rolled back): the statement reads the limits
    if (insert(c, id, fence, workerId, stored, rules)) {
      endWait(c, id, known);
      return StepWrite.applied(stored);
    }
    StepWrite again = explain(c, id, fence, workerId, step, rules);
    if (again.status() == StepWrite.Status.APPLIED) {
      throw new SQLException("the record of step " + step.key() + " of job " + id + " was neither written nor"
          + " refused; another writer changes the job's records", "40001");
    }
    return again;
  }

  static final String INSERT_COLUMNS = "job_id, " + STEP_COLUMNS + ", bytes";
  private static final String INSERT_VALUES = "SELECT j.id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM spindle_jobs j"
      + " WHERE j.id = ? AND j.state = " + SqlJobRows.RUNNING + " AND j.worker_id = ? AND j.fence = ?";
  private static final String WITHIN_LIMITS = " AND (SELECT count(*) FROM spindle_job_steps s WHERE s.job_id = j.id)"
      + " < ? AND (SELECT coalesce(sum(s.bytes), 0) FROM spindle_job_steps s WHERE s.job_id = j.id) <= ?";

  /**
   * The one statement of a step record: inserts {@code stored} if the job is RUNNING under {@code
   * workerId} and {@code fence} (its row share-locked, so a reclaim waits for it or it sees the
   * reclaim) and no record has its key, and, with {@code limits}, the job's records leave room.
   *
   * @return whether it inserted the record
   */
  private boolean insert(C c, long id, long fence, String workerId, StepRecord stored, @Nullable DurableRules limits)
      throws SQLException {
    PreparedStatement ps = c.ps(limits == null ? insertHeld : insertWithinLimits);
    ps.setString(1, stored.name());
    ps.setInt(2, stored.occurrence());
    ps.setInt(3, stored.sequence());
    ps.setString(4, stored.kind().name());
    ps.setString(5, stored.resultJson());
    ps.setLong(6, stored.fence());
    ps.setInt(7, stored.attempt());
    ps.setLong(8, stored.tookMillis());
    ps.setLong(9, SqlJobRows.micros(stored.recordedAt()));
    ps.setInt(10, stored.resultBytes());
    ps.setLong(11, id);
    ps.setString(12, workerId);
    ps.setLong(13, fence);
    if (limits != null) {
      ps.setInt(14, limits.maxSteps());
      ps.setLong(15, limits.maxJobBytes() - stored.resultBytes());
    }
    return ps.executeUpdate() == 1;
  }

  /** Ends the job's wait, if any (all of them when {@code known} is null): the attempt went past it. */
  private static void endWait(JdbcConn c, long id, @Nullable StepTally known) throws SQLException {
    if (known != null && !known.waiting()) {
      return;
    }
    PreparedStatement end = c.ps("UPDATE spindle_jobs SET wait_kind = NULL, wait_for = NULL WHERE id = ?"
        + " AND wait_kind IS NOT NULL");
    end.setLong(1, id);
    end.executeUpdate();
  }

  /** Why a record was not inserted, as {@link DurableRules#onRecord} decides from what the store holds. */
  private StepWrite explain(C c, long id, long fence, String workerId, StepRecord step, DurableRules rules)
      throws SQLException {
    PreparedStatement held = c.ps("SELECT (SELECT count(*) FROM spindle_job_steps s WHERE s.job_id = j.id),"
        + " (SELECT coalesce(sum(s.bytes), 0) FROM spindle_job_steps s WHERE s.job_id = j.id)"
        + " FROM spindle_jobs j WHERE j.id = ? AND j.state = " + SqlJobRows.RUNNING + " AND j.worker_id = ?"
        + " AND j.fence = ?");
    held.setLong(1, id);
    held.setString(2, workerId);
    held.setLong(3, fence);
    int steps;
    long bytes;
    try (ResultSet rs = held.executeQuery()) {
      if (!rs.next()) {
        attempts.refused(c, id, fence, workerId, RefusedWrite.step(step.name(), step.occurrence()),
            SqlJobRows.micros(clock.instant()));
        return StepWrite.fenced();
      }
      steps = rs.getInt(1);
      bytes = rs.getLong(2);
    }
    StepRecord existing = stored(c, id, step.name(), step.occurrence());
    return switch (rules.onRecord(true, existing != null, steps, bytes, step.resultBytes())) {
      case FENCED -> StepWrite.fenced();
      case EXISTS -> StepWrite.exists(Objects.requireNonNull(existing));
      case LIMIT -> StepWrite.limit(Objects.requireNonNull(rules.limitExceeded(steps, bytes, step.resultBytes())));
      case APPLIED -> StepWrite.applied(step); // not written: the caller inserts it
    };
  }

  private static @Nullable StepRecord stored(JdbcConn c, long id, String name, int occurrence) throws SQLException {
    PreparedStatement ps = c.ps("SELECT " + STEP_COLUMNS + " FROM spindle_job_steps WHERE job_id = ? AND name = ?"
        + " AND occurrence = ?");
    ps.setLong(1, id);
    ps.setString(2, name);
    ps.setInt(3, occurrence);
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? step(rs, 1) : null;
    }
  }

  @Override
  public boolean suspend(String jobId, long fence, String workerId, WaitFor wait, Instant callerNow) {
    Objects.requireNonNull(wait, "wait");
    long id = SqlJobRows.idOrNeg(jobId);
    StoreClock sc = StoreClock.read(clock, callerNow);
    WaitFor kept = new WaitFor(wait.kind(), wait.signal(), wait.number(), wait.sequence(), sc.translate(wait.until()));
    boolean done = db.write("suspend job " + jobId, c -> suspendIn(c, id, fence, workerId, kept, sc.now()));
    if (done) {
      host.changed();
    }
    return done;
  }

  private static final String SUSPEND_SCHEDULED = "UPDATE spindle_jobs SET "
      + SqlJobRows.moveTo(JobState.RUNNING, JobState.SCHEDULED)
      + ", run_at = ?, wait_kind = ?, wait_for = ? WHERE id = ? AND " + HELD;
  private static final String SUSPEND_QUEUED = "UPDATE spindle_jobs SET "
      + SqlJobRows.moveTo(JobState.RUNNING, JobState.QUEUED)
      + ", run_at = ?, wait_kind = ?, wait_for = ? WHERE id = ? AND " + HELD;

  private boolean suspendIn(C c, long id, long fence, String workerId, WaitFor wait, Instant now)
      throws SQLException {
    PreparedStatement held = c.ps("SELECT cancel_requested FROM spindle_jobs WHERE id = ? AND " + HELD
        + dialect.forUpdate());
    held.setLong(1, id);
    held.setString(2, workerId);
    held.setLong(3, fence);
    boolean cancel;
    try (ResultSet rs = held.executeQuery()) {
      if (!rs.next()) {
        return false;
      }
      cancel = rs.getInt(1) != 0;
    }
    attempts.closed(c, id, fence, cancel ? AttemptOutcome.CANCELLED : AttemptOutcome.SUSPENDED,
        SqlJobRows.micros(now));
    if (cancel) { // a cancel requested while it ran ends it, as a release would (JobRules)
      host.finish(c, id, JobState.RUNNING, JobState.CANCELLED, now, null, null, SqlJobRows.RESULT_TTL);
      return true;
    }
    boolean signalled = wait.kind() == WaitFor.Kind.SIGNAL
        && signalCount(c, id, Objects.requireNonNull(wait.signal())) > wait.number();
    boolean due = signalled || SqlWaits.awaitedIsOver(c, dialect, id, wait) || !wait.until().isAfter(now);
    PreparedStatement move = c.ps(due ? SUSPEND_QUEUED : SUSPEND_SCHEDULED);
    move.setLong(1, SqlJobRows.micros(due ? now : wait.until()));
    move.setString(2, wait.kind().name());
    move.setString(3, SqlWaits.json(wait));
    move.setLong(4, id);
    move.setString(5, workerId);
    move.setLong(6, fence);
    move.executeUpdate();
    return true;
  }

  @Override
  public Optional<DependencyEnd> awaited(String jobId) {
    long id = SqlJobRows.idOrNeg(jobId);
    return db.read("read awaited job " + jobId, c -> Optional.ofNullable(SqlWaits.endOf(c, dialect, id, "")));
  }

  private static int signalCount(JdbcConn c, long id, String name) throws SQLException {
    PreparedStatement ps = c.ps("SELECT count(*) FROM spindle_job_signals WHERE job_id = ? AND name = ?");
    ps.setLong(1, id);
    ps.setString(2, name);
    try (ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getInt(1);
    }
  }

  // ---------------------------------------------------------------- signals

  @Override
  public SignalResult signal(JobRef job, String name, String payloadJson, DurableRules rules, Instant callerNow) {
    Objects.requireNonNull(job, "job");
    rules.checkSignal(name, payloadJson);
    Instant now = StoreClock.read(clock, callerNow).now();
    SignalResult r = db.write("signal " + job, c -> signalIn(c, job, name, payloadJson, rules, now));
    if (r == SignalResult.WOKE) {
      host.changed();
    }
    return r;
  }

  private SignalResult signalIn(C c, JobRef job, String name, String payloadJson, DurableRules rules, Instant now)
      throws SQLException {
    String by = job.byUniqueKey() ? "unique_key = ?" : "id = ?";
    PreparedStatement live = c.ps("SELECT id, state, wait_kind, wait_for FROM spindle_jobs WHERE " + by
        + dialect.forUpdate());
    bind(live, job);
    long id;
    JobState state;
    WaitFor wait;
    try (ResultSet rs = live.executeQuery()) {
      if (!rs.next()) {
        return rules.onSignal(finished(c, job), 0, false);
      }
      id = rs.getLong(1);
      state = SqlJobRows.state(rs.getInt(2));
      wait = SqlWaits.read(rs.getString(3), rs.getString(4));
    }
    SignalResult r = rules.onSignal(state, pending(c, id), wait != null && wait.wokenBy(name));
    if (!r.stored()) {
      return r;
    }
    PreparedStatement ins = c.ps("INSERT INTO spindle_job_signals (job_id, name, ordinal, payload, received_at)"
        + " VALUES (?, ?, ?, ?, ?)");
    ins.setLong(1, id);
    ins.setString(2, name);
    ins.setInt(3, signalCount(c, id, name));
    ins.setString(4, payloadJson);
    ins.setLong(5, SqlJobRows.micros(now));
    ins.executeUpdate();
    if (r == SignalResult.WOKE) {
      PreparedStatement wake = c.ps("UPDATE spindle_jobs SET " + SqlJobRows.moveTo(JobState.SCHEDULED, JobState.QUEUED)
          + ", run_at = ? WHERE id = ? AND state = " + SqlJobRows.SCHEDULED);
      wake.setLong(1, SqlJobRows.micros(now));
      wake.setLong(2, id);
      wake.executeUpdate();
    }
    return r;
  }

  private static void bind(PreparedStatement ps, JobRef job) throws SQLException {
    if (job.byUniqueKey()) {
      ps.setString(1, job.value());
    } else {
      ps.setLong(1, SqlJobRows.idOrNeg(job.value()));
    }
  }

  /** The state of a job not among the live rows (a store with a history keeps finished ones apart), or null. */
  private @Nullable JobState finished(JdbcConn c, JobRef job) throws SQLException {
    if (dialect.allJobs().equals("spindle_jobs")) {
      return null;
    }
    PreparedStatement ps = c.ps("SELECT state FROM " + dialect.allJobs() + " WHERE "
        + (job.byUniqueKey() ? "unique_key = ?" : "id = ?") + " LIMIT 1");
    bind(ps, job);
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? SqlJobRows.state(rs.getInt(1)) : null;
    }
  }

  /** Signals kept for the job that no record took yet. */
  private static int pending(JdbcConn c, long id) throws SQLException {
    PreparedStatement ps = c.ps("SELECT (SELECT count(*) FROM spindle_job_signals WHERE job_id = ?)"
        + " - (SELECT count(*) FROM spindle_job_steps WHERE job_id = ? AND kind = '" + StepRecord.Kind.SIGNAL.name()
        + "' AND result IS NOT NULL)");
    ps.setLong(1, id);
    ps.setLong(2, id);
    try (ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getInt(1);
    }
  }

  // ---------------------------------------------------------------- memoized results

  @Override
  public Optional<CachedResult> cached(String key, Instant callerNow) {
    long now = SqlJobRows.micros(StoreClock.read(clock, callerNow).now());
    return db.read("read a memoized result", c -> {
      PreparedStatement ps = c.ps("SELECT result, job_id, expires_at FROM spindle_durable_cache WHERE cache_key = ?"
          + " AND expires_at > ?");
      ps.setString(1, key);
      ps.setLong(2, now);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next()
            ? Optional.of(new CachedResult(key, rs.getString(1), rs.getString(2), SqlJobRows.instant(rs.getLong(3))))
            : Optional.empty();
      }
    });
  }

  @Override
  public void cache(CachedResult result, Instant callerNow) {
    Objects.requireNonNull(result, "result");
    StoreClock sc = StoreClock.read(clock, callerNow);
    long now = SqlJobRows.micros(sc.now());
    long expires = SqlJobRows.micros(sc.translate(result.expiresAt()));
    db.update("keep a memoized result", c -> {
      PreparedStatement expired = c.ps("DELETE FROM spindle_durable_cache WHERE expires_at <= ?");
      expired.setLong(1, now);
      expired.executeUpdate();
      PreparedStatement ps = c.ps("INSERT INTO spindle_durable_cache (cache_key, result, job_id, expires_at)"
          + " VALUES (?, ?, ?, ?)" + dialect.onConflictUpdate("cache_key") + "result = " + dialect.proposed("result")
          + ", job_id = " + dialect.proposed("job_id") + ", expires_at = " + dialect.proposed("expires_at"));
      ps.setString(1, result.key());
      ps.setString(2, result.resultJson());
      ps.setString(3, result.jobId());
      ps.setLong(4, expires);
      ps.executeUpdate();
    });
  }

  // ---------------------------------------------------------------- retention

  /**
   * Deletes the step and signal rows of jobs that no longer exist (retention, purge or delete took
   * them), up to {@link #SWEEP_BATCH} per table; the rest go at the next call.
   *
   * @return the rows deleted
   */
  public int sweep() {
    return db.write("delete the durable records of deleted jobs", c -> {
      int n = 0;
      for (String table : List.of("spindle_job_steps", "spindle_job_signals", "spindle_job_attempts")) {
        PreparedStatement ps = c.ps("DELETE FROM " + table + " WHERE job_id IN (" + dialect.limitedIds(
            "SELECT DISTINCT r.job_id AS id FROM " + table + " r WHERE NOT EXISTS (SELECT 1 FROM " + dialect.allJobs()
                + " j WHERE j.id = r.job_id) LIMIT " + SWEEP_BATCH) + ")");
        n += ps.executeUpdate();
      }
      return n;
    });
  }
}
