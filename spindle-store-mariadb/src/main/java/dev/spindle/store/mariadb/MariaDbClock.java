package dev.spindle.store.mariadb;

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
 * The store's clock: the MariaDB server's, so that every worker judges leases and due times on one
 * clock whatever its own says. It measures the server's time once and then every {@value
 * #RESAMPLE_NANOS} ns (on a thread of its own, the last measurement used meanwhile) and runs on
 * the monotonic clock between measurements. Thread-safe; UTC.
 */
final class MariaDbClock extends Clock {
  /** The server's time in microseconds since the epoch, independent of the session's time zone. */
  static final String NOW_MICROS = "CAST(UNIX_TIMESTAMP(SYSDATE(6)) * 1000000 AS SIGNED)";
  static final long RESAMPLE_NANOS = 5_000_000_000L;

  private final MariaDbDb db;
  private final AtomicBoolean sampling = new AtomicBoolean();
  private volatile Sample last;

  /** The server's time (us) at the monotonic time {@code nanos}. */
  private record Sample(long serverMicros, long nanos) {}

  /** Measures once. */
  MariaDbClock(MariaDbDb db) {
    this.db = db;
    this.last = new Sample(Math.multiplyExact(System.currentTimeMillis(), 1000L), System.nanoTime());
    sample();
  }

  /** Reads the server's time in microseconds since the epoch (one round trip). */
  static long micros(Connection c) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT " + NOW_MICROS)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private void sample() {
    long t0 = System.nanoTime();
    try {
      long server = db.read("read the server clock", c -> micros(c.jdbc()));
      long t1 = System.nanoTime();
      last = new Sample(server + (t1 - t0) / 2000, t1);
    } catch (RuntimeException e) {
      last = new Sample(last.serverMicros() + (System.nanoTime() - last.nanos()) / 1000, System.nanoTime());
    }
  }

  @Override
  public Instant instant() {
    long now = System.nanoTime();
    Sample s = last;
    if (now - s.nanos() > RESAMPLE_NANOS && sampling.compareAndSet(false, true)) {
      Thread.ofVirtual().name("spindle-mariadb-clock").start(() -> {
        try {
          sample();
        } finally {
          sampling.set(false);
        }
      });
    }
    long us = s.serverMicros() + (now - s.nanos()) / 1000;
    return Instant.ofEpochSecond(Math.floorDiv(us, 1_000_000L), Math.floorMod(us, 1_000_000L) * 1000L);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return zone.equals(ZoneOffset.UTC) ? this : Clock.fixed(instant(), zone);
  }
}
