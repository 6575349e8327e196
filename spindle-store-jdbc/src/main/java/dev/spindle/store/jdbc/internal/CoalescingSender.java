package dev.spindle.store.jdbc.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a message (a database notification, say) on a thread of its own after {@link #signal}s,
 * coalesced: signals while a send is in flight make at most one more. {@link #signal} never blocks,
 * on the database or on a lock, so every commit of a process may call it: while a send is in flight
 * a signal is one read. The thread starts on the first signal; a failed send (an exception or an
 * {@link Error}) is logged and does not end it. Thread-safe.
 */
public final class CoalescingSender implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CoalescingSender.class);
  /** No send is in flight. */
  private static final int IDLE = 0;
  /** A send is in flight (or about to be) for every signal so far. */
  private static final int SENDING = 1;
  /** A send is in flight, and signals came after it began: one more follows it. */
  private static final int AGAIN = 2;

  /** The send itself, on the sender's thread. */
  @FunctionalInterface
  public interface Send {
    /** Sends once; an exception is logged and the next signal sends again. */
    void send();
  }

  private final String name;
  private final Send send;
  /** {@link #IDLE}, {@link #SENDING} or {@link #AGAIN}: changed by compare-and-set, never under a lock. */
  private final AtomicInteger state = new AtomicInteger(IDLE);
  private final Object starting = new Object();
  private volatile @Nullable Thread thread;
  private volatile boolean closed;

  /** A sender whose thread is named {@code name} (a daemon), sending with {@code send}. */
  public CoalescingSender(String name, Send send) {
    this.name = name;
    this.send = send;
  }

  /** Asks for one send soon, coalesced with the other signals; does nothing once closed. */
  public void signal() {
    if (closed) {
      return;
    }
    for (int s; (s = state.get()) != AGAIN; ) {
      if (s == SENDING ? state.compareAndSet(SENDING, AGAIN) : state.compareAndSet(IDLE, SENDING)) {
        if (s == IDLE) {
          wake();
        }
        return;
      }
    }
  }

  /** Wakes the sending thread, started on the first signal (by the one caller that moved IDLE to SENDING). */
  private void wake() {
    Thread t = thread;
    if (t == null) {
      synchronized (starting) {
        if (thread == null) {
          thread = Thread.ofPlatform().daemon().name(name).start(this::loop);
        }
      }
    } else {
      LockSupport.unpark(t);
    }
  }

  private void loop() {
    while (!closed) {
      while (state.get() == IDLE && !closed) {
        LockSupport.parkNanos(this, TimeUnit.SECONDS.toNanos(1));
        if (Thread.currentThread().isInterrupted()) {
          return;
        }
      }
      if (closed) {
        return;
      }
      try {
        send.send();
      } catch (RuntimeException e) {
        LOG.debug("{}: send failed: {}", name, e.toString());
      } catch (Error e) {
        // not the end of this thread: signals would pile up unsent for good
        LOG.warn("{}: send failed", name, e);
      }
      if (!state.compareAndSet(SENDING, IDLE)) {
        state.set(SENDING); // AGAIN: one more for the signals that came while this one was sent
      }
    }
  }

  /** Stops the thread after its current send; later signals do nothing. */
  @Override
  public void close() {
    closed = true;
    Thread t = thread;
    if (t != null) {
      LockSupport.unpark(t);
    }
  }
}
