package dev.spindle.store.postgres;

import dev.spindle.queue.spi.FinishedBatch;
import dev.spindle.queue.spi.JobStore;
import dev.spindle.queue.spi.LiveView;
import dev.spindle.store.jdbc.internal.SqlControl;
import dev.spindle.store.jdbc.internal.SqlInspector;
import dev.spindle.store.jdbc.internal.SqlStatistics;
import dev.spindle.store.postgres.internal.Db;
import dev.spindle.store.postgres.internal.FinishHorizon;
import java.util.List;

/**
 * The reads of {@link PostgresJobStore} that are its own: the finished feed and its cursor up to the
 * {@link FinishHorizon}, and the dashboard's live view (which gathers the shared inspector's,
 * control's and statistics' reads into one transaction). Thread-safe (stateless apart from its
 * collaborators).
 */
final class PostgresReads {
  private final Db db;
  private final FinishHorizon horizon;
  private final PostgresFinishes finishes;
  private final SqlInspector<Db.Conn> inspector;
  private final SqlControl<Db.Conn> control;
  private final SqlStatistics<Db.Conn> statistics;

  PostgresReads(Db db, FinishHorizon horizon, PostgresFinishes finishes, SqlInspector<Db.Conn> inspector,
      SqlControl<Db.Conn> control, SqlStatistics<Db.Conn> statistics) {
    this.db = db;
    this.horizon = horizon;
    this.finishes = finishes;
    this.inspector = inspector;
    this.control = control;
    this.statistics = statistics;
  }

  /** {@link JobStore#finishedAfter}, up to the horizon ({@link PostgresFinishes#finishedIn}). */
  FinishedBatch finishedAfter(long cursor, int limit) {
    return db.read("read finished jobs", c -> finishes.finishedIn(c, cursor, limit, horizon.read(c)));
  }

  /** {@link JobStore#finishCursor}: the feed's safe horizon, every finish number up to it is final. */
  long finishCursor() {
    return db.read("read the finish cursor", horizon::read);
  }

  /** {@link dev.spindle.queue.spi.StoreAdmin#liveView}: everything in one read transaction, one store call per dashboard tick. */
  LiveView liveView(LiveView.Request r) {
    return db.read("read the live view", c -> {
      long cursor = horizon.read(c);
      FinishedBatch feed = r.feedAfter() < 0 ? new FinishedBatch(List.of(), cursor)
          : finishes.finishedIn(c, r.feedAfter(), r.feedLimit(), cursor);
      return new LiveView(inspector.workersIn(c), control.pausedIn(c), feed, cursor,
          r.statsFrom().isBefore(r.statsTo()) ? statistics.minutesIn(c, r.statsFrom(), r.statsTo()) : List.of(),
          r.counts() ? inspector.summariesIn(c) : null, r.counts() ? statistics.oldestIn(c) : null);
    });
  }
}
