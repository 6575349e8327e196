package dev.spindle.store.postgres;

import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.JdbcEnqueue;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.sql.SqlFlow;
import dev.spindle.store.postgres.internal.Db;
import java.sql.Connection;
import java.util.List;
import javax.sql.DataSource;

/**
 * The transactional enqueue of {@link PostgresJobStore} as the store SPI's {@link JdbcEnqueue} role
 * (for {@code JobQueue} and the Spring starter): jobs written on the caller's connection inside its
 * open transaction ({@link PostgresEnqueue#enqueue(Connection, List)}), then flow control told that
 * jobs became ready. Thread-safe (stateless apart from its collaborators).
 */
final class PostgresJdbcEnqueue implements JdbcEnqueue {
  private final PostgresEnqueue enqueuer;
  private final SqlFlow<Db.Conn> flow;
  private final String describe;

  /** @param describe the store's location without secrets */
  PostgresJdbcEnqueue(PostgresEnqueue enqueuer, SqlFlow<Db.Conn> flow, String describe) {
    this.enqueuer = enqueuer;
    this.flow = flow;
    this.describe = describe;
  }

  @Override
  public boolean reaches(DataSource dataSource) {
    return enqueuer.reaches(dataSource);
  }

  /** {@link PostgresJobStore#enqueue(Connection, List)}. */
  @Override
  public List<EnqueueResult> enqueue(Connection connection, List<NewJob> jobs) {
    List<EnqueueResult> r = enqueuer.enqueue(connection, jobs);
    flow.readied();
    return r;
  }

  @Override
  public String toString() {
    return "transactional enqueue of " + describe;
  }
}
