package dev.spindle.store.jdbc.internal;

import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.Completion;
import dev.spindle.store.jdbc.JdbcConn;
import dev.spindle.store.jdbc.JdbcDialect;
import dev.spindle.store.jdbc.internal.SqlCompletions.Applied;
import dev.spindle.store.jdbc.internal.SqlCompletions.Group;
import dev.spindle.store.jdbc.internal.SqlCompletions.Planned;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The completion writes of {@link JdbcDialect.Batching#ARRAY_ROUNDS}: a call's completions in
 * rounds of distinct jobs, each round one fenced statement per outcome (succeeded, retry, failed or
 * dead, cancelled, released) over the outcome's column arrays, each column bound as one array
 * parameter ({@link JdbcDialect#arrayParameter}), so a round costs one round trip per outcome
 * whatever its size. A job named twice in one call is completed by its first completion that is
 * fenced correctly, as if they came one after another. Finishing statements first evaluate the
 * store's {@link Host#finishLock}, then take their finish numbers in the statement ({@link
 * SqlJobEnds.Numbering#nextFinishSeq}), and say whether the jobs they finished have dependents
 * ({@link Host#hasDependents}, read after their updates; no extra round trip asks). The statements
 * use data-modifying {@code WITH} and {@code UPDATE ... FROM ... RETURNING}. Thread-safe (one instance serves every call; each call gets its own applier).
 *
 * @param <C> the connection type
 */
public final class SqlArrayWrites<C extends JdbcConn> implements SqlCompletions.Writes<C> {
  /** What a store adds to the array rounds. Implementations are thread-safe. */
  public interface Host<C extends JdbcConn> {
    /** A SQL expression a finishing statement evaluates once before it takes finish numbers (a lock), or {@code NULL}. */
    String finishLock();

    /**
     * SQL of a finishing statement's result column: true if any job of the rows its data-modifying
     * {@code WITH} query {@code cte} returned (their {@code id} column) has an edge to a dependent
     * or a waiter in {@code spindle_deps}. It must read with a snapshot taken after the statement
     * changed those rows, not the statement's own: a transaction that held a shared lock on such a
     * row (a suspension on the job, a new dependent) made the statement wait, and committed its edge
     * after the statement's snapshot was taken, so a plain {@code EXISTS} would miss it and its
     * waiter would sleep on.
     */
    String hasDependents(String cte);

    /**
     * Successes finished another way before the succeeded statement runs (PostgreSQL moves them to
     * its history), their ids; a second result column true sets {@code anyDeps[0]}. Default: none.
     *
     * @param again true when the call runs again after a failure ({@link SqlCompletions.Writes#runsAgain})
     */
    default Set<Long> finishSuccesses(C c, Columns successes, long now, boolean again, boolean[] anyDeps)
        throws SQLException {
      return Set.of();
    }

    /** The expiry times (us) of the successes the succeeded statement finished in place. Default: nothing. */
    default void finishedInPlace(List<Long> expiries, boolean again) {}

    /** After finished jobs' dependents were released. Default: nothing. */
    default void dependentsReleased() {}
  }

  private final JdbcDialect dialect;
  private final Host<C> host;
  /** The statements of {@link Group}'s outcomes in order, then the release. */
  private final String[] sql;
  private final String alreadySucceededSql;

  /** @throws IllegalArgumentException if {@code numbering} binds finish numbers as parameters */
  public SqlArrayWrites(JdbcDialect dialect, SqlJobEnds.Numbering<C> numbering, Host<C> host) {
    String seq = numbering.nextFinishSeq();
    if (seq.equals("?")) {
      throw new IllegalArgumentException("array rounds take finish numbers in the statement: nextFinishSeq is \"?\"");
    }
    this.dialect = dialect;
    this.host = host;
    String lock = host.finishLock();
    String set = ", finished_at = m.at, expires_at = m.at + ";
    this.sql = new String[] {
        finishing(lock, seq, SqlJobRows.moveTo(JobState.RUNNING, JobState.SUCCEEDED) + ", result = " + item("result")
            + set + SqlRules.ttlOf(JobState.SUCCEEDED), "result text", ""),
        batched("state = " + item("to_state") + ", failures = j.failures + 1, error = " + item("error") + ", run_at = "
            + item("run_at"), "to_state int2, error text, run_at int8", ""),
        finishing(lock, seq, "state = " + item("to_state") + ", failures = j.failures + " + item("inc") + ", error = "
            + item("error") + ", dead_reason = " + item("reason") + set + SqlRules.ttlOf(JobState.FAILED),
            "to_state int2, inc int4, error text, reason text", ""),
        finishing(lock, seq, SqlJobRows.moveTo(JobState.RUNNING, JobState.CANCELLED) + ", error = coalesce("
            + item("error") + ", j.error)" + set + SqlRules.ttlOf(JobState.CANCELLED), "error text, min_req int4",
            " AND j.cancel_requested >= " + item("min_req")),
        batched(SqlJobRows.moveTo(JobState.RUNNING, JobState.QUEUED) + ", attempt = " + dialect.greatest("j.attempt - 1",
            "0") + ", run_at = ?", "", " AND j.cancel_requested = 0")};
    this.alreadySucceededSql = "SELECT j.id FROM " + dialect.allJobs() + " j, " + batch(dialect, "") + " WHERE "
        + dialect.arrayContains("b.id", "j.id") + " AND j.fence = " + item("fence") + " AND j.worker_id = "
        + item("worker") + " AND j.state = " + SqlJobRows.SUCCEEDED;
  }

  /**
   * A batch's columns as one row of arrays, {@code b}: ids, fences and workers, then {@code columns}
   * ("name type, ...", types of {@link java.sql.Connection#createArrayOf}), each one array
   * parameter. A statement finds its rows by looking the ids up in the primary key ({@link #held})
   * and reads a row's own values with {@link #item}: whatever the table's statistics say, that is the
   * one plan (joined to the arrays unnested, a plan made while the table was empty read the whole
   * index at each call).
   */
  public static String batch(JdbcDialect dialect, String columns) {
    StringBuilder sql = new StringBuilder("(SELECT ").append(dialect.arrayParameter("int8")).append(" AS id, ")
        .append(dialect.arrayParameter("int8")).append(" AS fence, ").append(dialect.arrayParameter("text"))
        .append(" AS worker");
    if (!columns.isEmpty()) {
      for (String column : columns.split(", ")) {
        String[] nameType = column.split(" ");
        sql.append(", ").append(dialect.arrayParameter(nameType[1])).append(" AS ").append(nameType[0]);
      }
    }
    return sql.append(") AS b").toString();
  }

  /** The value of {@code column} of {@link #batch} for the row {@code j}. */
  private String item(String column) {
    return item(dialect, column);
  }

  /** The value of {@code column} of {@link #batch} for the row {@code j}. */
  public static String item(JdbcDialect dialect, String column) {
    return dialect.arrayElement("b." + column, "b.id", "j.id");
  }

  /**
   * SQL condition: the row {@code j} is one of the batch's, still held as named (RUNNING, with the
   * batch's fence and worker). The state is compared as {@code state + 0} so that the planner
   * cannot choose a partial index of running jobs, which with statistics counting none looks free to
   * read whole and holds the dead entries of every job run since the last vacuum.
   */
  public static String held(JdbcDialect dialect) {
    return dialect.arrayContains("b.id", "j.id") + " AND j.fence = " + item(dialect, "fence") + " AND j.worker_id = "
        + item(dialect, "worker") + " AND j.state + 0 = " + SqlJobRows.RUNNING;
  }

  /** An UPDATE of the batch's rows that applies one outcome; its one parameter before the arrays is now. */
  private String batched(String set, String columns, String extra) {
    return "UPDATE spindle_jobs j SET " + set + ", cancel_requested = 0 FROM " + batch(dialect, columns) + " WHERE "
        + held(dialect) + extra + " RETURNING j.id";
  }

  /**
   * An UPDATE that finishes the batch's rows still held as named: the store's {@code lock} is
   * evaluated first (its row exists before the update yields one, so before any finish number is
   * taken), then each row takes its number; the store's now is the one parameter before the arrays.
   * Returns the ids, whether any of them has dependents ({@link Host#hasDependents}), and the
   * expiry times.
   */
  private String finishing(String lock, String seq, String set, String columns, String extra) {
    return "WITH m AS MATERIALIZED (SELECT " + lock + " AS locked, CAST(? AS bigint) AS at),"
        + " upd AS (UPDATE spindle_jobs j SET " + set + ", cancel_requested = 0, finish_seq = " + seq
        + " FROM m, " + batch(dialect, columns) + " WHERE " + held(dialect) + extra + " RETURNING j.id, j.expires_at)"
        + " SELECT id, " + host.hasDependents("upd") + ", expires_at FROM upd";
  }

  /** The column arrays of one outcome's batch: ids, fences, workers, then up to four of its own. */
  public static final class Columns {
    private final List<Long> ids = new ArrayList<>();
    private final List<Long> fences = new ArrayList<>();
    private final List<String> workers = new ArrayList<>();
    private final List<List<Object>> extra = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
        new ArrayList<>());

    Columns() {}

    void add(Planned p, @Nullable Object... values) {
      ids.add(p.id());
      fences.add(p.completion().fence());
      workers.add(p.completion().workerId());
      for (int i = 0; i < values.length; i++) {
        extra.get(i).add(values[i]);
      }
    }

    /** How many jobs. */
    public int size() {
      return ids.size();
    }

    /** Binds ids, fences and workers from parameter {@code from}, then the own columns of {@code types}. */
    public void bind(JdbcConn c, PreparedStatement ps, int from, String... types) throws SQLException {
      ps.setArray(from, c.jdbc().createArrayOf("int8", ids.toArray()));
      ps.setArray(from + 1, c.jdbc().createArrayOf("int8", fences.toArray()));
      ps.setArray(from + 2, c.jdbc().createArrayOf("text", workers.toArray()));
      for (int i = 0; i < types.length; i++) {
        ps.setArray(from + 3 + i, c.jdbc().createArrayOf(types[i], extra.get(i).toArray()));
      }
    }

    /**
     * Runs {@code ps} (bound) and collects the ids it returned; a second column true sets {@code
     * anyDeps[0]}, a third is added to {@code expiries} (if not null).
     */
    public static Set<Long> run(PreparedStatement ps, boolean[] anyDeps, @Nullable List<Long>
        expiries) throws SQLException {
      Set<Long> out = new HashSet<>();
      try (ResultSet rs = ps.executeQuery()) {
        int columns = rs.getMetaData().getColumnCount();
        while (rs.next()) {
          out.add(rs.getLong(1));
          if (columns > 1 && rs.getBoolean(2)) {
            anyDeps[0] = true;
          }
          if (columns > 2 && expiries != null) {
            expiries.add(rs.getLong(3));
          }
        }
      }
      return out;
    }
  }

  /** A new applier for the call. */
  @Override
  public SqlCompletions.Applier<C> start(C c, boolean again) {
    return new Call(again);
  }

  /** One call's writes: rounds of distinct jobs. */
  private final class Call implements SqlCompletions.Applier<C> {
    private final boolean again;
    private final boolean[] anyDeps = new boolean[1]; // told by the finishing statements
    /** Jobs this call already completed: a second completion of one is refused. */
    private final Set<Long> appliedInCall = new HashSet<>();

    Call(boolean again) {
      this.again = again;
    }

    @Override
    public Applied[] apply(C c, List<Planned> planned, long now) throws SQLException {
      Map<Long, Integer> seen = new HashMap<>();
      List<List<Integer>> rounds = new ArrayList<>();
      for (int i = 0; i < planned.size(); i++) {
        int r = seen.merge(planned.get(i).id(), 1, Integer::sum) - 1;
        if (r == rounds.size()) {
          rounds.add(new ArrayList<>());
        }
        rounds.get(r).add(i);
      }
      Applied[] out = new Applied[planned.size()];
      for (List<Integer> round : rounds) {
        List<Planned> part = new ArrayList<>(round.size());
        for (int i : round) {
          part.add(planned.get(i));
        }
        Applied[] ok = round(c, part, now);
        for (int k = 0; k < round.size(); k++) {
          out[round.get(k)] = ok[k];
          if (ok[k] != Applied.NO) {
            appliedInCall.add(part.get(k).id());
          }
        }
      }
      return out;
    }

    /** Applies planned completions of distinct jobs; per completion, how it turned out. */
    private Applied[] round(C c, List<Planned> planned, long now) throws SQLException {
      Columns[] groups = {new Columns(), new Columns(), new Columns(), new Columns(), new Columns()};
      for (Planned p : planned) {
        Completion k = p.completion();
        switch (p.group()) {
          case SUCCEEDED -> groups[0].add(p, k.resultJson());
          case RETRY -> groups[1].add(p, (short) SqlJobRows.code(p.to()), k.errorJson(), p.runAtUs());
          case FAILED -> groups[2].add(p, (short) SqlJobRows.code(p.to()), p.failureIncrement(), k.errorJson(),
              p.deadReason());
          case CANCELLED -> {
            // a released job whose cancel was requested is cancelled instead of running again
            groups[3].add(p, k.errorJson(), p.release() ? 1 : 0);
            if (p.release()) {
              groups[4].add(p);
            }
          }
        }
      }
      List<Set<Long>> done = new ArrayList<>(List.of(Set.of(), Set.of(), Set.of(), Set.of(), Set.of()));
      Set<Long> repeated = Set.of();
      if (groups[0].size() > 0) {
        Set<Long> succeeded = new HashSet<>(host.finishSuccesses(c, groups[0], now, again, anyDeps));
        if (succeeded.size() < groups[0].size()) {
          List<Long> expiries = new ArrayList<>();
          succeeded.addAll(run(c, 0, groups[0], now, expiries, "text"));
          host.finishedInPlace(expiries, again);
        }
        done.set(0, succeeded);
        if (succeeded.size() < groups[0].size()) {
          repeated = alreadySucceeded(c, groups[0]);
        }
      }
      done.set(1, run(c, 1, groups[1], null, null, "int2", "text", "int8"));
      done.set(2, run(c, 2, groups[2], now, null, "int2", "int4", "text", "text"));
      done.set(3, run(c, 3, groups[3], now, null, "text", "int4"));
      done.set(4, run(c, 4, groups[4], now, null));
      Applied[] out = new Applied[planned.size()];
      for (int i = 0; i < out.length; i++) {
        Planned p = planned.get(i);
        boolean ok = done.get(p.group().ordinal()).contains(p.id());
        boolean released = p.release() && done.get(4).contains(p.id());
        // a retry of a success whose commit was cut off (counted when it first committed); not a
        // second completion of the same job within this call
        boolean earlier = p.group() == Group.SUCCEEDED && !ok && repeated.contains(p.id())
            && !appliedInCall.contains(p.id());
        out[i] = ok ? Applied.MOVED : released || earlier ? Applied.OTHERWISE : Applied.NO;
      }
      return out;
    }

    /** Runs statement {@code s} over {@code g} (nothing if empty), {@code now} its first parameter if not null. */
    private Set<Long> run(C c, int s, Columns g, @Nullable Long now,
        @Nullable List<Long> expiries, String... types) throws SQLException {
      if (g.size() == 0) {
        return Set.of();
      }
      PreparedStatement ps = c.ps(sql[s]);
      int from = 1;
      if (now != null) {
        ps.setLong(from++, now);
      }
      g.bind(c, ps, from, types);
      return Columns.run(ps, anyDeps, expiries);
    }

    /**
     * The jobs of a success batch that this very claim (same fence, same worker) already moved to
     * SUCCEEDED: a completion whose commit was cut off (connection lost during COMMIT) is retried by
     * the worker, and then finds its own earlier commit. Only SUCCEEDED is unambiguous (no other path
     * sets it); read only when a batch was not fully applied.
     */
    private Set<Long> alreadySucceeded(C c, Columns g) throws SQLException {
      PreparedStatement ps = c.ps(alreadySucceededSql);
      g.bind(c, ps, 1);
      Set<Long> out = new HashSet<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getLong(1));
        }
      }
      return out;
    }

    @Override
    public boolean anyDependencies(C c, SqlDependencies<C> deps) {
      return anyDeps[0];
    }

    @Override
    public void dependentsReleased() {
      host.dependentsReleased();
    }
  }
}
