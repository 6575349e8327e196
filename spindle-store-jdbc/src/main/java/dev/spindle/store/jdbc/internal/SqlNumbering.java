package dev.spindle.store.jdbc.internal;

import dev.spindle.store.jdbc.JdbcConn;
import dev.spindle.store.jdbc.JdbcDialect;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;

/**
 * The half of a store's {@link SqlJobEnds.Numbering} every SQL store shares: the per-minute
 * counters written in the dialect's SQL ({@link SqlStatistics#add}: sharded where writers run
 * concurrently). A store supplies how finish numbers are taken. Implementations are thread-safe.
 *
 * @param <C> the store's connection type
 */
public abstract class SqlNumbering<C extends JdbcConn> implements SqlJobEnds.Numbering<C> {
  private final JdbcDialect dialect;

  /** The numbering of a store in {@code dialect}'s SQL. */
  protected SqlNumbering(JdbcDialect dialect) {
    this.dialect = dialect;
  }

  @Override
  public final void addStats(C c, Instant now, Map<Integer, Long> counters) throws SQLException {
    SqlStatistics.add(c, dialect, now, counters);
  }

  /**
   * Finish numbers from the counter {@code finish_seq} in {@code spindle_meta} ({@link SqlMeta}).
   * Where writers run concurrently the counter is read under its row lock, held to the commit, so
   * transactions that finish jobs commit their numbers in order and the committed value is the
   * feed's horizon ({@link #committed}: every number up to it is visible, a late commit never lands
   * below a reader's cursor); where one writer serializes transactions, a plain read. Thread-safe
   * (stateless).
   *
   * @param <C> the store's connection type
   */
  public static final class Counter<C extends JdbcConn> extends SqlNumbering<C> {
    private static final String KEY = "finish_seq";
    private final boolean lock;

    /** The numbering of a store in {@code dialect}'s SQL. */
    public Counter(JdbcDialect dialect) {
      super(dialect);
      this.lock = dialect.writers() == JdbcDialect.Writers.POOL;
    }

    /** The last finish number committed: the feed's horizon. */
    public static long committed(JdbcConn c) throws SQLException {
      return SqlMeta.get(c, KEY);
    }

    @Override
    public String nextFinishSeq() {
      return "?";
    }

    @Override
    public long take(C c) throws SQLException {
      return (lock ? SqlMeta.lock(c, KEY) : SqlMeta.get(c, KEY)) + 1;
    }

    @Override
    public void taken(C c, long last) throws SQLException {
      SqlMeta.set(c, KEY, last);
    }
  }

  /**
   * Finish numbers from a database sequence, taken in the updating statement ({@link
   * JdbcDialect.ArrayFinishes#nextFinishSeq}) after the store's finishing lock: {@link #take}
   * evaluates the lock's SQL expression (a shared lock held to the commit, which tells the feed's
   * reader which transactions may still hold numbers). Thread-safe (stateless).
   *
   * @param <C> the store's connection type
   */
  public static final class Sequence<C extends JdbcConn> extends SqlNumbering<C> {
    private final String nextFinishSeq;
    private final String lockSql;

    /**
     * The numbering of a store in {@code dialect}'s SQL, under {@code finishLock}.
     *
     * @param finishLock a SQL expression that takes the finishing lock
     * @throws IllegalArgumentException if the dialect has no {@link JdbcDialect#arrayFinishes}
     */
    public Sequence(JdbcDialect dialect, String finishLock) {
      super(dialect);
      this.nextFinishSeq = dialect.arrayFinishes().orElseThrow(() -> new IllegalArgumentException(dialect.name()
          + " takes no finish numbers from a sequence")).nextFinishSeq();
      this.lockSql = "SELECT " + finishLock;
    }

    @Override
    public String nextFinishSeq() {
      return nextFinishSeq;
    }

    /** Takes the finishing lock in the caller's transaction, before the number is taken. */
    @Override
    public long take(C c) throws SQLException {
      c.ps(lockSql).execute();
      return -1;
    }

    @Override
    public void taken(C c, long last) {}
  }
}
