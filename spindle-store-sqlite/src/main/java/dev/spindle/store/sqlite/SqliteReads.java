package dev.spindle.store.sqlite;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.spi.FinishedBatch;
import dev.spindle.queue.spi.JobStore;
import dev.spindle.queue.spi.LiveView;
import dev.spindle.store.jdbc.internal.SqlControl;
import dev.spindle.store.jdbc.internal.SqlInspector;
import dev.spindle.store.jdbc.internal.SqlStatistics;
import dev.spindle.store.jdbc.internal.SqlStoreHost;
import dev.spindle.store.sqlite.internal.Db;
import dev.spindle.store.sqlite.internal.JobRows;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The reads of {@link SqliteJobStore} that are its own: the finished feed and its cursor, and the
 * dashboard's live view (which gathers the shared inspector's, control's and statistics' reads into
 * one transaction). Thread-safe.
 */
final class SqliteReads {
  private final Db db;
  private final SqlStoreHost<Db.Conn> host;
  private final SqlInspector<Db.Conn> inspector;
  private final SqlControl<Db.Conn> control;
  private final SqlStatistics<Db.Conn> statistics;

  /** @param host reads job rows (with their policies) */
  SqliteReads(Db db, SqlStoreHost<Db.Conn> host, SqlInspector<Db.Conn> inspector, SqlControl<Db.Conn> control,
      SqlStatistics<Db.Conn> statistics) {
    this.db = db;
    this.host = host;
    this.inspector = inspector;
    this.control = control;
    this.statistics = statistics;
  }

  /** {@link JobStore#finishedAfter}. */
  FinishedBatch finishedAfter(long cursor, int limit) {
    return db.read("read finished jobs", c -> finishedIn(c, cursor, limit));
  }

  private FinishedBatch finishedIn(Db.Conn c, long cursor, int limit) throws SQLException {
    PreparedStatement ps = c.ps("SELECT " + JobRows.COLUMNS + " FROM spindle_jobs WHERE " + JobRows.IS_TERMINAL + " AND "
        + "finish_seq > ? ORDER BY finish_seq LIMIT ?");
    ps.setLong(1, cursor);
    ps.setInt(2, limit);
    List<JobInfo> out = new ArrayList<>();
    long last = cursor;
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        JobInfo j = host.row(c, rs);
        out.add(j);
        last = j.finishSeq();
      }
    }
    return new FinishedBatch(out, last);
  }

  /** {@link JobStore#finishCursor}. */
  long finishCursor() {
    return db.read("read the finish cursor", c -> SqliteMeta.get(c, "finish_seq"));
  }

  /** {@link dev.spindle.queue.spi.StoreAdmin#liveView}: everything in one read transaction, one store call per dashboard tick. */
  LiveView liveView(LiveView.Request r) {
    return db.read("read the live view", c -> {
      long cursor = SqliteMeta.get(c, "finish_seq");
      FinishedBatch feed = r.feedAfter() < 0 ? new FinishedBatch(List.of(), cursor)
          : finishedIn(c, r.feedAfter(), r.feedLimit());
      return new LiveView(inspector.workersIn(c), control.pausedIn(c), feed, cursor,
          r.statsFrom().isBefore(r.statsTo()) ? statistics.minutesIn(c, r.statsFrom(), r.statsTo()) : List.of(),
          r.counts() ? inspector.summariesIn(c) : null, r.counts() ? statistics.oldestIn(c) : null);
    });
  }
}
