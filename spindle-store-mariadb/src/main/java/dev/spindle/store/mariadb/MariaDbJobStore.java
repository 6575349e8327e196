package dev.spindle.store.mariadb;

import dev.spindle.queue.StoreException;
import dev.spindle.queue.spi.ChangeListeners;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.JdbcEnqueue;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.RetentionLimits;
import dev.spindle.store.jdbc.JdbcJobStore;
import dev.spindle.store.jdbc.internal.SqlChangePoller;
import dev.spindle.store.jdbc.internal.SqlRetention;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.jspecify.annotations.Nullable;

/**
 * The MariaDB job store (10.6 or later, InnoDB): every operation is one short READ COMMITTED
 * transaction on a pooled connection (HikariCP, Connector/J), so any number of worker processes on
 * any number of hosts share one queue. The SQL engine ({@link JdbcJobStore}) does the work through
 * {@link MariaDbDialect}; this module adds the pool, the schema ({@link MariaDbSchema}, migrated on
 * open, a newer one refused), claims by {@code FOR UPDATE SKIP LOCKED}, finish numbers that commit
 * in order, the server's clock, a polling change feed for other processes' writes, and
 * transactional enqueue on the caller's connection ({@link #enqueue(Connection, List)}).
 *
 * <p>Settings and defaults: {@link Builder#maxConnections} 8, {@link Builder#pollInterval} 20 ms,
 * {@link Builder#maxPayloadBytes} 16 MiB, {@link Builder#clock} the server's. Credentials never
 * appear in {@link #describe()}, messages or logs. Thread-safe. Open with a {@link Builder} or
 * {@code JobStores.open("mariadb://host/db?user=u")} ({@link MariaDbJobStoreProvider}).
 */
public final class MariaDbJobStore extends JdbcJobStore<MariaDbDb.Conn> {
  /**
   * The change feed's newest change number (other processes' writes): moves with every new job and
   * every finish. Other changes (a retry, a release) are found by the workers' own poll.
   */
  private static final String NEWEST_CHANGE = "SELECT (SELECT coalesce(max(id), 0) FROM spindle_jobs) * 7"
      + " + (SELECT value FROM spindle_meta WHERE \"key\" = 'finish_seq')";
  private final MariaDbJdbcEnqueue jdbcEnqueue;

  private MariaDbJobStore(Builder b, MariaDbDb db) {
    super(engine(b, db));
    this.jdbcEnqueue = new MariaDbJdbcEnqueue(enqueuer(), db, policies(), this::readied, b.describe());
  }

