package dev.spindle.store.redis.internal;

import dev.spindle.queue.spi.Subscription;
import dev.spindle.queue.store.ChangeListeners;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.net.SocketAddress;
import java.util.HexFormat;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Change notifications and the connection watchdog of one store instance.
 *
 * <p>The scripts {@code PUBLISH} on the namespace's channel when jobs become ready or finish, or
 * schedules and limits change, but only while somebody waits: the key {@code <prefix>wait} is set
 * by a claim that found fewer jobs than asked and by {@link Subscription#waiting()}, and the first
 * change after it deletes it and publishes. A busy fleet therefore publishes nothing, and an idle
 * one is woken by one message. This class subscribes (one pub/sub connection, opened with the first
 * {@link #subscribe}) and calls the listeners on Lettuce's thread. Messages lost while disconnected
 * are covered by one spurious call after every reconnect (listeners then look at the store
 * themselves), and a wait that heard nothing for one {@code watchdogInterval} announces itself
 * again, so no lost message silences the waits after it.
 *
 * <p>The watchdog (one daemon thread, started with the first subscription) runs every
 * {@code watchdogInterval}. It pings over the command connection, so a connection that stopped
 * answering is noticed and replaced even when the store is idle, and it publishes a canary on a
 * channel only this instance listens to: if the canary does not come back within two intervals
 * while commands work, the subscription is dead in a way the client did not notice (a half-open
 * socket, a server that forgot it) and is made again, followed by a call to the listeners. So a
 * consumer can never stay alive but deaf. Thread-safe.
 */
public final class ChangeFeed implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ChangeFeed.class);

  private final RedisLink link;
  private final String channel;
  private final String canary;
  private final String waitKey;
  /**
   * When (System.nanoTime, never 0) this instance last sent {@code SET <prefix>wait}, or 0 once a
   * message came since: the key is deleted only by a script that publishes, so while a message is
   * on its way another SET would change nothing. A message can still be lost (published while the
   * subscription reconnects, or not yet relayed between the nodes of a new cluster), so after one
   * {@code watchdogInterval} without a message a wait announces itself again; otherwise one lost
   * message would leave this instance's waits unannounced for good.
   */
  private final AtomicLong armedAt = new AtomicLong();
  private final long intervalNanos;
  private final ChangeListeners listeners = new ChangeListeners();
  private final Object lock = new Object();
  private final AtomicLong resubscriptions = new AtomicLong();
  private @Nullable StatefulRedisPubSubConnection<String, String> pubsub;
  private @Nullable ScheduledExecutorService watchdog;
  private volatile long lastCanaryNanos;
  /** When the outstanding canary was sent, or 0 if none is outstanding. */
  private volatile long canarySentNanos;
  private volatile boolean closed;

  public ChangeFeed(RedisLink link) {
    this.link = link;
    String prefix = link.config().keyPrefix();
    this.channel = prefix + "ev";
    this.waitKey = prefix + "wait";
    this.canary = prefix + "wd:" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    this.intervalNanos = link.config().watchdogInterval().toNanos();
    link.addListener(new RedisConnectionStateListener() {
      @Override
      public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
        if (connection == pubsub) {
          canarySentNanos = 0; // a canary sent before the reconnect is lost, not a sign of a dead subscription
          changed();
        }
      }
    });
  }

  /** The channel the scripts publish changes on. */
  public String channel() {
    return channel;
  }

  /** How many times the watchdog had to make the subscription again. */
  public long resubscriptions() {
    return resubscriptions.get();
  }

  /** Adds a listener; see {@link dev.spindle.queue.spi.JobStore#subscribe}. */
  public Subscription subscribe(Runnable onChange) {
    Subscription added = listeners.add(onChange);
    Subscription s = new Subscription() {
      @Override
      public void waiting() {
        arm();
      }

      @Override
      public void close() {
        added.close();
      }
    };
    synchronized (lock) {
      if (watchdog == null && !closed) {
        tryConnect();
        watchdog = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon()
            .name("spindle-redis-watchdog").unstarted(r));
        watchdog.scheduleWithFixedDelay(this::check, intervalNanos, intervalNanos, TimeUnit.NANOSECONDS);
      }
    }
    return s;
  }

  /**
   * Makes the next change publish (sets {@code <prefix>wait}), unless this instance set it less than
   * a {@code watchdogInterval} ago and no message came since. A failure is logged, not thrown: the
   * waiter's fallback poll covers it.
   */
  void arm() {
    long now = System.nanoTime() | 1; // never 0
    long at = armedAt.get();
    if ((at == 0 || now - at > intervalNanos) && armedAt.compareAndSet(at, now)) {
      try {
        link.call("announce a wait", false, c -> c.set(waitKey, "1"));
      } catch (RuntimeException e) {
        armedAt.set(0);
        LOG.debug("cannot announce a wait to Redis at {} ({}); the waiter polls", link.where(), e.toString());
      }
    }
  }

  /** Something may have changed: the next wait must announce itself again; calls the listeners. */
  private void changed() {
    armedAt.set(0);
    listeners.fire();
  }

  /** Opens and subscribes the pub/sub connection; the caller holds the lock. False if Redis is unreachable. */
  private boolean tryConnect() {
    StatefulRedisPubSubConnection<String, String> c = null;
    try {
      c = link.connectPubSub();
      c.addListener(new RedisPubSubAdapter<>() {
        @Override
        public void message(String ch, String message) {
          if (canary.equals(ch)) {
            lastCanaryNanos = System.nanoTime();
          } else {
            changed();
          }
        }
      });
      c.sync().subscribe(channel, canary);
      pubsub = c;
      canarySentNanos = 0;
      return true;
    } catch (RuntimeException e) {
      if (c != null) {
        c.closeAsync();
      }
      LOG.warn("cannot subscribe to change notifications of Redis at {} yet ({}); consumers poll meanwhile and the "
          + "watchdog retries", link.where(), e.getMessage());
      return false;
    }
  }

  private void check() {
    if (closed) {
      return;
    }
    boolean commandsWork;
    try {
      link.call("watchdog ping", false, c -> c.ping());
      commandsWork = true;
    } catch (RuntimeException e) {
      commandsWork = false; // the link reconnects or replaces its connection itself
    }
    synchronized (lock) {
      if (closed || !commandsWork) {
        return;
      }
      long now = System.nanoTime();
      long sent = canarySentNanos;
      if (pubsub == null) {
        if (tryConnect()) {
          changed();
        }
      } else if (sent != 0 && lastCanaryNanos - sent < 0 && now - sent > 2 * intervalNanos) {
        LOG.warn("change notifications from Redis at {} stopped arriving (the watchdog's canary did not come back in "
            + "{} ms); subscribing again", link.where(), TimeUnit.NANOSECONDS.toMillis(now - sent));
        pubsub.closeAsync();
        pubsub = null;
        resubscriptions.incrementAndGet();
        tryConnect();
        changed();
      }
      if (pubsub != null && (canarySentNanos == 0 || lastCanaryNanos - canarySentNanos >= 0)) {
        canarySentNanos = System.nanoTime();
        link.fire(c -> c.publish(canary, "1"));
      }
    }
  }

  /** Stops the watchdog and the calls; the link's shutdown closes the pub/sub connection. Idempotent. */
  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      if (watchdog != null) {
        watchdog.shutdownNow();
      }
      pubsub = null;
    }
    listeners.clear();
  }
}
