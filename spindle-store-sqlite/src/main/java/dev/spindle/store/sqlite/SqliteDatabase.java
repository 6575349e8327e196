package dev.spindle.store.sqlite;

import dev.spindle.queue.StoreException;
import dev.spindle.store.jdbc.internal.HostClock;
import dev.spindle.store.sqlite.internal.Db;
import dev.spindle.store.sqlite.internal.FilePrivacy;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;

/**
 * A SQLite database file of one's own tables, shared by the processes of one host with the job
 * store's discipline: WAL, every write one {@code BEGIN IMMEDIATE} transaction (so a check and the
 * change it decides are atomic across processes), busy waits up to 30 s, calls from virtual threads
 * moved to platform threads, a new file created 0600 (its directory must exist), errors as {@link
 * StoreException} kinds with the transaction rolled back. For Spindle modules that keep state
 * beside a job store (coordination); {@code synchronous=NORMAL}: a process crash loses nothing, a
 * power loss may lose the last transactions.
 *
 * <p>Thread-safe: writes are serialised within the process, reads use a small pool of connections.
 */
public final class SqliteDatabase implements AutoCloseable {
  private static final Duration BUSY_TIMEOUT = Duration.ofSeconds(30);

  /** The statements of one transaction. Valid only inside the {@link Work} it is given to. */
  public interface Transaction {
    /**
     * A prepared statement for {@code sql}, cached per connection: set its parameters each time.
     * Do not close it.
     */
    PreparedStatement prepare(String sql) throws SQLException;

    /** Runs {@code sql} (DDL or a statement without parameters) without caching it. */
    void execute(String sql) throws SQLException;
  }

  /** Work done in one transaction; an exception it throws rolls the transaction back. */
  @FunctionalInterface
  public interface Work<T> {
    /** Does the work and returns its result. */
    T run(Transaction tx) throws SQLException;
  }

  /** Work without a result done in one transaction; an exception it throws rolls it back. */
  @FunctionalInterface
  public interface Step {
    /** Does the work. */
    void run(Transaction tx) throws SQLException;
  }

  private final Db db;

  private SqliteDatabase(Db db) {
    this.db = db;
  }

  /**
   * Opens {@code file}: an existing one, or (unless {@code existingOnly}) a new empty one, 0600, in
   * a directory that must exist.
   *
   * @param what what the file is, for messages ("coordination database")
   * @throws StoreException NOT_FOUND if the directory is missing, or the file when {@code
   *     existingOnly}; CANNOT_OPEN if it is another user's, writable by others, or cannot be opened
   */
  public static SqliteDatabase open(Path file, boolean existingOnly, String what) {
    FilePrivacy.Opening opening = existingOnly ? FilePrivacy.Opening.EXISTING : FilePrivacy.Opening.CREATE_FILE;
    return new SqliteDatabase(new Db(file, BUSY_TIMEOUT, 0, false, opening, what, false));
  }

  /**
   * Runs {@code work} in a write transaction ({@code BEGIN IMMEDIATE ... COMMIT}).
   *
   * @param operation what it does, for error messages
   * @throws StoreException on failure; nothing was written
   */
  public <T> T write(String operation, Work<T> work) {
    return db.write(operation, c -> work.run(transaction(c)));
  }

  /**
   * Runs {@code step} in a write transaction ({@code BEGIN IMMEDIATE ... COMMIT}).
   *
   * @param operation what it does, for error messages
   * @throws StoreException on failure; nothing was written
   */
  public void update(String operation, Step step) {
    db.update(operation, c -> step.run(transaction(c)));
  }

  /**
   * Runs {@code work} in a read transaction: one consistent snapshot.
   *
   * @param operation what it does, for error messages
   * @throws StoreException on failure
   */
  public <T> T read(String operation, Work<T> work) {
    return db.read(operation, c -> work.run(transaction(c)));
  }

  /**
   * The host kernel's real-time clock (a direct {@code clock_gettime(CLOCK_REALTIME)} system call,
   * which time shims such as {@code libfaketime} do not shift), the one the SQLite job store judges
   * leases on: read it inside a transaction so that every process of the host decides on one clock.
   */
  public static Clock hostClock() {
    return HostClock.INSTANCE;
  }

  /** The database file. */
  public Path file() {
    return db.file();
  }

  /** Closes the connections. Idempotent. */
  @Override
  public void close() {
    db.close();
  }

  private static Transaction transaction(Db.Conn c) {
    return new Transaction() {
      @Override
      public PreparedStatement prepare(String sql) throws SQLException {
        return c.ps(sql);
      }

      @Override
      public void execute(String sql) throws SQLException {
        c.execOnce(sql);
      }
    };
  }
}
