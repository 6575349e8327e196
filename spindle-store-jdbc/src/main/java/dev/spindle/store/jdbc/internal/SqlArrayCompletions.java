package dev.spindle.store.jdbc.internal;

import dev.spindle.queue.StoreException;
import dev.spindle.store.jdbc.JdbcConn;
import dev.spindle.store.jdbc.JdbcDialect;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The completion path of a dialect with {@link JdbcDialect#arrayFinishes}: the engine's
 * column-array rounds ({@link SqlArrayWrites}) under the store's finishing lock, finish numbers from
 * a sequence ({@link SqlNumbering.Sequence}), the dialect's round settings at the start of each
 * call, and, when the store has a {@link DirectHistory}, successes moved to the history in their
 * completing statement. Select it with {@code JdbcJobStore.Builder#completions}. Thread-safe.
 *
 * @param <C> the store's connection type
 */
public final class SqlArrayCompletions<C extends JdbcConn>
    implements SqlCompletions.Writes<C>, SqlArrayWrites.Host<C> {
  private static final Logger LOG = LoggerFactory.getLogger(SqlArrayCompletions.class);

  /** The SQLSTATE of a serialization failure, which the engine answers by running the transaction again. */
  private static final String SERIALIZATION_FAILURE = "40001";

  /**
   * A history of day partitions that successes move into in their completing statement. Implementations
   * are thread-safe.
   */
  public interface DirectHistory {
    /**
     * The statement that moves successes: its parameters are now (us), the batch's arrays of ids,
     * fences, workers and results ({@link SqlArrayWrites.Columns#bind} with {@code "text"}), then the
     * known days (an {@code int8} array); it returns per moved job its id, whether it has dependents,
     * and whether a success deleted with no history row has a dependent or waiter.
     *
     * @param finishLock the SQL expression of the finishing lock, evaluated before any finish number
     */
    String moveSql(String finishLock);

    /** The days (us since the epoch / day length) that have a partition, sorted. */
    long[] known();

    /** The days of {@code expiries} (us) that a success could move into but that have no partition in {@code known}. */
    Collection<Long> missing(long[] known, List<Long> expiries);

    /**
     * Creates the partitions of {@code days}, outside any transaction.
     *
     * @throws RuntimeException if they cannot be created
     */
    void create(Collection<Long> days);
  }

  private final @Nullable DirectHistory direct;
  private final Runnable readied;
  private final String lockCall;
  private final JdbcDialect.ArrayFinishes parts;
  private final @Nullable String movedSql;
  private final SqlArrayWrites<C> rounds;
  /** Days of successes that stayed in the hot table while moving was on for want of their partition. */
  private final Set<Long> missingDays = new ConcurrentSkipListSet<>();

  /**
   * @param finishLock a SQL expression that takes the store's finishing lock in shared mode
   * @param direct the history successes move to in their completing statement, else null
   * @param readied told when finished jobs' dependents may have become ready
   * @throws IllegalArgumentException if the dialect has no {@link JdbcDialect#arrayFinishes}
   */
  public SqlArrayCompletions(JdbcDialect dialect, String finishLock, @Nullable DirectHistory direct, Runnable readied) {
    this.direct = direct;
    this.readied = readied;
    this.lockCall = finishLock;
    this.parts = dialect.arrayFinishes().orElseThrow(() -> new IllegalArgumentException(dialect.name()
        + " has no array completion path"));
    this.movedSql = direct == null ? null : direct.moveSql(finishLock);
    this.rounds = new SqlArrayWrites<>(dialect, new SqlNumbering.Sequence<C>(dialect, finishLock), this);
  }

  /** Takes the finishing lock in shared mode in the statement, before any finish number. */
  @Override
  public String finishLock() {
    return lockCall;
  }

  /** The dialect's {@link JdbcDialect.ArrayFinishes#hasDependents}. */
  @Override
  public String hasDependents(String cte) {
    return parts.hasDependents().apply(cte);
  }

  /**
   * Unless the call runs again on a full disk: successes moved to the history ({@link DirectHistory#moveSql}).
   *
   * @throws SQLException a serialization failure (the call runs again) if a success that kept no
   *     history row turned out to have a dependent or a waiter
   */
  @Override
  public Set<Long> finishSuccesses(C c, SqlArrayWrites.Columns successes, long now, boolean again,
      boolean[] anyDeps) throws SQLException {
    DirectHistory history = direct;
    if (history == null || movedSql == null || again) {
      return Set.of();
    }
    PreparedStatement ps = c.ps(movedSql);
    ps.setLong(1, now);
    successes.bind(c, ps, 2, "text");
    ps.setArray(6, c.jdbc().createArrayOf("int8", Arrays.stream(history.known()).boxed().toArray()));
    Set<Long> moved = new HashSet<>();
    boolean lost = false;
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        moved.add(rs.getLong(1));
        anyDeps[0] |= rs.getBoolean(2);
        lost |= rs.getBoolean(3);
      }
    }
    if (lost) { // a serialization failure: the engine rolls back and runs the call again
      throw new SQLException("a success kept no history row, but a dependent or waiter of it committed while the"
          + " completion waited for its row; the completion runs again and finishes it in place", SERIALIZATION_FAILURE);
    }
    return moved;
  }

  /** Successes that stayed in the hot table for want of their day's partition: the day is created after the commit. */
  @Override
  public void finishedInPlace(List<Long> expiries, boolean again) {
    DirectHistory history = direct;
    if (history != null && !again && !expiries.isEmpty()) {
      missingDays.addAll(history.missing(history.known(), expiries));
    }
  }

  /** Finished jobs' dependents may have become ready. */
  @Override
  public void dependentsReleased() {
    readied.run();
  }

  /** The dialect's round settings, then the engine's rounds. */
  @Override
  public SqlCompletions.Applier<C> start(C c, boolean again) throws SQLException {
    if (!parts.roundSettings().isEmpty()) {
      try (ResultSet rs = c.ps(parts.roundSettings()).executeQuery()) {
        rs.next();
      }
    }
    return rounds.start(c, again);
  }

  /** On a full disk jobs finish in the hot table: the history's copy of a row needs room that finishing in place does not. */
  @Override
  public boolean runsAgain(StoreException e) {
    return e.reason() == StoreException.Reason.DISK_FULL && direct != null;
  }

  /**
   * After a commit: creates the days whose successes stayed in the hot table for want of a partition
   * (outside any transaction). A failure is logged: the jobs are stored and the archive moves them.
   */
  @Override
  public void afterCommit() {
    DirectHistory history = direct;
    if (history != null && !missingDays.isEmpty()) {
      List<Long> days = new ArrayList<>(missingDays);
      missingDays.removeAll(days);
      try {
        history.create(days);
      } catch (RuntimeException e) {
        LOG.warn("could not create the history's day partitions for finished jobs (they stay in the hot table"
            + " until retention archives them): {}", e.getMessage());
      }
    }
  }
}
