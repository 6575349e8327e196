package dev.spindle.store.jdbc.internal;

import dev.spindle.queue.StoreException;
import dev.spindle.queue.spi.StepRecord;
import dev.spindle.store.jdbc.JdbcConn;
import dev.spindle.store.jdbc.JdbcDialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Group commit of step records for {@link JdbcDialect.Batching#ARRAY_ROUNDS}: the records that
 * running jobs write at the same moment go to the store as one fenced {@code INSERT ... SELECT}
 * over column arrays ({@link SqlArrayWrites#batch}, the completions' shape), in auto-commit, which
 * returns the jobs whose record it inserted. Each caller waits for its own outcome, so a record is
 * committed before {@link #insert} returns true, as with a statement of its own.
 *
 * <p>No thread of its own: the first caller that finds nobody writing leads, writing rounds of
 * distinct jobs (every record queued while a round is in flight joins the next) until its own
 * record is written, then hands the lead to a waiting caller. Only the fence and the record's key
 * are checked here; a record the statement did not insert (fenced, already there) or a round that
 * failed is answered {@code false}, and the caller then writes that record alone, which explains
 * why. Thread-safe.
 *
 * @param <C> the connection type
 */
final class SqlStepBatches<C extends JdbcConn> {
  /** The most records one statement takes. */
  static final int MAX_ROUND = 256;

  private static final String COLUMNS = "name text, occurrence int4, seq int4, kind text, result text, rfence int8,"
      + " attempt int4, took int8, at int8, bytes int4";

  /** The array types of the statement's parameters: ids, fences, workers, then {@link #COLUMNS}. */
  private static final String[] TYPES = {"int8", "int8", "text", "text", "int4", "int4", "text", "text", "int8",
      "int4", "int8", "int8", "int4"};

  private final SqlDb<C> db;
  private final String sql;
  private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean leading = new AtomicBoolean();

  SqlStepBatches(SqlDb<C> db, JdbcDialect dialect) {
    this.db = db;
    String values = String.join(", ", item(dialect, "name"), item(dialect, "occurrence"), item(dialect, "seq"),
        item(dialect, "kind"), item(dialect, "result"), item(dialect, "rfence"), item(dialect, "attempt"),
        item(dialect, "took"), item(dialect, "at"), item(dialect, "bytes"));
    this.sql = dialect.insertSelectIgnoring("spindle_job_steps", SqlDurable.INSERT_COLUMNS, "SELECT j.id, " + values
        + " FROM spindle_jobs j, " + SqlArrayWrites.batch(dialect, COLUMNS) + " WHERE "
        + SqlArrayWrites.held(dialect) + dialect.forShare() + (dialect.forShare().isEmpty() ? "" : " OF j"),
        "job_id, name, occurrence") + " RETURNING job_id";
  }

  private static String item(JdbcDialect dialect, String column) {
    return SqlArrayWrites.item(dialect, column);
  }

  /**
   * Inserts {@code stored} for job {@code id} if the job is RUNNING under {@code workerId} and
   * {@code fence} and no record has its key, in one statement with the records other callers write
   * at the moment; returns once that statement committed or failed.
   *
   * @return whether the record was inserted (false: not inserted, or the statement failed)
   */
  boolean insert(long id, long fence, String workerId, StepRecord stored) {
    Pending p = new Pending(id, fence, workerId, stored);
    queue.add(p);
    boolean interrupted = false;
    while (p.outcome == Pending.WAITING) {
      if (leading.compareAndSet(false, true)) {
        lead(p);
      } else {
        LockSupport.park(this);
        if (Thread.interrupted()) {
          interrupted = true; // the record may be committing: its outcome is still awaited
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return p.outcome == Pending.INSERTED;
  }

  /** Writes rounds until {@code own} has its outcome, then hands the lead to a waiting caller. */
  private void lead(Pending own) {
    try {
      while (own.outcome == Pending.WAITING) {
        List<Pending> round = round();
        if (round.isEmpty()) {
          break; // own was taken by an earlier leader's round
        }
        write(round);
      }
    } finally {
      leading.set(false);
      Pending next = queue.peek();
      if (next != null) {
        LockSupport.unpark(next.waiter); // it leads, or another caller already does
      }
    }
  }

  /** Up to {@link #MAX_ROUND} queued records of distinct jobs, in order; a job's later record waits. */
  private List<Pending> round() {
    List<Pending> round = new ArrayList<>();
    Set<Long> ids = new HashSet<>();
    List<Pending> later = null;
    Pending p;
    while (round.size() < MAX_ROUND && (p = queue.poll()) != null) {
      if (ids.add(p.id)) {
        round.add(p);
      } else {
        if (later == null) {
          later = new ArrayList<>();
        }
        later.add(p);
      }
    }
    if (later != null) {
      queue.addAll(later);
    }
    return round;
  }

  private void write(List<Pending> round) {
    Set<Long> inserted;
    try {
      inserted = db.writeOne("record the steps of running jobs", c -> run(c, round));
    } catch (StoreException e) {
      inserted = Set.of(); // each caller writes its record alone, and sees its own error
    }
    for (Pending p : round) {
      p.outcome = inserted.contains(p.id) ? Pending.INSERTED : Pending.NOT_INSERTED;
      LockSupport.unpark(p.waiter);
    }
  }

  /**
   * Binds the round as typed column arrays ({@code Long[]}, {@code Integer[]}, {@code String[]}, not
   * {@code Object[]}): a driver encodes a typed array directly (PostgreSQL's in binary), where an
   * {@code Object[]} is looked at element by element and sent as text.
   */
  private Set<Long> run(C c, List<Pending> round) throws SQLException {
    int n = round.size();
    Long[] ids = new Long[n];
    Long[] fences = new Long[n];
    String[] workers = new String[n];
    String[] names = new String[n];
    Integer[] occurrences = new Integer[n];
    Integer[] sequences = new Integer[n];
    String[] kinds = new String[n];
    String[] results = new String[n];
    Long[] recordFences = new Long[n];
    Integer[] attempts = new Integer[n];
    Long[] took = new Long[n];
    Long[] at = new Long[n];
    Integer[] bytes = new Integer[n];
    for (int i = 0; i < n; i++) {
      Pending p = round.get(i);
      StepRecord r = p.stored;
      ids[i] = p.id;
      fences[i] = p.fence;
      workers[i] = p.workerId;
      names[i] = r.name();
      occurrences[i] = r.occurrence();
      sequences[i] = r.sequence();
      kinds[i] = r.kind().name();
      results[i] = r.resultJson();
      recordFences[i] = r.fence();
      attempts[i] = r.attempt();
      took[i] = r.tookMillis();
      at[i] = SqlJobRows.micros(r.recordedAt());
      bytes[i] = r.resultBytes();
    }
    Object[][] columns = {ids, fences, workers, names, occurrences, sequences, kinds, results, recordFences, attempts,
        took, at, bytes};
    PreparedStatement ps = c.ps(sql);
    Connection jdbc = c.jdbc();
    for (int k = 0; k < columns.length; k++) {
      ps.setArray(k + 1, jdbc.createArrayOf(TYPES[k], columns[k]));
    }
    Set<Long> inserted = new HashSet<>(n * 2);
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        inserted.add(rs.getLong(1));
      }
    }
    return inserted;
  }

  /** One caller's record and, once written, its outcome. */
  private static final class Pending {
    static final int WAITING = 0;
    static final int INSERTED = 1;
    static final int NOT_INSERTED = 2;

    final long id;
    final long fence;
    final String workerId;
    final StepRecord stored;
    final Thread waiter = Thread.currentThread();
    volatile int outcome = WAITING;

    Pending(long id, long fence, String workerId, StepRecord stored) {
      this.id = id;
      this.fence = fence;
      this.workerId = workerId;
      this.stored = stored;
    }
  }
}
