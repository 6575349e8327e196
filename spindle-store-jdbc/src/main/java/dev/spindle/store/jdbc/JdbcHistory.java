package dev.spindle.store.jdbc;

/**
 * The SQL of a dialect whose store keeps finished jobs in a history table ({@code spindle_history})
 * partitioned by expiry day ({@code spindle_history_d<day>}, a day being microseconds since the
 * epoch / 86,400,000,000): the engine keeps which days exist, drops expired days, applies retention
 * limits over both tables and moves finished jobs there; this supplies the statements only the
 * database understands. Selected through {@link JdbcDialect#history}. Implementations are
 * stateless and thread-safe.
 */
public interface JdbcHistory {
  /** A query of the names of the history's partitions (one column). */
  String listPartitions();

  /** A statement taking the transaction-scoped lock under which partitions are created and dropped. */
  String lock();

  /** The DDL creating partition {@code name} for expiry times {@code from} (inclusive) to {@code to} (us). */
  String createPartition(String name, long from, long to);

  /** A query of one boolean: whether the table named by its one parameter exists. */
  String exists();

  /** The statement locking partition {@code name} against all other access until the commit. */
  String lockPartition(String name);

  /**
   * A query subtracting partition {@code name}'s jobs from the history's per-queue counts, returning
   * one row with their number.
   */
  String uncount(String name);

  /** A query run at the start of retention's deletions, setting how they are planned (its rows are ignored). */
  String tuneDeletes();

  /** The condition that {@code day} is one of the days bound as one parameter ({@link JdbcDialect#bindIds}). */
  String dayIn(String day);

  /**
   * The statement moving finished jobs to the history, with parameters: finished at or before,
   * expiring after (both us), the days whose partitions exist ({@link JdbcDialect#bindIds}) and the
   * most jobs moved.
   *
   * @param archivable the condition on the moved jobs {@code j} with the first two parameters
   * @param inKnownDay the condition on {@code j} that its partition exists, with the third
   */
  String archive(String archivable, String inKnownDay);

  /**
   * The statement moving successes to the history in their completing statement: parameters now
   * (us), the batch's arrays of ids, fences, workers and results, then the known days; per moved job
   * it returns its id, whether it has dependents, and whether a success deleted with no history row
   * has a dependent or waiter (the completion then runs again).
   *
   * @param finishLock the SQL expression of the finishing lock, evaluated before any finish number
   */
  String moveSuccesses(String finishLock);
}
