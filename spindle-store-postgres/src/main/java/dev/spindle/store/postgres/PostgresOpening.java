package dev.spindle.store.postgres;

import dev.spindle.queue.store.ChangeListeners;
import dev.spindle.store.jdbc.SchemaStatus;
import dev.spindle.store.jdbc.internal.ServerClock;
import dev.spindle.store.postgres.internal.ChangeFeed;
import dev.spindle.store.postgres.internal.Db;
import dev.spindle.store.postgres.internal.FinishHorizon;
import dev.spindle.store.postgres.internal.Schema;
import dev.spindle.store.postgres.internal.VacuumAdvice;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a {@link PostgresJobStore} opens: the schema created and migrated to {@link Schema#VERSION}
 * (a newer one refused), the pool connected, the clock and {@link FinishHorizon} chosen, autovacuum
 * advice logged and the {@link ChangeFeed} made (not started); {@link #schemaStatus} reads without
 * opening. The opened parts, immutable.
 *
 * @param db the connection pool, the store's from now on (closed by the store)
 * @param clock the store's one clock: the given one, else the server's ({@link ServerClock})
 * @param horizon the safe horizon of the finished feed, on the schema's lock key
 * @param feed the change feed (LISTEN/NOTIFY or poll), not yet started
 */
record PostgresOpening(Db db, Clock clock, FinishHorizon horizon, ChangeFeed feed) {
  /** Logs as the store does (the advice is about the store being opened). */
  private static final Logger LOG = LoggerFactory.getLogger(PostgresJobStore.class);

  /**
   * Connects, creates or migrates the schema, and prepares what the store runs on.
   *
   * @param listeners the store's listeners, which the feed wakes
   * @throws dev.spindle.queue.StoreException if it cannot be opened (the pool is closed again)
   */
  static PostgresOpening open(PostgresSettings b, ChangeListeners listeners) {
    String describe = b.describe();
    Properties props = b.properties();
    String url = b.url();
    b.createSchema();
    Db db = new Db(describe, url, props, b.maxConnections());
    Clock clock;
    FinishHorizon horizon;
    try {
      int found = db.read("read the schema version", Schema::version);
      if (found != Schema.VERSION) {
        db.write("migrate the schema", c -> Schema.migrate(c, describe));
      }
      Clock given = b.clock();
      clock = given != null ? given : new ServerClock(db, Db.NOW_MICROS, "spindle-pg-clock");
      horizon = new FinishHorizon(db.read("read the schema's lock key", FinishHorizon::keyOf));
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
    adviseOnVacuum(db, describe);
    Duration pollInterval = b.pollInterval();
    long poll = pollInterval != null ? pollInterval.toNanos()
        : b.notifyOn() ? Duration.ofSeconds(1).toNanos() : Duration.ofMillis(50).toNanos();
    ChangeFeed feed = new ChangeFeed(db, "spindle_" + (b.schema() == null ? "public" : b.schema()), b.notifyOn(), poll,
        listeners);
    return new PostgresOpening(db, clock, horizon, feed);
  }

  /** Logs what the server's autovacuum settings mean for a busy job table, if anything (never fails the open). */
  private static void adviseOnVacuum(Db db, String describe) {
    try {
      db.read("read the autovacuum settings", VacuumAdvice::read).ifPresent(a -> {
        if (a.serious()) {
          LOG.warn("{}: {}", describe, a.text());
        } else {
          LOG.info("{}: {}", describe, a.text());
        }
      });
    } catch (RuntimeException e) {
      LOG.debug("{}: could not read the autovacuum settings", describe, e);
    }
  }

  /**
   * {@link PostgresJobStore.Builder#schemaStatus}: the schema version at this location and the
   * pending migration, read on one plain connection without changing anything.
   *
   * @throws dev.spindle.queue.StoreException if the server cannot be reached
   */
  static SchemaStatus schemaStatus(PostgresSettings s) {
    try (Connection c = DriverManager.getConnection(s.url(), s.properties())) {
      Db.Conn conn = new Db.Conn(c);
      try {
        int found = Schema.version(conn);
        return new SchemaStatus(s.describe(), found, Schema.VERSION, Schema.pending(found));
      } finally {
        conn.closeStatements();
      }
    } catch (SQLException e) {
      throw Db.translate(e, "read the schema version", s.describe());
    }
  }
}
