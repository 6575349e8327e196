package dev.spindle.store.postgres.internal;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The PostgreSQL server's clock as seen from this process: the offset between the server's
 * {@code clock_timestamp()} and this JVM's clock, measured with the round trip's midpoint and
 * measured again at most {@link #RESAMPLE_NANOS} later, applied to the local clock. Every process of
 * one store so reads leases, due times and expiry on the one server clock (within half a round trip
 * plus the local clocks' drift over a few seconds), without a round trip per transaction.
 *
 * <p>A failed measurement keeps the last offset (0 before the first). The first is taken by the
 * constructor, later ones in the background: reading the clock never waits for the database.
 * Thread-safe.
 */
public final class DbClock extends Clock {
  /** How old a measurement may get before the next read measures again (5 s). */
  public static final long RESAMPLE_NANOS = 5_000_000_000L;

  private final Db db;
  private volatile long offsetMicros;
  private volatile long sampledAt = Long.MIN_VALUE;
  /** Whether a measurement is under way (one at a time). */
  private final AtomicBoolean sampling = new AtomicBoolean();

  /** Measures once. */
  public DbClock(Db db) {
    this.db = db;
    sample();
  }

  private void sample() {
    long t0 = System.nanoTime();
    long local0 = micros(Instant.now());
    try {
      long server = db.read("read the server clock", c -> {
        try (Statement st = c.jdbc().createStatement();
             ResultSet rs = st.executeQuery("SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint")) {
          rs.next();
          return rs.getLong(1);
        }
      });
      long rtt = System.nanoTime() - t0;
      offsetMicros = server - (local0 + rtt / 2000);
    } catch (RuntimeException e) {
      // keep the last offset; a later read tries again
    }
    sampledAt = System.nanoTime();
  }

  /** Measures the offset on {@code c} (for tests and after a reconnect). */
  public static long serverMicros(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** The server clock minus the local one, in microseconds, as last measured. */
  public long offsetMicros() {
    return offsetMicros;
  }

  @Override
  public Instant instant() {
    if (System.nanoTime() - sampledAt > RESAMPLE_NANOS && sampling.compareAndSet(false, true)) {
      // measured on a thread of its own, the last offset used meanwhile: store transactions read this
      // clock while they hold a pooled connection, and a measurement waiting here for another one
      // waited for itself with a pool of one (and for each other when every connection read the clock)
      Thread.ofVirtual().name("spindle-pg-clock").start(() -> {
        try {
          sample();
        } finally {
          sampling.set(false);
        }
      });
    }
    return Instant.now().plusNanos(offsetMicros * 1000);
  }

  private static long micros(Instant t) {
    return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("the database clock is UTC");
  }
}
