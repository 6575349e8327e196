package dev.spindle.store.jdbc.internal;

import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.store.jdbc.JdbcConn;
import dev.spindle.store.jdbc.JdbcDialect;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link JobFilter} as SQL over {@code spindle_jobs}, newest first: the rows to read ({@link
 * #from}), the conditions to append after a {@code WHERE} that has at least one condition ({@link
 * #where}, each starting with {@code AND}), their arguments in order, and the id column to order and
 * page by ({@link #id}). Immutable.
 *
 * <p>Text goes through the dialect's {@link JdbcDialect#textMatch}. Unless a text index drives the
 * rows, a created or finished time range becomes an id range first (ids grow with enqueue order):
 * the lowest and highest id in it come from the time's index, then rows are walked by id within them.
 *
 * @param from the FROM source
 * @param where the conditions, each starting with {@code " AND "}
 * @param args the arguments of {@code where}, in order
 * @param id the id column of {@code from} to order and page by
 */
public record SqlFilter(String from, String where, List<Object> args, String id) {
  /** Copies the arguments. */
  public SqlFilter {
    args = List.copyOf(args);
  }

  /** The SQL of {@code f} in {@code dialect}, over every job ({@link JdbcDialect#allJobs}). */
  public static SqlFilter of(JobFilter f, JdbcDialect dialect) {
    return of(f, dialect, dialect.allJobs());
  }

  /**
   * The SQL of {@code f} in {@code dialect} over {@code table} ({@code spindle_jobs} for rows the
   * caller locks, or {@link JdbcDialect#allJobs}).
   */
  public static SqlFilter of(JobFilter f, JdbcDialect dialect, String table) {
    JdbcDialect.TextMatch text = f.text() == null ? null : dialect.textMatch(f.text());
    boolean drive = text != null && text.drivesRows();
    String id = text != null ? text.id() : "id";
    StringBuilder sql = new StringBuilder();
    List<Object> args = new ArrayList<>();
    if (text != null) {
      sql.append(text.condition());
      args.addAll(text.args());
    }
    if (!f.states().isEmpty()) {
      sql.append(" AND state IN (");
      int i = 0;
      for (JobState s : f.states()) {
        sql.append(i++ == 0 ? "" : ", ").append(SqlJobRows.code(s));
      }
      sql.append(")");
    }
    if (f.queue() != null) {
      sql.append(" AND queue = ?");
      args.add(f.queue());
    }
    if (f.task() != null) {
      sql.append(" AND task = ?");
      args.add(f.task());
    }
    if (f.finishedBefore() != null) {
      sql.append(" AND finished_at < ?");
      args.add(SqlJobRows.micros(f.finishedBefore()));
    }
    if (f.createdAfter() != null || f.createdBefore() != null) {
      long lo = f.createdAfter() == null ? Long.MIN_VALUE : SqlJobRows.micros(f.createdAfter());
      long hi = f.createdBefore() == null ? Long.MAX_VALUE : SqlJobRows.micros(f.createdBefore());
      if (!drive) {
        sql.append(" AND id >= coalesce(").append(dialect.createdIdBound("min", table)).append(", 0)")
            .append(" AND id <= coalesce(").append(dialect.createdIdBound("max", table)).append(", 0)");
        args.addAll(List.of(lo, hi, lo, hi));
      }
      String created = dialect.unindexed("created_at");
      sql.append(" AND ").append(created).append(" >= ? AND ").append(created).append(" < ?");
      args.addAll(List.of(lo, hi));
    }
    if (f.finishedAfter() != null) {
      long lo = SqlJobRows.micros(f.finishedAfter());
      if (!drive) {
        long hi = f.finishedBefore() == null ? Long.MAX_VALUE : SqlJobRows.micros(f.finishedBefore());
        String range = " FROM " + table + " WHERE " + SqlJobRows.IS_TERMINAL
            + " AND finished_at >= ? AND finished_at < ?)";
        sql.append(" AND id >= coalesce((SELECT min(id)").append(range).append(", 0)")
            .append(" AND id <= coalesce((SELECT max(id)").append(range).append(", 0)");
        args.addAll(List.of(lo, hi, lo, hi));
      }
      sql.append(" AND ").append(dialect.unindexed("finished_at")).append(" >= ? AND " + SqlJobRows.IS_TERMINAL);
      args.add(lo);
    }
    if (f.beforeId() != null) {
      sql.append(" AND ").append(id).append(" < ?");
      args.add(JobFilter.parseId(f.beforeId()));
    }
    String from = text == null || text.from().equals("spindle_jobs") ? table : text.from();
    return new SqlFilter(from, sql.toString(), args, id);
  }

  /** {@code " ORDER BY <id> DESC LIMIT ?"}: newest first, the limit as the next argument. */
  public String newestFirst() {
    return " ORDER BY " + id + " DESC LIMIT ?";
  }

  /** Reads the ids of a {@code SELECT id ...} bound with {@code args}. */
  public static long[] ids(JdbcConn c, String sql, List<Object> args) throws SQLException {
    try (PreparedStatement ps = c.jdbc().prepareStatement(sql)) {
      bind(ps, args);
      List<Long> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getLong(1));
        }
      }
      return out.stream().mapToLong(Long::longValue).toArray();
    }
  }

  /** Binds {@code args} (String, Integer or Long) to {@code ps} from parameter 1. */
  public static void bind(PreparedStatement ps, List<Object> args) throws SQLException {
    for (int i = 0; i < args.size(); i++) {
      Object a = args.get(i);
      if (a instanceof String s) {
        ps.setString(i + 1, s);
      } else if (a instanceof Integer n) {
        ps.setInt(i + 1, n);
      } else {
        ps.setLong(i + 1, (Long) a);
      }
    }
  }
}
