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
import java.util.function.LongSupplier;

/**
 * The PostgreSQL server's clock as seen from this process: the server's {@code clock_timestamp()},
 * corrected by half the round trip, plus the time elapsed since on the monotonic clock ({@link
 * System#nanoTime()}), measured again at most {@link #RESAMPLE_NANOS} later. Every process of one
 * store so reads leases, due times and expiry on the one server clock (within half a round trip
 * plus the monotonic clock's drift over a few seconds), without a round trip per transaction, and a
 * step of this host's wall clock (an NTP correction, a VM restored from a snapshot) does not move
 * it: on the wall clock, a step back by an hour wrote every heartbeat's lease an hour in the past
 * until the next measurement, and a step forward expired every lease of the cluster.
 *
 * <p>A failed measurement keeps the last one (the local wall clock, read once, before the first).
 * The first is taken by the constructor, later ones in the background: reading the clock never
 * waits for the database. Thread-safe.
 */
public final class DbClock extends Clock {
  /** How old a measurement may get before the next read measures again (5 s). */
  public static final long RESAMPLE_NANOS = 5_000_000_000L;

  private final Db db;
  private final Clock local;
  private final LongSupplier nanos;
  private volatile Sample last;
  /** When a measurement last ended, successful or not (nanos). */
  private volatile long sampledAt;
  /** Whether a measurement is under way (one at a time). */
  private final AtomicBoolean sampling = new AtomicBoolean();

  /**
   * A measurement: the server's time {@code serverMicros} (us) at the monotonic time {@code nanos},
   * and the server clock minus the local wall clock then ({@code offsetMicros}, us).
   */
  private record Sample(long serverMicros, long nanos, long offsetMicros) {}

  /** Measures once, on this host's wall clock and {@link System#nanoTime()}. */
  public DbClock(Db db) {
    this(db, Clock.systemUTC(), System::nanoTime);
  }

  /**
   * Measures once.
   *
   * @param local the local wall clock (only for {@link #offsetMicros()} and before the first measurement)
   * @param nanos the monotonic clock, in nanoseconds
   */
  DbClock(Db db, Clock local, LongSupplier nanos) {
    this.db = db;
    this.local = local;
    this.nanos = nanos;
    this.last = new Sample(micros(local.instant()), nanos.getAsLong(), 0);
    sample();
  }

  private void sample() {
    long t0 = nanos.getAsLong();
    long local0 = micros(local.instant());
    try {
      long server = db.read("read the server clock", c -> serverMicros(c.jdbc()));
      long t1 = nanos.getAsLong();
      long halfRtt = (t1 - t0) / 2000;
      last = new Sample(server + halfRtt, t1, server - (local0 + halfRtt));
    } catch (RuntimeException e) {
      // keep the last measurement; a later read tries again
    }
    sampledAt = nanos.getAsLong();
  }

  /** The server's {@code clock_timestamp()} read on {@code c}, in microseconds since the epoch. */
  public static long serverMicros(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** The server clock minus the local wall clock, in microseconds, as last measured (0 before the first). */
  public long offsetMicros() {
    return last.offsetMicros();
  }

  @Override
  public Instant instant() {
    long now = nanos.getAsLong();
    if (now - sampledAt > RESAMPLE_NANOS && sampling.compareAndSet(false, true)) {
      // measured on a thread of its own, the last measurement used meanwhile: store transactions read this
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
    Sample s = last;
    return Instant.ofEpochSecond(Math.floorDiv(s.serverMicros(), 1_000_000L),
        Math.floorMod(s.serverMicros(), 1_000_000L) * 1000 + (now - s.nanos()));
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
