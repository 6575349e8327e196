package dev.spindle.process;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.spindle.process.internal.shm.Backoff;
import dev.spindle.process.internal.shm.MappedWords;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;

/**
 * A condition variable shared by processes (Python's {@code multiprocessing.Condition}), bound to a
 * {@link SharedRLock}: {@link #await} releases the lock, waits for a {@link #signal(int)} or
 * {@link #signalAll()}, and takes the lock back (as often as it was held). Waiters are woken in
 * arrival order: each takes a ticket, and a signal grants the next tickets. A waiter that timed out
 * keeps its ticket, so a later {@code signal(n)} may spend a grant on it; wait in a loop on a
 * predicate (as with every condition variable) or use {@link #signalAll()}. Waiting polls with a
 * backoff capped at 1 ms. Pass it inside a task input: it serializes to its {@link Descriptor}.
 * Thread-safe and process-safe; the creator's {@link #close()} removes its file (not the lock's).
 */
public final class SharedCondition implements AutoCloseable {
  private static final long KIND = 14;
  private static final int ISSUED = 0;
  private static final int GRANTED = 1;

  /** How another process finds the condition and its lock. */
  public record Descriptor(String path, SharedRLock.Descriptor lock) {}

  private final MappedWords words;
  private final SharedRLock lock;
  private final boolean owner;

  private SharedCondition(MappedWords words, SharedRLock lock, boolean owner) {
    this.words = words;
    this.lock = lock;
    this.owner = owner;
  }

  /** A condition bound to {@code lock}. */
  public static SharedCondition create(SharedRLock lock) {
    return new SharedCondition(MappedWords.createShared("condition", KIND, 2), lock, true);
  }

  /**
   * Attaches to a condition created elsewhere (and to its lock).
   *
   * @throws IllegalArgumentException if the descriptor does not name a condition of this user
   */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static SharedCondition open(Descriptor descriptor) {
    return new SharedCondition(MappedWords.openShared(descriptor.path(), "condition", KIND, 2),
        SharedRLock.open(descriptor.lock()), false);
  }

  /** What to send to another process. */
  @JsonValue
  public Descriptor descriptor() {
    return new Descriptor(words.path().toString(), lock.descriptor());
  }

  /** The lock. */
  public SharedRLock lock() {
    return lock;
  }

  /**
   * Releases the lock, waits at most {@code timeout} for a signal, then takes the lock back.
   *
   * @return true if signalled, false on timeout
   * @throws IllegalMonitorStateException if the calling thread does not hold the lock
   * @throws InterruptedException if interrupted while waiting (the lock is held again)
   */
  public boolean await(Duration timeout) throws InterruptedException {
    long held = lock.holdCount();
    if (held == 0) {
      throw new IllegalMonitorStateException("await() without holding " + lock);
    }
    long ticket = words.getAndAdd(ISSUED, 1);
    for (long i = 0; i < held; i++) {
      lock.unlock();
    }
    long deadline = System.nanoTime() + SharedEvent.saturated(timeout);
    Backoff b = new Backoff();
    boolean signalled;
    try {
      while (true) {
        if (words.get(GRANTED) > ticket) {
          signalled = true;
          break;
        }
        if (Thread.interrupted()) {
          throw new InterruptedException("interrupted while waiting on " + this);
        }
        if (System.nanoTime() - deadline >= 0) {
          signalled = false;
          break;
        }
        b.pause(deadline);
      }
    } finally {
      for (long i = 0; i < held; i++) {
        lock.lock();
      }
    }
    return signalled;
  }

  /**
   * Wakes up to {@code n} waiters (Python's {@code notify(n)}).
   *
   * @throws IllegalMonitorStateException if the calling thread does not hold the lock
   */
  public void signal(int n) {
    if (lock.holdCount() == 0) {
      throw new IllegalMonitorStateException("signal() without holding " + lock);
    }
    while (true) {
      long granted = words.get(GRANTED);
      long next = Math.min(words.get(ISSUED), granted + n);
      if (next <= granted || words.compareAndSet(GRANTED, granted, next)) {
        return;
      }
    }
  }

  /** Wakes every waiter (Python's {@code notify_all()}). */
  public void signalAll() {
    signal(Integer.MAX_VALUE);
  }

  /** The creator removes the file; for other handles this does nothing. */
  @Override
  public void close() {
    if (owner) {
      try {
        words.delete();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  @Override
  public String toString() {
    return "SharedCondition[" + (words.get(ISSUED) - words.get(GRANTED)) + " waiting @ " + words.path() + "]";
  }
}
