package dev.spindle.store.mariadb;

import dev.spindle.queue.StoreException;
import dev.spindle.queue.store.ChangeListeners;
import dev.spindle.store.jdbc.JdbcJobStore;
import dev.spindle.store.jdbc.SchemaStatus;
import dev.spindle.store.jdbc.ServerJobStore;
import dev.spindle.store.jdbc.ServerStoreBuilder;
import dev.spindle.store.jdbc.internal.ServerClock;
import dev.spindle.store.jdbc.internal.SqlChangePoller;
import dev.spindle.store.jdbc.internal.SqlConn;
import dev.spindle.store.jdbc.internal.SqlEnqueue;
import dev.spindle.store.jdbc.internal.SqlLockedClaims;
import dev.spindle.store.jdbc.internal.SqlNumbering;
import dev.spindle.store.jdbc.internal.SqlPool;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Properties;

/**
 * The MariaDB job store (10.6 or later, InnoDB): every operation is one short READ COMMITTED
 * transaction on a pooled connection (HikariCP, Connector/J), so any number of worker processes on
 * any number of hosts share one queue. The SQL engine ({@link JdbcJobStore}) does the work through
 * {@link MariaDbDialect}; this module adds the pool, the schema ({@link MariaDbSchema}, migrated on
 * open, a newer one refused), claims by {@code FOR UPDATE SKIP LOCKED}, finish numbers that commit
 * in order, the server's clock, a polling change feed for other processes' writes, and
 * transactional enqueue and durable steps on the caller's connection ({@link ServerJobStore}).
 *
 * <p>Settings and defaults: {@link Builder#maxConnections} 8, {@link Builder#pollInterval} 20 ms,
 * {@link Builder#maxPayloadBytes} 16 MiB, {@link Builder#clock} the server's. Credentials never
 * appear in {@link #describe()}, messages or logs. Thread-safe. Open with a {@link Builder} or
 * {@code JobStores.open("mariadb://host/db?user=u")} ({@link MariaDbJobStoreProvider}).
 */
public final class MariaDbJobStore extends ServerJobStore<SqlConn> {
  /**
   * The change feed's newest change number (other processes' writes): moves with every new job and
   * every finish. Other changes (a retry, a release) are found by the workers' own poll.
   */
  private static final String NEWEST_CHANGE = "SELECT (SELECT coalesce(max(id), 0) FROM spindle_jobs) * 7"
      + " + (SELECT value FROM spindle_meta WHERE \"key\" = 'finish_seq')";
  /** Ids from the sequence, several per round trip through the Sequence engine's {@code seq_1_to_N}. */
  private static final SqlEnqueue.Rows<SqlConn> INSERTS = SqlEnqueue.sequenceIds(n -> n == 1
      ? "SELECT NEXTVAL(spindle_job_ids)" : "SELECT NEXTVAL(spindle_job_ids) FROM seq_1_to_" + n, 10_000);

  private MariaDbJobStore(JdbcJobStore.Builder<SqlConn> engine, MariaDbDb db) {
    super(engine, db, MariaDbDb.IDENTITY, MariaDbDb.callerSession());
  }

  /** A builder for the store on {@code host:port/database} as {@code user}. */
  public static Builder builder(String host, int port, String database, String user) {
    return new Builder(host, port, database, user);
  }

  /**
   * Validates settings as they are given; the shared ones are {@link ServerStoreBuilder}'s. Not
   * thread-safe.
   */
  public static final class Builder extends ServerStoreBuilder<Builder> {
    private Builder(String host, int port, String database, String user) {
      super(host, port, database, user);
      if (!database.matches("[A-Za-z0-9_$]{1,64}")) {
        throw new IllegalArgumentException("database must be a plain name (letters, digits, _, $): " + database);
      }
    }

    @Override
    public SchemaStatus schemaStatus() {
      try (Connection c = DriverManager.getConnection(jdbcUrl("mariadb"), driverProperties());
           Statement st = c.createStatement()) {
        st.execute(MariaDbDb.sessionSql());
        int found = MariaDbSchema.version(c);
        return new SchemaStatus(location("mariadb"), found, MariaDbSchema.VERSION, MariaDbSchema.pending(found));
      } catch (SQLException e) {
        throw MariaDbDb.translate(e, "read the schema version", location("mariadb"));
      }
    }

    /**
     * Connects, creates or migrates the schema, and opens the store.
     *
     * @throws StoreException if it cannot be opened (the message says why, without the password)
     */
    public MariaDbJobStore open() {
      Properties p = driverProperties();
      p.putIfAbsent("useBulkStmts", "false"); // exact counts per batched update: completions are fenced by them
      MariaDbDb db = new MariaDbDb(new SqlPool.Server("MariaDB", location("mariadb"), jdbcUrl("mariadb"), p,
          poolSize(), MariaDbDb.sessionSql()));
      return new MariaDbJobStore(engine(db), db);
    }

    /** The engine on {@code db}, its schema migrated first (the pool is closed again if that fails). */
    private JdbcJobStore.Builder<SqlConn> engine(MariaDbDb db) {
      Clock clock = givenClock();
      try {
        db.read("create or migrate the schema", c -> {
          c.jdbc().setAutoCommit(true); // DDL commits anyway
          try {
            return MariaDbSchema.migrate(c.jdbc(), location("mariadb"));
          } finally {
            c.jdbc().setAutoCommit(false);
          }
        });
        clock = clock != null ? clock : new ServerClock(db, MariaDbDb.NOW_MICROS, "spindle-mariadb-clock");
      } catch (RuntimeException e) {
        db.close();
        throw e;
      }
      Duration given = givenPollInterval();
      Duration poll = given != null ? given : Duration.ofMillis(20);
      ChangeListeners listeners = new ChangeListeners();
      return JdbcJobStore.builder(MariaDbDialect.INSTANCE, db, clock)
          .listeners(listeners)
          .feed(new SqlChangePoller("spindle-mariadb-changes", SqlChangePoller.pooled(db, NEWEST_CHANGE),
              poll.toNanos(), 0, listeners))
          .describe(location("mariadb"))
          .maxPayloadBytes(payloadLimit())
          .numbering(new SqlNumbering.Counter<>(MariaDbDialect.INSTANCE))
          .finishCursor(SqlNumbering.Counter::committed)
          .inserts(INSERTS)
          .claims(new SqlLockedClaims<>(MariaDbDialect.INSTANCE));
    }
  }
}
