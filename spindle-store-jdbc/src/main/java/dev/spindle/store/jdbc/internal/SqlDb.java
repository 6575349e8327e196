package dev.spindle.store.jdbc.internal;

import dev.spindle.store.jdbc.JdbcConn;
import java.sql.SQLException;

/**
 * The transactions of a SQL store: each call runs its work in one transaction, committed when the
 * work returns and rolled back when it throws; SQL errors are translated to {@link
 * dev.spindle.queue.StoreException} naming the operation. Implementations are thread-safe.
 *
 * @param <C> the store's connection type
 */
public interface SqlDb<C extends JdbcConn> extends AutoCloseable {
  /** Work on a connection inside a transaction, with a result. */
  @FunctionalInterface
  interface Work<C, T> {
    /** Does the work; throwing rolls the transaction back. */
    T run(C c) throws SQLException;
  }

  /** Work on a connection inside a transaction, without a result. */
  @FunctionalInterface
  interface Step<C> {
    /** Does the work; throwing rolls the transaction back. */
    void run(C c) throws SQLException;
  }

  /** Closes the connections once work in flight is done. Idempotent. */
  @Override
  void close();

  /** Runs {@code work} in a transaction that may write ({@code operation} names it in errors). */
  <T> T write(String operation, Work<C, T> work);

  /**
   * Runs {@code work}, whose first statement is its only write, where each statement commits on its
   * own (auto-commit) if the store allows it: no round trip for a COMMIT. Statements after the first
   * may only read (they explain what the write did). By default {@link #write}.
   */
  default <T> T writeOne(String operation, Work<C, T> work) {
    return write(operation, work);
  }

  /** Runs {@code work} in a transaction that only reads. */
  <T> T read(String operation, Work<C, T> work);

  /** Runs {@code step}, which has no result, in a transaction that may write (as {@link #write}). */
  default void update(String operation, Step<C> step) {
    write(operation, c -> {
      step.run(c);
      return Boolean.TRUE;
    });
  }
}
