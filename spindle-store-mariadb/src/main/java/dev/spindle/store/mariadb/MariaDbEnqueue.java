package dev.spindle.store.mariadb;

import dev.spindle.queue.spi.NewJob;
import dev.spindle.store.jdbc.internal.SqlEnqueue;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * How the MariaDB store inserts jobs for the shared enqueue path ({@link SqlEnqueue}): ids from the
 * sequence {@code spindle_job_ids} (several per round trip through the Sequence engine's {@code
 * seq_1_to_N}), the trace context in the job's row. Stateless.
 */
final class MariaDbEnqueue implements SqlEnqueue.Rows<MariaDbDb.Conn> {
  private static final String INSERT_JOB = "INSERT INTO spindle_jobs (id, task, queue, state, priority, args,"
      + " unique_key, created_at, run_at, policy_id, flow_key, trace_context) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

  @Override
  public String insertJob() {
    return INSERT_JOB;
  }

  @Override
  public long[] newIds(MariaDbDb.Conn c, int n) throws SQLException {
    long[] out = new long[n];
    int i = 0;
    while (i < n) {
      int chunk = Math.min(n - i, 10_000);
      String sql = chunk == 1 ? "SELECT NEXTVAL(spindle_job_ids)"
          : "SELECT NEXTVAL(spindle_job_ids) FROM seq_1_to_" + chunk;
      try (ResultSet rs = c.ps(sql).executeQuery()) {
        while (rs.next()) {
          out[i++] = rs.getLong(1);
        }
      }
    }
    Arrays.sort(out);
    return out;
  }

  /** Nothing: concurrent enqueues of one key's rotation row in another order deadlock at worst, and are retried. */
  @Override
  public void beforeInsert(MariaDbDb.Conn c, List<NewJob> jobs) {}

  /** None: the trace context is a column of the job's row. */
  @Override
  public SqlEnqueue.@Nullable Traces traces(MariaDbDb.Conn c, boolean big) {
    return null;
  }
}
