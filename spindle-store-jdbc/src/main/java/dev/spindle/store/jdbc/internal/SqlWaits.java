package dev.spindle.store.jdbc.internal;

import dev.spindle.queue.DurableRules;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.DependencyEnd;
import dev.spindle.queue.spi.WaitFor;
import dev.spindle.spi.JsonCodec;
import dev.spindle.store.jdbc.JdbcConn;
import dev.spindle.store.jdbc.JdbcDialect;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * How a job row keeps its {@link WaitFor}: {@code wait_kind} holds the kind's name, {@code wait_for}
 * the rest as JSON ({@code {"signal":..,"number":..,"sequence":..,"untilUs":..}}, the time in
 * microseconds on the store's clock; for a job wait {@code signal} holds the awaited job's id).
 *
 * <p>A job suspended on another job's end ({@link WaitFor.Kind#JOB}) is also a <em>wake edge</em> in
 * {@code spindle_deps}: parent the awaited job, child the waiter, policy {@link #WAKE_EDGE}, position
 * {@link #WAKE_POSITION}. So the dependents check every end already makes ({@link SqlDependencies})
 * finds it, and jobs nobody waits for pay nothing more; the end wakes the waiter (SCHEDULED to QUEUED)
 * and deletes the edge in its own transaction. Wake edges are no dependencies: the dependency logic
 * and its views skip them. Stateless.
 *
 * <p><b>The race with the end.</b> The suspension reads the awaited job's row as a new dependent does
 * ({@link JdbcDialect#forShare}) and adds its edge under that lock; the end updates the row, then
 * looks for edges from it. With one writer (SQLite) the two transactions never overlap. Where
 * writers run concurrently (READ COMMITTED):
 *
 * <ul>
 *   <li>The end locked the row first: the suspension's locking read waits for the end's commit and
 *       then returns the row's newest version, ended (or, on PostgreSQL, no row: the job moved to
 *       the history, read next with a fresh snapshot), so the waiter stays QUEUED and no edge is
 *       added.
 *   <li>The suspension locked the row first: the end's UPDATE waits for its commit, so the edge is
 *       committed before the end changes the row, and the end's look for edges must read with a
 *       snapshot taken after that. On MariaDB it does: every later statement of the end reads with
 *       a fresh snapshot ({@link SqlDependencies#any}, then locking reads), and InnoDB queues a
 *       shared lock behind a waiting writer anyway. On PostgreSQL a shared lock is granted past a
 *       waiting writer, and the end's finishing statement began (took its snapshot) before the
 *       suspension committed: an {@code EXISTS} inside that statement missed the edge, and the
 *       waiter slept until its timeout (a new dependent: for good). So the finishing statements
 *       read whether their jobs have dependents with a function of their own snapshot, called after
 *       their last row update ({@link SqlArrayWrites.Host#hasDependents}), and a success the
 *       statement deleted with no history row although such an edge turned up runs again.
 * </ul>
 *
 * {@code DurableAwaitRaceContract} forces both orders with row locks held from a test connection.
 */
final class SqlWaits {
  private static final JsonCodec JSON = JsonCodec.defaults();

  /** The JSON form of {@code wait_for}. */
  record Stored(@Nullable String signal, int number, int sequence, long untilUs) {}

  /** The policy code of a wake edge (the dependency policies are 0 to 3). */
  static final int WAKE_EDGE = 9;
  /** The position of a wake edge: below every input and added dependency. */
  static final int WAKE_POSITION = -9;
  /** SQL that leaves wake edges out of a query on {@code spindle_deps} aliased {@code d}, or unaliased. */
  static final String NOT_WAKE = " AND policy <> " + WAKE_EDGE;

  private SqlWaits() {}

  /**
   * For a job wait: true if the awaited job has ended or is gone ({@link DurableRules#awaitedIsOver}:
   * the waiter stays QUEUED); else adds the wake edge from it to {@code waiter}. Inside the
   * suspension's transaction.
   */
  static boolean awaitedIsOver(JdbcConn c, JdbcDialect dialect, long waiter, WaitFor wait) throws SQLException {
    String target = wait.job();
    if (target == null) {
      return false;
    }
    long t = SqlJobRows.idOrNeg(target);
    if (DurableRules.awaitedIsOver(stateOf(c, dialect, t, dialect.forShare()))) {
      return true;
    }
    deleteWakeEdge(c, t, waiter);
    PreparedStatement edge = c.ps("INSERT INTO spindle_deps (parent, child, policy, position) VALUES (?, ?, "
        + WAKE_EDGE + ", " + WAKE_POSITION + ")");
    edge.setLong(1, t);
    edge.setLong(2, waiter);
    edge.executeUpdate();
    return false;
  }

  /** Deletes the wake edge from job {@code target} to {@code waiter}, if there is one. */
  private static void deleteWakeEdge(JdbcConn c, long target, long waiter) throws SQLException {
    PreparedStatement gone = c.ps("DELETE FROM spindle_deps WHERE parent = ? AND child = ? AND policy = "
        + WAKE_EDGE);
    gone.setLong(1, target);
    gone.setLong(2, waiter);
    gone.executeUpdate();
  }

  /** The state of job {@code id} (its live row read with {@code lock}, else its finished row), or null. */
  static @Nullable JobState stateOf(JdbcConn c, JdbcDialect dialect, long id, String lock) throws SQLException {
    DependencyEnd e = endOf(c, dialect, id, lock);
    return e == null ? null : e.state();
  }

  /** Job {@code id}'s state, result and error (its live row read with {@code lock}, else its finished row), or null. */
  static @Nullable DependencyEnd endOf(JdbcConn c, JdbcDialect dialect, long id, String lock) throws SQLException {
    DependencyEnd e = endIn(c, "spindle_jobs", id, lock);
    return e != null || dialect.allJobs().equals("spindle_jobs") ? e : endIn(c, dialect.allJobs(), id, "");
  }

  private static @Nullable DependencyEnd endIn(JdbcConn c, String table, long id, String lock) throws SQLException {
    PreparedStatement ps = c.ps("SELECT state, result, error FROM " + table + " WHERE id = ?" + lock);
    ps.setLong(1, id);
    try (ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        return null;
      }
      JobState s = SqlJobRows.state(rs.getInt(1));
      return new DependencyEnd(Long.toString(id), s, s.isTerminal() ? rs.getString(2) : null,
          s.isTerminal() ? rs.getString(3) : null);
    }
  }

  /**
   * Job {@code target} ended (its wake edge to {@code waiter} was told): deletes the edge and moves
   * the waiter SCHEDULED to QUEUED if it is still suspended on that end. Inside the end's transaction.
   *
   * @return true if the waiter was woken
   */
  static boolean wake(JdbcConn c, long target, long waiter, Instant now) throws SQLException {
    deleteWakeEdge(c, target, waiter);
    PreparedStatement ps = c.ps("SELECT wait_kind, wait_for FROM spindle_jobs WHERE id = ? AND state = "
        + SqlJobRows.SCHEDULED);
    ps.setLong(1, waiter);
    WaitFor wait;
    try (ResultSet rs = ps.executeQuery()) {
      wait = rs.next() ? read(rs.getString(1), rs.getString(2)) : null;
    }
    if (wait == null || !wait.wokenByEndOf(Long.toString(target))) {
      return false;
    }
    PreparedStatement move = c.ps("UPDATE spindle_jobs SET " + SqlJobRows.moveTo(JobState.SCHEDULED, JobState.QUEUED)
        + ", run_at = ? WHERE id = ? AND state = " + SqlJobRows.SCHEDULED);
    move.setLong(1, SqlJobRows.micros(now));
    move.setLong(2, waiter);
    return move.executeUpdate() > 0;
  }

  /** The {@code wait_for} text of {@code wait}. */
  static String json(WaitFor wait) {
    return JSON.toJson(new Stored(wait.signal(), wait.number(), wait.sequence(), SqlJobRows.micros(wait.until())),
        "a job's wait");
  }

  /** The wait kept in a row's columns, or null if it has none. */
  static @Nullable WaitFor read(@Nullable String kind, @Nullable String json) {
    if (kind == null || json == null) {
      return null;
    }
    Stored s = JSON.fromJson(json, Stored.class, "a job's wait");
    Instant until = SqlJobRows.instant(s.untilUs());
    return new WaitFor(WaitFor.Kind.valueOf(kind), s.signal(), s.number(), s.sequence(), until);
  }
}
