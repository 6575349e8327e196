package dev.spindle.store.jdbc.internal;

import dev.spindle.queue.JobPolicy;
import dev.spindle.store.jdbc.JdbcConn;
import dev.spindle.store.jdbc.JdbcDialect;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The job policies of a SQL store ({@code spindle_policies}: one row per distinct policy, jobs
 * refer to it by id), cached both ways: a policy's id once it is committed, and the policy of an
 * id once read. Thread-safe.
 */
public final class SqlPolicies {
  private final ConcurrentHashMap<JobPolicy, Long> ids = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Long, JobPolicy> byId = new ConcurrentHashMap<>();
  private final String insertSql;

  /** Policies of a store in {@code dialect}. */
  public SqlPolicies(JdbcDialect dialect) {
    this.insertSql = dialect.insertIgnoring("spindle_policies", "json, max_lost, result_ttl_us, failure_ttl_us",
        "(?, ?, ?, ?)", "json");
  }

  /**
   * The id of {@code p}, recorded in this transaction if it is new ({@code created} collects those:
   * pass them to {@link #committed} once the transaction commits).
   */
  public long id(JdbcConn c, JobPolicy p, Map<JobPolicy, Long> created) throws SQLException {
    Long id = ids.get(p);
    if (id == null) {
      id = created.get(p);
    }
    if (id != null) {
      return id;
    }
    String json = p.toJson();
    PreparedStatement ins = c.ps(insertSql);
    ins.setString(1, json);
    ins.setInt(2, p.maxWorkerLost());
    ins.setLong(3, SqlJobRows.micros(p.resultTtl()));
    ins.setLong(4, SqlJobRows.micros(p.failureTtl()));
    ins.executeUpdate();
    PreparedStatement sel = c.ps("SELECT id FROM spindle_policies WHERE json = ?");
    sel.setString(1, json);
    try (ResultSet rs = sel.executeQuery()) {
      rs.next();
      id = rs.getLong(1);
    }
    created.put(p, id);
    return id;
  }

  /** The id of {@code p} if a committed transaction recorded it (known here); else null. */
  public @Nullable Long recordedId(JobPolicy p) {
    return ids.get(p);
  }

    /** Remembers the ids a committed transaction recorded. */
  public void committed(Map<JobPolicy, Long> created) {
    ids.putAll(created);
  }

  /**
   * The policy of id {@code id}.
   *
   * @throws SQLException if no such policy is stored
   */
  public JobPolicy get(JdbcConn c, long id) throws SQLException {
    JobPolicy p = byId.get(id);
    if (p != null) {
      return p;
    }
    PreparedStatement ps = c.ps("SELECT json FROM spindle_policies WHERE id = ?");
    ps.setLong(1, id);
    try (ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        throw new SQLException("job policy " + id + " is missing from the database");
      }
      p = JobPolicy.fromJson(rs.getString(1));
    }
    byId.put(id, p);
    return p;
  }
}
