package dev.spindle.store.postgres;

import dev.spindle.queue.spi.FlowControl;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.store.jdbc.internal.SqlEnqueue;
import dev.spindle.store.postgres.internal.Db;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * How {@link PostgresJobStore} inserts jobs for the shared enqueue path ({@link SqlEnqueue}): ids
 * from the sequence {@code spindle_job_ids} (taken by the INSERT itself for a job enqueued alone), the trace context in the job's row, and the fair
 * rotation's rows of the batch's flow keys locked in one order first. Stateless.
 */
final class PostgresEnqueue implements SqlEnqueue.Rows<Db.Conn> {
  /** One job's row with its id from the sequence, returned. */
  private static final String INSERT_ALONE = JOB_ROW_WITH_TRACE.replace("VALUES (?, ", "VALUES (nextval('spindle_job_ids'), ")
      + " RETURNING id";

  @Override
  public String insertAlone() {
    return INSERT_ALONE;
  }

    /** {@code n} new job ids, ascending. */
  @Override
  public long[] newIds(Db.Conn c, int n) throws SQLException {
    PreparedStatement ps = c.ps("SELECT nextval('spindle_job_ids') FROM generate_series(1, ?)");
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
  public void beforeInsert(Db.Conn c, List<NewJob> jobs) throws SQLException {
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
    PreparedStatement ps = c.ps("INSERT INTO spindle_flow_ready (queue, key, ready, served)"
        + " SELECT q, k, 0, 0 FROM unnest(?::text[], ?::text[]) AS t(q, k) ORDER BY q COLLATE \"C\", k COLLATE \"C\""
        + " ON CONFLICT (queue, key) DO UPDATE SET ready = spindle_flow_ready.ready");
    ps.setArray(1, c.jdbc().createArrayOf("text", qs));
    ps.setArray(2, c.jdbc().createArrayOf("text", ks));
    ps.executeUpdate();
  }
}
