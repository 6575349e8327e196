package dev.spindle.coordination;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This process's membership of a group ({@link Coordinator#join}): joined at once, kept alive by a
 * heartbeat every {@link Coordinator.Settings#heartbeatInterval()}; a member that stops (crash,
 * {@code kill -9}) is dropped by the store after {@link Coordinator.Settings#memberTtl()}. A
 * heartbeat that finds the member gone (it was silent too long) joins it again. Thread-safe;
 * {@link #close()} leaves the group (idempotent).
 */
public final class Membership implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Membership.class);

  private final Coordinator coordinator;
  private final String group;
  private final String memberId;
  private final String capabilities;
  private volatile @Nullable ScheduledFuture<?> beats;
  private volatile boolean closed;

  Membership(Coordinator coordinator, String group, String memberId, String capabilities) {
    this.coordinator = coordinator;
    this.group = group;
    this.memberId = memberId;
    this.capabilities = capabilities;
  }

  void start(ScheduledExecutorService scheduler) {
    coordinator.backend().heartbeat(group, memberId, capabilities, coordinator.settings().memberTtl());
    long every = coordinator.settings().heartbeatInterval().toNanos();
    beats = scheduler.scheduleAtFixedRate(this::beat, every, every, TimeUnit.NANOSECONDS);
  }

  private void beat() {
    if (closed) {
      return;
    }
    try {
      if (coordinator.backend().heartbeat(group, memberId, capabilities, coordinator.settings().memberTtl())) {
        LOG.warn("member {} of {} had expired (heartbeats late by more than the TTL); joined again", memberId, group);
      }
    } catch (RuntimeException e) {
      LOG.warn("member {} of {}: heartbeat failed: {}", memberId, group, e.toString());
    }
  }

  /** The group. */
  public String group() {
    return group;
  }

  /** This member's id. */
  public String memberId() {
    return memberId;
  }

  /** The capabilities (JSON) this member joined with. */
  public String capabilitiesJson() {
    return capabilities;
  }

  /** Stops heartbeating and leaves the group. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    ScheduledFuture<?> b = beats;
    if (b != null) {
      b.cancel(false);
    }
    coordinator.forget(this);
    coordinator.backend().leave(group, memberId);
  }
}
