package dev.spindle.store.mariadb;

import dev.spindle.store.jdbc.internal.SqlEnqueue;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;

/**
 * How the MariaDB store inserts jobs for the shared enqueue path ({@link SqlEnqueue}): ids from the
 * sequence {@code spindle_job_ids} (several per round trip through the Sequence engine's {@code
 * seq_1_to_N}), the trace context in the job's row, nothing locked beforehand (concurrent enqueues
 * of one key's rotation row in another order deadlock at worst, and are retried). Stateless.
 */
final class MariaDbEnqueue implements SqlEnqueue.Rows<MariaDbDb.Conn> {
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
}
