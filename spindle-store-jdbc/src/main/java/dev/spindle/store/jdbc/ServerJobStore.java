package dev.spindle.store.jdbc;

import dev.spindle.queue.DurableRules;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.JdbcEnqueue;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.StepRecord;
import dev.spindle.queue.spi.StepWrite;
import dev.spindle.store.jdbc.internal.SqlCallerEnqueue;
import dev.spindle.store.jdbc.internal.SqlConn;
import dev.spindle.store.jdbc.internal.SqlPool;
import java.sql.Connection;
import java.util.List;
import java.util.Optional;

/**
 * A job store on a database server (PostgreSQL, MariaDB) that also writes inside the application's
 * own transaction: jobs enqueued and durable steps recorded through the caller's connection commit
 * or roll back with the caller's business writes ({@link SqlCallerEnqueue}). Thread-safe.
 *
 * @param <C> the engine's connection type
 */
public abstract class ServerJobStore<C extends SqlConn> extends JdbcJobStore<C> {
  private final SqlCallerEnqueue<C> callers;

  /**
   * The engine built from {@code engine}, writing on callers' connections with {@code session}.
   *
   * @param identitySql a query naming the database a connection reaches, compared with the pool's
   *     to tell whether a caller's data source is this store's
   */
  protected ServerJobStore(Builder<C> engine, SqlPool<C> pool, String identitySql,
      SqlCallerEnqueue.Session<C> session) {
    super(engine);
    this.callers = new SqlCallerEnqueue<>(enqueuer(), pool, policies(), identitySql, session, this::readied);
  }

  /**
   * Transactional enqueue: adds jobs inside the caller's open transaction (auto-commit off), so they
   * exist if and only if it commits. The connection must reach the store's database. Job policies
   * are recorded first in a transaction of the store's own (harmless on rollback). The statements
   * run under a savepoint, so a failed call leaves nothing in the caller's transaction. A unique key
   * another transaction adds at the same moment fails the call: retry the business transaction.
   *
   * @return one result per job, in order
   * @throws IllegalStateException if the connection is in auto-commit mode
   * @throws IllegalArgumentException if a dependency does not exist (nothing was added)
   * @throws dev.spindle.queue.StoreException if a statement fails (nothing was added; the caller's
   *     transaction should roll back)
   */
  public final List<EnqueueResult> enqueue(Connection connection, List<NewJob> jobs) {
    return callers.enqueue(connection, jobs);
  }

  /**
   * Records a durable step inside the caller's open transaction (auto-commit off), so a step body
   * that writes to this database commits its effect and its record together (exactly once).
   * Otherwise as {@link dev.spindle.queue.spi.DurableStore#record}: RUNNING under {@code workerId}
   * and {@code fence} or FENCED, EXISTS with the stored record, the limits of {@code rules}. The
   * job's row stays locked until the caller's transaction ends; as {@link #enqueue(Connection,
   * List)}, a failed call leaves nothing in it.
   *
   * @throws IllegalStateException if the connection is in auto-commit mode
   * @throws dev.spindle.queue.StoreException if a statement fails (the caller's transaction should
   *     roll back)
   */
  public final StepWrite stepInTransaction(Connection connection, String jobId, long fence, String workerId,
      StepRecord step, DurableRules rules) {
    return callers.onCallersConnection(connection, "a durable step in the caller's transaction",
        "record step " + step.key() + " of job " + jobId,
        c -> durableEngine().recordOn(c, jobId, fence, workerId, step, rules));
  }

  /** {@link #enqueue(Connection, List)}, as the store SPI's role for {@code JobQueue} and the Spring starter. */
  @Override
  public final Optional<JdbcEnqueue> jdbcEnqueue() {
    return Optional.of(callers);
  }
}
