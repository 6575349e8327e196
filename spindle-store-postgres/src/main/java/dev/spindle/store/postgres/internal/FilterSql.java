package dev.spindle.store.postgres.internal;

import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.JobFilter;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link JobFilter} as SQL over {@code spindle_jobs}, newest first: the rows to read ({@link
 * #from}), the conditions to append after a {@code WHERE} that has at least one condition ({@link
 * #where}, each starting with {@code AND}), their arguments in order, and the id column to order and
 * page by ({@link #id}). Immutable.
 *
 * <p>Text is a case-insensitive substring of the arguments or the error ({@code ILIKE}, walked
 * newest first by id; not indexed yet). A created or finished time range becomes an id range first
 * (ids grow with enqueue order): the lowest and highest id in it come from the time's index, then
 * rows are walked by id within them.
 *
 * @param from the FROM source
 * @param where the conditions, each starting with {@code " AND "}
 * @param args the arguments of {@code where}, in order
 * @param id the id column of {@code from} to order and page by
 */
public record FilterSql(String from, String where, List<Object> args, String id) {
  /** Copies the arguments. */
  public FilterSql {
    args = List.copyOf(args);
  }

  /** The SQL of {@code f}. */
  public static FilterSql of(JobFilter f) {
    boolean text = false;
    String id = "id";
    StringBuilder sql = new StringBuilder();
    List<Object> args = new ArrayList<>();
    if (f.text() != null) {
      String like = "%" + f.text().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
      sql.append(" AND (args ILIKE ? OR error ILIKE ?)");
      args.add(like);
      args.add(like);
    }
    if (!f.states().isEmpty()) {
      sql.append(" AND state IN (");
      int i = 0;
      for (JobState s : f.states()) {
        sql.append(i++ == 0 ? "" : ", ").append(JobRows.code(s));
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
      args.add(JobRows.micros(f.finishedBefore()));
    }
    if (f.createdAfter() != null || f.createdBefore() != null) {
      long lo = f.createdAfter() == null ? Long.MIN_VALUE : JobRows.micros(f.createdAfter());
      long hi = f.createdBefore() == null ? Long.MAX_VALUE : JobRows.micros(f.createdBefore());
      if (!text) {
        String range = " FROM spindle_jobs WHERE created_at >= ? AND created_at < ?)";
        sql.append(" AND id >= coalesce((SELECT min(id)").append(range).append(", 0)")
            .append(" AND id <= coalesce((SELECT max(id)").append(range).append(", 0)");
        args.addAll(List.of(lo, hi, lo, hi));
      }
      sql.append(" AND created_at >= ? AND created_at < ?");
      args.addAll(List.of(lo, hi));
    }
    if (f.finishedAfter() != null) {
      long lo = JobRows.micros(f.finishedAfter());
      if (!text) {
        long hi = f.finishedBefore() == null ? Long.MAX_VALUE : JobRows.micros(f.finishedBefore());
        String range = " FROM spindle_jobs WHERE " + JobRows.IS_TERMINAL + " AND finished_at >= ? AND finished_at < ?)";
        sql.append(" AND id >= coalesce((SELECT min(id)").append(range).append(", 0)")
            .append(" AND id <= coalesce((SELECT max(id)").append(range).append(", 0)");
        args.addAll(List.of(lo, hi, lo, hi));
      }
      sql.append(" AND finished_at >= ? AND " + JobRows.IS_TERMINAL);
      args.add(lo);
    }
    if (f.beforeId() != null) {
      sql.append(" AND ").append(id).append(" < ?");
      args.add(JobFilter.parseId(f.beforeId()));
    }
    return new FilterSql("spindle_jobs", sql.toString(), args, id);
  }

  /** {@code " ORDER BY <id> DESC LIMIT ?"}: newest first, the limit as the next argument. */
  public String newestFirst() {
    return " ORDER BY " + id + " DESC LIMIT ?";
  }
}
