package dev.spindle.process;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.spindle.process.internal.shm.Backoff;
import dev.spindle.process.internal.shm.MappedWords;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A reentrant lock shared by processes (Python's {@code multiprocessing.RLock}): the thread that
 * holds it may take it again, and must release it as many times. The lock word holds the holder's
 * pid and a per-thread stamp; a waiter that finds the holder's process dead takes the lock over.
 * Waiting polls with a backoff capped at 1 ms. Pass it inside a task input: it serializes to its
 * {@link Descriptor}. Thread-safe and process-safe; the creator's {@link #close()} removes the file.
 */
public final class SharedRLock implements AutoCloseable {
  private static final long KIND = 12;
  private static final int HOLDER = 0;
  private static final int COUNT = 1;
  private static final long PID = ProcessHandle.current().pid();
  private static final AtomicLong STAMPS = new AtomicLong();
  /** One stamp per thread for its life: the holder's identity in the lock word. */
  private static final ThreadLocal<Long> ME = ThreadLocal.withInitial(
      () -> (PID << 32) | (STAMPS.incrementAndGet() & 0xffffffffL));
  private static final long CHECK_HOLDER_NANOS = 50_000_000;

  /** How another process finds the lock. */
  public record Descriptor(String path) {}

  private final MappedWords words;
  private final boolean owner;

  private SharedRLock(MappedWords words, boolean owner) {
    this.words = words;
    this.owner = owner;
  }

  /** A new, unlocked lock. */
  public static SharedRLock create() {
    return new SharedRLock(MappedWords.createShared("rlock", KIND, 2), true);
  }

  /**
   * Attaches to a lock created elsewhere.
   *
   * @throws IllegalArgumentException if the descriptor does not name an rlock of this user
   */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static SharedRLock open(Descriptor descriptor) {
    return new SharedRLock(MappedWords.openShared(descriptor.path(), "rlock", KIND, 2), false);
  }

  /** What to send to another process. */
  @JsonValue
  public Descriptor descriptor() {
    return new Descriptor(words.path().toString());
  }

  /** Takes the lock (again, if this thread holds it) when possible now. */
  public boolean tryLock() {
    long me = ME.get();
    if (words.get(HOLDER) == me) {
      words.set(COUNT, words.get(COUNT) + 1); // only the holder writes the count
      return true;
    }
    if (words.compareAndSet(HOLDER, 0, me)) {
      words.set(COUNT, 1);
      return true;
    }
    return false;
  }

  /**
   * Waits at most {@code timeout} for the lock.
   *
   * @throws InterruptedException if interrupted while waiting
   */
  public boolean tryLock(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + SharedEvent.saturated(timeout);
    long nextCheck = System.nanoTime() + CHECK_HOLDER_NANOS;
    Backoff b = new Backoff();
    while (!tryLock()) {
      if (Thread.interrupted()) {
        throw new InterruptedException("interrupted while waiting for " + this);
      }
      long now = System.nanoTime();
      if (now - nextCheck >= 0) {
        nextCheck = now + CHECK_HOLDER_NANOS;
        long cur = words.get(HOLDER);
        long pid = cur >>> 32;
        if (cur != 0 && pid != PID && !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
            && words.compareAndSet(HOLDER, cur, ME.get())) {
          words.set(COUNT, 1);
          return true;
        }
      }
      if (now - deadline >= 0) {
        return false;
      }
      b.pause(deadline);
    }
    return true;
  }

  /** Takes the lock, waiting as long as needed; an interrupt is kept for later. */
  public void lock() {
    boolean interrupted = false;
    while (true) {
      try {
        if (tryLock(Duration.ofDays(1))) {
          break;
        }
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Releases one level; the lock is free once released as often as taken.
   *
   * @throws IllegalMonitorStateException if the calling thread does not hold it
   */
  public void unlock() {
    long me = ME.get();
    if (words.get(HOLDER) != me) {
      throw new IllegalMonitorStateException("the current thread does not hold " + this);
    }
    long c = words.get(COUNT) - 1;
    words.set(COUNT, c);
    if (c == 0) {
      words.set(HOLDER, 0);
    }
  }

  /** How many times the calling thread holds it (0 if not at all). */
  public long holdCount() {
    return words.get(HOLDER) == ME.get() ? words.get(COUNT) : 0;
  }

  /** True if some thread of some process holds it. */
  public boolean isLocked() {
    return words.get(HOLDER) != 0;
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
    long cur = words.get(HOLDER);
    return "SharedRLock[" + (cur == 0 ? "unlocked" : "held by pid " + (cur >>> 32)) + " @ " + words.path() + "]";
  }
}