  /** The engine on {@code db}, its schema migrated first (the pool is closed again if that fails). */
  private static JdbcJobStore.Builder<MariaDbDb.Conn> engine(Builder b, MariaDbDb db) {
    Clock clock;
    try {
      db.read("create or migrate the schema", c -> {
        c.jdbc().setAutoCommit(true); // DDL commits anyway
        try {
          return MariaDbSchema.migrate(c.jdbc(), b.describe());
        } finally {
          c.jdbc().setAutoCommit(false);
        }
      });
      clock = b.clock != null ? b.clock : new MariaDbClock(db);
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
    ChangeListeners listeners = new ChangeListeners();
    SqlRetention<MariaDbDb.Conn> retention = new SqlRetention<>(db, MariaDbDialect.INSTANCE, clock);
    MariaDbFinishes finishes = new MariaDbFinishes();
    return JdbcJobStore.builder(MariaDbDialect.INSTANCE, db, clock)
        .listeners(listeners)
        .feed(new SqlChangePoller("spindle-mariadb-changes", SqlChangePoller.pooled(db, NEWEST_CHANGE),
            b.pollInterval.toNanos(), 0, listeners))
        .describe(b.describe())
        .maxPayloadBytes(b.maxPayloadBytes)
        .numbering(finishes)
        .finishCursor(c -> MariaDbFinishes.lastTaken(c, false))
        .inserts(new MariaDbEnqueue())
        .claims(new MariaDbClaims())
        .retention((now, limits) -> purge(db, retention, now, limits));
  }

  /** The engine's retention, then the purged jobs' own dependency and wait rows (no trigger may delete them). */
  private static int purge(MariaDbDb db, SqlRetention<MariaDbDb.Conn> retention, Instant now, RetentionLimits limits) {
    int purged = retention.purgeExpired(now, limits);
    if (purged > 0) {
      db.update("delete the purged jobs' dependencies", c -> {
        c.ps("DELETE FROM spindle_deps WHERE NOT EXISTS (SELECT 1 FROM spindle_jobs j WHERE j.id = spindle_deps.child)")
            .executeUpdate();
        c.ps("DELETE FROM spindle_waits WHERE NOT EXISTS (SELECT 1 FROM spindle_jobs j WHERE j.id = spindle_waits.id)")
            .executeUpdate();
      });
    }
    return purged;
  }

  /** A builder for the store on {@code host:port/database} as {@code user}. */
  public static Builder builder(String host, int port, String database, String user) {
    return new Builder(host, port, database, user);
  }

  /**
   * Transactional enqueue: the jobs are written through the caller's connection inside its open
   * transaction, so they exist if and only if it commits ({@link MariaDbJdbcEnqueue}).
   */
  @Override
  public Optional<JdbcEnqueue> jdbcEnqueue() {
    return Optional.of(jdbcEnqueue);
  }

  /** {@link #jdbcEnqueue()}'s enqueue on {@code connection}, inside its open transaction. */
  public List<EnqueueResult> enqueue(Connection connection, List<NewJob> jobs) {
    return jdbcEnqueue.enqueue(connection, jobs);
  }

  /** Validates settings as they are given. Not thread-safe. */
  public static final class Builder {
    private final String host;
    private final int port;
    private final String database;
    private final String user;
    private @Nullable String password;
    private int maxConnections = 8;
    private Duration pollInterval = Duration.ofMillis(20);
    private int maxPayloadBytes = 16 << 20;
    private @Nullable Clock clock;
    private final Properties options = new Properties();

    private Builder(String host, int port, String database, String user) {
      if (port <= 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 1..65535: " + port);
      }
      if (!database.matches("[A-Za-z0-9_$]{1,64}")) {
        throw new IllegalArgumentException("database must be a plain name (letters, digits, _, $): " + database);
      }
      this.host = host;
      this.port = port;
      this.database = database;
      this.user = user;
    }

    /** The password (from the environment or a password file; never put it in a location string). */
    public Builder password(@Nullable String password) {
      this.password = password;
      return this;
    }

    /** The most pooled connections (1-100; default 8). */
    public Builder maxConnections(int n) {
      if (n < 1 || n > 100) {
        throw new IllegalArgumentException("maxConnections must be within 1..100: " + n);
      }
      this.maxConnections = n;
      return this;
    }

    /** How often other processes' writes are looked for (1 ms - 1 s; default 20 ms). */
    public Builder pollInterval(Duration interval) {
      if (interval.compareTo(Duration.ofMillis(1)) < 0 || interval.compareTo(Duration.ofSeconds(1)) > 0) {
        throw new IllegalArgumentException("pollInterval must be within 1 ms .. 1 s: " + interval);
      }
      this.pollInterval = interval;
      return this;
    }

    /** The largest argument or result stored, in UTF-8 bytes (default 16 MiB). */
    public Builder maxPayloadBytes(int bytes) {
      if (bytes < 16) {
        throw new IllegalArgumentException("maxPayloadBytes must be >= 16: " + bytes);
      }
      this.maxPayloadBytes = bytes;
      return this;
    }

    /** The store's clock (default: the server's); tests give a manual clock. */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /** A Connector/J connection property ({@code sslMode}, {@code connectTimeout}, ...). */
    public Builder option(String key, String value) {
      options.setProperty(key, value);
      return this;
    }

    String describe() {
      return "mariadb://" + host + ":" + port + "/" + database;
    }

    String url() {
      return "jdbc:mariadb://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/" + database;
    }

    Properties properties() {
      Properties p = new Properties();
      p.setProperty("user", user);
      if (password != null) {
        p.setProperty("password", password);
      }
      p.setProperty("useBulkStmts", "false"); // exact counts per batched update: completions are fenced by them
      p.putAll(options);
      return p;
    }

    /**
     * Connects, creates or migrates the schema, and opens the store.
     *
     * @throws StoreException if it cannot be opened (the message says why, without the password)
     */
    public MariaDbJobStore open() {
      return new MariaDbJobStore(this, new MariaDbDb(describe(), url(), properties(), maxConnections));
    }
  }
}
