package dev.spindle.store.jdbc.internal;

import dev.spindle.queue.spi.FlowControl;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.store.jdbc.JdbcConn;
import dev.spindle.store.jdbc.JdbcDialect;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * How a database that binds SQL arrays (PostgreSQL and its kin) inserts jobs for the shared
 * enqueue path ({@link SqlEnqueue}): ids from the dialect's id expression ({@link
 * JdbcDialect.SetBasedSql#nextJobId}, taken by the INSERT itself for a job enqueued alone), the
 * trace context in the job's row, and the fair rotation's rows of the batch's flow keys locked in
 * one order first. Stateless and thread-safe.
 *
 * @param <C> the store's connection type
 */
public final class SqlArrayEnqueue<C extends JdbcConn> implements SqlEnqueue.Rows<C> {
  private final String insertAlone;
  private final String newIds;
  private final String lockFlowKeys;

  /** The statements in {@code dialect}'s SQL. */
  public SqlArrayEnqueue(JdbcDialect dialect) {
    JdbcDialect.SetBasedSql sql = dialect.setBasedSql();
    this.insertAlone = JOB_ROW_WITH_TRACE.replace("VALUES (?, ", "VALUES (" + sql.nextJobId() + ", ") + " RETURNING id";
    this.newIds = "SELECT " + sql.nextJobId() + " FROM generate_series(1, ?)";
    String text = dialect.arrayParameter("text");
    this.lockFlowKeys = "INSERT INTO spindle_flow_ready (queue, key, ready, served) SELECT q, k, 0, 0 FROM unnest("
        + text + ", " + text + ") AS t(q, k) ORDER BY q " + sql.byteOrder() + ", k " + sql.byteOrder()
        + " ON CONFLICT (queue, key) DO UPDATE SET ready = spindle_flow_ready.ready";
  }

  /** One job's row with its id from the dialect's id expression, returned. */
  @Override
  public String insertAlone() {
    return insertAlone;
  }

  /** {@code n} new job ids, ascending. */
  @Override
  public long[] newIds(C c, int n) throws SQLException {
    PreparedStatement ps = c.ps(newIds);
    ps.setInt(1, n);
    long[] out = new long[n];
    int i = 0;
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out[i++] = rs.getLong(1);
      }
    }
    Arrays.sort(out);
    return out;
  }

  /**
   * Locks the fair-rotation rows ({@code spindle_flow_ready}) of the batch's ready keyed jobs in one
   * order (queue, key) before the insert's triggers update them in the batch's order: concurrent
   * enqueues of the same keys in different orders would otherwise deadlock.
   */
  @Override
  public void beforeInsert(C c, List<NewJob> jobs) throws SQLException {
    TreeSet<String> pairs = null; // made for keyed batches only
    for (NewJob j : jobs) {
      if (j.flowKey() != null && !FlowControl.isBad(j.flowKey()) && !j.isDelayed() && !j.hasDependencies()) {
        pairs = pairs == null ? new TreeSet<>() : pairs;
        pairs.add(j.queue() + "\u0000" + j.flowKey());
      }
    }
    if (pairs == null || (pairs.size() == 1 && jobs.size() == 1)) {
      return; // one key: the trigger takes the one lock
    }
    String[] qs = new String[pairs.size()];
    String[] ks = new String[pairs.size()];
    int i = 0;
    for (String p : pairs) {
      int z = p.indexOf('\u0000');
      qs[i] = p.substring(0, z);
      ks[i++] = p.substring(z + 1);
    }
    PreparedStatement ps = c.ps(lockFlowKeys);
    ps.setArray(1, c.jdbc().createArrayOf("text", qs));
    ps.setArray(2, c.jdbc().createArrayOf("text", ks));
    ps.executeUpdate();
  }

  /** The statement locking the batch's flow keys' rows (parameters: queues, keys, as text arrays). */
  public String lockFlowKeys() {
    return lockFlowKeys;
  }

  /** The statement taking {@code n} new ids (parameter: n). */
  public String newIdsSql() {
    return newIds;
  }
}
