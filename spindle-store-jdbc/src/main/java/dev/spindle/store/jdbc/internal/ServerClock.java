package dev.spindle.store.jdbc.internal;

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
 * A server database's clock as seen from this process: the server's time (read by the database's
 * {@code nowMicros} query), corrected by half the round trip, plus the time elapsed since on the
 * monotonic clock, measured again at most {@link #RESAMPLE_NANOS} later. Every process of one store
 * so reads leases, due times and expiry on the one server clock (within half a round trip plus the
 * monotonic clock's drift over a few seconds), without a round trip per transaction, and a step of
 * this host's wall clock (an NTP correction, a VM restored from a snapshot) does not move it.
 *
 * <p>A failed measurement keeps the last one (the local wall clock, read once, before the first).
 * The first is taken by the constructor, later ones in the background on a virtual thread of their
 * own: reading the clock never waits for the database (a measurement waiting for a pooled
 * connection while the reader holds one would wait for itself with a pool of one). Thread-safe; UTC.
 */
public final class ServerClock extends Clock {
  /** How old a measurement may get before the next read measures again (5 s). */
  public static final long RESAMPLE_NANOS = 5_000_000_000L;

  private final SqlDb<?> db;
  private final String nowMicros;
  private final Clock local;
  private final LongSupplier nanos;
  private final String threadName;
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

  /**
   * Measures once, on this host's wall clock and {@link System#nanoTime()}.
   *
   * @param nowMicros a query of one row and column: the server's time in microseconds since the epoch
   */
  public ServerClock(SqlDb<?> db, String nowMicros, String threadName) {
    this(db, nowMicros, threadName, Clock.systemUTC(), System::nanoTime);
  }

  /**
   * Measures once.
   *
   * @param local the local wall clock (only for {@link #offsetMicros()} and before the first measurement)
   * @param nanos the monotonic clock, in nanoseconds
   */
  public ServerClock(SqlDb<?> db, String nowMicros, String threadName, Clock local, LongSupplier nanos) {
    this.db = db;
    this.nowMicros = nowMicros;
    this.threadName = threadName;
    this.local = local;
    this.nanos = nanos;
    this.last = new Sample(micros(local.instant()), nanos.getAsLong(), 0);
    sample();
  }

  /** Runs {@code nowMicros} on {@code c}: the server's time in microseconds since the epoch (one round trip). */
  public static long read(Connection c, String nowMicros) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(nowMicros)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * Measures the server's time, timed around the query alone on a connection already taken: the
   * wait for a pooled connection (or for a new one) would otherwise count as round trip and put the
   * measurement up to half that wait off.
   */
  private void sample() {
    try {
      last = db.read("read the server clock", c -> {
        long t0 = nanos.getAsLong();
        long local0 = micros(local.instant());
        long server = read(c.jdbc(), nowMicros);
        long t1 = nanos.getAsLong();
        long halfRtt = (t1 - t0) / 2000;
        return new Sample(server + halfRtt, t1, server - (local0 + halfRtt));
      });
    } catch (RuntimeException e) {
      // keep the last measurement; a later read tries again
    }
    sampledAt = nanos.getAsLong();
  }

  /** The server clock minus the local wall clock, in microseconds, as last measured (0 before the first). */
  public long offsetMicros() {
    return last.offsetMicros();
  }

  @Override
  public Instant instant() {
    long now = nanos.getAsLong();
    if (now - sampledAt > RESAMPLE_NANOS && sampling.compareAndSet(false, true)) {
      Thread.ofVirtual().name(threadName).start(() -> {
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

  /** This clock for UTC; a fixed clock at this instant for another zone. */
  @Override
  public Clock withZone(ZoneId zone) {
    return zone.equals(ZoneOffset.UTC) ? this : Clock.fixed(instant(), zone);
  }
}
