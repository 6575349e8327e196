package dev.spindle.store.postgres;

import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.JdbcEnqueue;
import dev.spindle.queue.spi.NewJob;
import java.sql.Connection;
import java.util.List;
import javax.sql.DataSource;

/**
 * The transactional enqueue of {@link PostgresJobStore} as the store SPI's {@link JdbcEnqueue} role
 * (for {@code JobQueue} and the Spring starter): jobs written on the caller's connection inside its
 * open transaction ({@link PostgresEnqueue#enqueue(Connection, List)}), then flow control told that
 * jobs became ready (and the claims' positions reset). Thread-safe (stateless apart from its collaborators).
 */
final class PostgresJdbcEnqueue implements JdbcEnqueue {
  private final PostgresEnqueue enqueuer;
  private final Runnable readied;
  private final String describe;

  /**
   * @param readied tells flow control and the claim positions that jobs became ready (these commit
   *     with the caller, possibly after later ones)
   * @param describe the store's location without secrets
   */
  PostgresJdbcEnqueue(PostgresEnqueue enqueuer, Runnable readied, String describe) {
    this.enqueuer = enqueuer;
    this.readied = readied;
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
    readied.run();
    return r;
  }

  @Override
  public String toString() {
    return "transactional enqueue of " + describe;
  }
}
