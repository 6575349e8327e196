package dev.spindle.store.jdbc;

import java.time.Clock;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The settings every SQL store's builder shares: the largest payload stored and the store's clock.
 * Each store's builder extends it (a server database's through {@link ServerStoreBuilder}) and holds
 * only its own settings. Setters validate as they are given. Not thread-safe.
 *
 * @param <B> the store's builder type, returned by the setters
 */
public abstract class JdbcStoreBuilder<B extends JdbcStoreBuilder<B>> {
  /** The default of {@link #maxPayloadBytes(int)}: 16 MiB. */
  public static final int DEFAULT_MAX_PAYLOAD_BYTES = 16 << 20;

  private int maxPayloadBytes = DEFAULT_MAX_PAYLOAD_BYTES;
  private @Nullable Clock clock;

  /** For subclasses. */
  protected JdbcStoreBuilder() {}

  /** This builder, as its own type. */
  @SuppressWarnings("unchecked")
  protected final B self() {
    return (B) this;
  }

  /**
   * The largest argument or result stored, in UTF-8 bytes (default 16 MiB).
   *
   * @throws IllegalArgumentException if below 16
   */
  public B maxPayloadBytes(int bytes) {
    if (bytes < 16) {
      throw new IllegalArgumentException("maxPayloadBytes must be >= 16: " + bytes);
    }
    this.maxPayloadBytes = bytes;
    return self();
  }

  /**
   * The store's clock, on which leases, heartbeats, due times and expiry are read, whatever the
   * callers' clocks say. Default: the store's own (a server database's clock, or the host kernel's
   * real-time clock for an embedded store). Tests give a manual clock.
   */
  public B clock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return self();
  }

  /** The {@link #maxPayloadBytes(int)} set. */
  protected final int payloadLimit() {
    return maxPayloadBytes;
  }

  /** The {@link #clock(Clock)} given, or null for the store's own. */
  protected final @Nullable Clock givenClock() {
    return clock;
  }
}
