package dev.spindle.store.sqlite;

import dev.spindle.queue.spi.NewJob;
import dev.spindle.store.jdbc.internal.SqlEnqueue;
import dev.spindle.store.jdbc.internal.SqlMeta;
import dev.spindle.store.jdbc.internal.SqlReturningClaims;
import dev.spindle.store.jdbc.internal.TraceContextColumn;
import dev.spindle.store.sqlite.internal.Db;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * How {@link SqliteJobStore} inserts jobs for the engine's enqueue path ({@link SqlEnqueue}): ids
 * follow the highest ever used (the live maximum, or the floor deletions record, so ids are never
 * reused; enqueues only read it and write no counter row), and trace contexts go to their own
 * table. Thread-safe.
 */
final class SqliteEnqueue implements SqlEnqueue.Rows<Db.Conn> {
  private static final String INSERT_JOB = "INSERT INTO spindle_jobs (id, task, queue, state, priority, args,"
      + " unique_key, created_at, run_at, policy_id, flow_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

  private final SqlReturningClaims<Db.Conn> claims;

  /** @param claims told of jobs about to be inserted, so that it looks for their keys again */
  SqliteEnqueue(SqlReturningClaims<Db.Conn> claims) {
    this.claims = claims;
  }

  @Override
  public String insertJob() {
    return INSERT_JOB;
  }

  @Override
  public long[] newIds(Db.Conn c, int n) throws SQLException {
    long last = SqlMeta.get(c, "job_id");
    try (ResultSet rs = c.ps("SELECT max(id) FROM spindle_jobs").executeQuery()) {
      last = Math.max(last, rs.next() ? rs.getLong(1) : 0);
    }
    long[] ids = new long[n];
    for (int i = 0; i < n; i++) {
      ids[i] = ++last;
    }
    return ids;
  }

  @Override
  public void beforeInsert(Db.Conn c, List<NewJob> jobs) {
    claims.inserting(jobs);
  }

  @Override
  public SqlEnqueue.Traces traces(Db.Conn c, boolean big) {
    return new TraceContextColumn.Batch(c, big);
  }
}
