package dev.spindle.store.postgres;

import dev.spindle.queue.StoreException;
import dev.spindle.queue.store.ChangeListeners;
import dev.spindle.store.jdbc.JdbcJobStore;
import dev.spindle.store.jdbc.SchemaStatus;
import dev.spindle.store.jdbc.ServerJobStore;
import dev.spindle.store.jdbc.ServerStoreBuilder;
import dev.spindle.store.jdbc.internal.ClaimPositions;
import dev.spindle.store.jdbc.internal.ServerClock;
import dev.spindle.store.jdbc.internal.SqlArrayClaims;
import dev.spindle.store.jdbc.internal.SqlArrayCompletions;
import dev.spindle.store.jdbc.internal.SqlArrayEnqueue;
import dev.spindle.store.jdbc.internal.SqlCallerEnqueue;
import dev.spindle.store.jdbc.internal.SqlHistoryPartitions;
import dev.spindle.store.jdbc.internal.SqlHistoryRetention;
import dev.spindle.store.jdbc.internal.SqlNumbering;
import dev.spindle.store.postgres.internal.Db;
import dev.spindle.store.postgres.internal.PostgresDialect;
import dev.spindle.store.postgres.internal.PostgresHistory;
import dev.spindle.store.postgres.internal.Schema;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The PostgreSQL job store: every operation is one short transaction on a pooled connection
 * (HikariCP, pgjdbc), so any number of worker processes on any number of hosts share one queue.
 *
 * <ul>
 *   <li>Claims lock ready rows with {@code FOR UPDATE SKIP LOCKED} along a partial ready index:
 *       workers never wait for each other's rows nor scan finished jobs.
 *   <li>Leases, due times and expiry use the server's clock ({@link ServerClock}), or an injected one.
 *   <li>Completions are fenced and applied one statement per outcome, releasing dependents in the
 *       same transaction.
 *   <li>Idle workers wake on a coalesced {@code NOTIFY} (with a poll of at most 1 s), or poll when
 *       {@link Builder#listenNotify(boolean)} is off (PgBouncer in transaction pooling mode).
 *   <li>{@link #enqueue(java.sql.Connection, List)} adds jobs in the caller's open transaction.
 *   <li>The schema is versioned ({@link Schema}): migrated forward on open, a newer one refused.
 *   <li>Credentials never appear in {@link #describe()}, messages or logs.
 * </ul>
 *
 * <table>
 *   <caption>Settings and defaults</caption>
 *   <tr><th>setting</th><th>default</th></tr>
 *   <tr><td>{@link Builder#schema}</td><td>the user's default ({@code search_path})</td></tr>
 *   <tr><td>{@link Builder#maxConnections}</td><td>8</td></tr>
 *   <tr><td>{@link Builder#listenNotify(boolean)}</td><td>true</td></tr>
 *   <tr><td>{@link Builder#pollInterval}</td><td>1 s with NOTIFY, 50 ms without</td></tr>
 *   <tr><td>{@link Builder#maxPayloadBytes}</td><td>16 MiB per argument or result</td></tr>
 * </table>
 *
 * <p>Thread-safe. Open with a {@link Builder} or {@code JobStores.open("postgres://host/db?user=u")}
 * (see {@link PostgresJobStoreProvider}).
 */
public final class PostgresJobStore extends ServerJobStore<Db.Conn> {
  /** The database a connection reaches: its name and the server's start time. */
  private static final String CALLER_IDENTITY = "SELECT current_database() || '@' || pg_postmaster_start_time()";
  private final PostgresSettings settings;
  private final dev.spindle.store.postgres.internal.ChangeFeed feed;
  private final SqlHistoryRetention<Db.Conn> retention;

  /** What the engine is built from, made before it is. */
  private record Parts(PostgresOpening opened, SqlHistoryRetention<Db.Conn> retention, JdbcJobStore.Builder<Db.Conn> engine) {
    static Parts of(PostgresSettings b) {
      ChangeListeners listeners = new ChangeListeners();
      PostgresOpening opened = PostgresOpening.open(b, listeners);
      Db db = opened.db();
      Clock clock = opened.clock();
      ClaimPositions positions = new ClaimPositions(b.nanoTime());
      SqlHistoryPartitions<Db.Conn> history = new SqlHistoryPartitions<>(db, clock, PostgresHistory.INSTANCE);
      boolean moving = Duration.ZERO.equals(b.archiveAfter());
      SqlHistoryRetention<Db.Conn> retention = new SqlHistoryRetention<>(db, PostgresDialect.INSTANCE, clock,
          b.archiveAfter(), history, opened.horizon()::read, b.nanoTime());
      if (moving) {
        history.prepare(); // the days successes move into from the first completion
      }
      JdbcJobStore.Builder<Db.Conn> engine = JdbcJobStore.builder(PostgresDialect.INSTANCE, db, clock)
          .listeners(listeners)
          .feed(opened.feed())
          .describe(b.describe())
          .maxPayloadBytes(b.maxPayloadBytes())
          .numbering(new SqlNumbering.Sequence<>(PostgresDialect.INSTANCE, opened.horizon().lockCall()))
          .finishCursor(opened.horizon()::read)
          .inserts(new SqlArrayEnqueue<>(PostgresDialect.INSTANCE))
          .claims(new SqlArrayClaims<>(PostgresDialect.INSTANCE, positions))
          .completions(new SqlArrayCompletions<>(PostgresDialect.INSTANCE, opened.horizon().lockCall(),
              moving ? history : null, positions::readied))
          .retention(retention::purgeExpired)
          // concurrent claims take turns per flow key: the check and the take of a key are one step; a
          // key another claim holds is skipped, never waited for (no lock-order deadlocks)
          .flowKeyLock("SELECT pg_try_advisory_xact_lock(hashtext('spindle-flow:' || current_schema() || ':' || ?))");
      return new Parts(opened, retention, engine);
    }
  }

  private PostgresJobStore(PostgresSettings b, Parts p) {
    super(p.engine(), p.opened().db(), CALLER_IDENTITY, callerSession(b.schema(), p.opened().feed()));
    this.settings = b;
    this.feed = p.opened().feed();
    this.retention = p.retention();
  }

  /**
   * On a caller's connection (transactional enqueue, a step in the caller's transaction): the store's
   * schema on the {@code search_path} for the store's statements only, and a NOTIFY delivered at the
   * caller's commit (none when NOTIFY is off).
   */
  private static SqlCallerEnqueue.Session<Db.Conn> callerSession(@Nullable String schema,
      dev.spindle.store.postgres.internal.ChangeFeed feed) {
    return SqlCallerEnqueue.session(schema == null ? null : new SqlCallerEnqueue.Setting<>(
        "SELECT current_setting('search_path')", "SELECT set_config('search_path', ?, true)", "\"" + schema + "\""),
        feed::notifyIn);
  }

  /** A builder for the store on {@code host:port/database} as {@code user}. */
  public static Builder builder(String host, int port, String database, String user) {
    return new Builder(host, port, database, user);
  }

  /** The schema the store's tables live in, or null for the user's default. */
  public @Nullable String schema() {
    return settings.schema();
  }

  /** Whether idle workers are woken by NOTIFY (else by polling). */
  public boolean notifying() {
    return feed.notifying();
  }

  /** How many times a LISTEN/NOTIFY notification (not the fallback poll) woke this store's listeners. */
  long wakeUpsByNotification() {
    return feed.wakeUpsByNotification();
  }

  /**
   * For tests and tools: moves up to {@code batch} finished jobs older than the archive delay to
   * the history now (retention does this on its own).
   *
   * @return how many moved (0 when archiving is off)
   */
  public int archiveFinished(int batch) {
    return retention.archive(batch);
  }

  @Override
  public String toString() {
    return "PostgresJobStore[" + describe() + (feed.notifying() ? ", notify" : ", poll") + "]";
  }

  /**
   * Validates settings as they are given; the shared ones are {@link ServerStoreBuilder}'s ({@link
   * #pollInterval}: default 1 s with NOTIFY, 50 ms without; LISTEN uses one connection besides
   * {@link #maxConnections}). Not thread-safe.
   */
  public static final class Builder extends ServerStoreBuilder<Builder> {
    private @Nullable String schema;
    private boolean notify = true;
    private @Nullable Duration archiveAfter = Duration.ZERO;
    private LongSupplier nanoTime = System::nanoTime;

    private Builder(String host, int port, String database, String user) {
      super(host, port, database, user);
    }

    /**
     * The schema that holds the store's tables (created if missing); default: the user's {@code
     * search_path}. Stores in different schemas are independent. Read in lower case, as SQL reads an
     * unquoted identifier ({@code Jobs} is {@code jobs}).
     */
    public Builder schema(@Nullable String schema) {
      if (schema != null && !schema.matches("[A-Za-z_][A-Za-z0-9_]{0,62}")) {
        throw new IllegalArgumentException("schema must be a plain identifier (letters, digits, _): " + schema);
      }
      this.schema = schema == null ? null : schema.toLowerCase(java.util.Locale.ROOT);
      return this;
    }

    /**
     * Whether idle workers are woken by LISTEN/NOTIFY (default true). Turn it off behind PgBouncer
     * in transaction pooling mode, where LISTEN does not work: workers then poll.
     */
    public Builder listenNotify(boolean on) {
      this.notify = on;
      return this;
    }

    /**
     * How long a finished job stays in the hot table before retention moves it to the history,
     * partitioned by expiry day so expired days are dropped as tables (default 0); null never moves
     * them. With 0 a success moves as it completes (when its day's partition exists) and other
     * finished jobs at the next retention run; jobs of a workflow and jobs kept for no time
     * stay in the hot table.
     */
    public Builder archiveAfter(@Nullable Duration after) {
      if (after != null && after.isNegative()) {
        throw new IllegalArgumentException("archiveAfter must be >= 0: " + after);
      }
      this.archiveAfter = after;
      return this;
    }

    /** The monotonic clock of in-process intervals, in nanoseconds (default {@code System::nanoTime}); for tests. */
    Builder nanoTime(LongSupplier nanoTime) {
      this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
      return this;
    }

    @Override
    public SchemaStatus schemaStatus() {
      return PostgresOpening.schemaStatus(settings());
    }

    private PostgresSettings settings() {
      return new PostgresSettings(location("postgres"), jdbcUrl("postgresql"), driverProperties(), schema, poolSize(),
          notify, givenPollInterval(), payloadLimit(), givenClock(), archiveAfter, nanoTime);
    }

    /**
     * Connects, creates or migrates the schema, and opens the store.
     *
     * @throws StoreException if it cannot be opened (the message says why, without the password)
     */
    public PostgresJobStore open() {
      PostgresSettings s = settings();
      return new PostgresJobStore(s, Parts.of(s));
    }
  }
}
