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
 * A mutual-exclusion lock shared by processes (Python's {@code multiprocessing.Lock}): at most one
 * thread in any process holds it. Not reentrant: a holder that locks again waits forever, like
 * Python's Lock. Use the guard so it is released even when the critical code throws:
 *
 * <pre>{@code
 * try (SharedLock.Guard g = lock.acquire()) {
 *   ... critical section ...
 * }
 * }</pre>
 *
 * <p>The lock word in shared memory holds the holder's pid; a waiter that finds the holder's
 * process dead takes the lock over (a crashed holder cannot block everyone forever) and
 * {@link #recoveredFromDeadHolder()} says so. Waiting polls with a backoff capped at 1 ms. Pass it
 * to a worker inside a task input: it serializes to its {@link Descriptor}. Thread-safe and
 * process-safe; the creator's {@link #close()} removes the file.
 */
public final class SharedLock implements AutoCloseable {
  private static final long KIND = 3;
  private static final long PID = ProcessHandle.current().pid();
  private static final AtomicLong STAMPS = new AtomicLong();
  private static final long CHECK_HOLDER_NANOS = 50_000_000;

  /** How another process finds the lock: the path of its mapped file. */
  public record Descriptor(String path) {}

  /** Releases the lock when closed. Not thread-safe; close it on the thread that acquired. */
  public final class Guard implements AutoCloseable {
    private boolean open = true;

    private Guard() {}

    /** Releases the lock (once). */
    @Override
    public void close() {
      if (open) {
        open = false;
        unlock();
      }
    }
  }

  private final MappedWords words;
  private final boolean owner;
  private final ThreadLocal<Long> heldStamp = new ThreadLocal<>();
  private volatile boolean recovered;

  private SharedLock(MappedWords words, boolean owner) {
    this.words = words;
    this.owner = owner;
  }

  /** A new, unlocked lock. */
  public static SharedLock create() {
    return new SharedLock(MappedWords.createShared("lock", KIND, 1), true);
  }

  /**
   * Attaches to a lock created elsewhere.
   *
   * @throws IllegalArgumentException if the descriptor does not name a lock of this user
   */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static SharedLock open(Descriptor descriptor) {
    return new SharedLock(MappedWords.openShared(descriptor.path(), "lock", KIND, 1), false);
  }

  /** What to send to another process. */
  @JsonValue
  public Descriptor descriptor() {
    return new Descriptor(words.path().toString());
  }

  /** Acquires the lock, waiting as long as needed (uninterruptibly), and returns a guard. */
  public Guard acquire() {
    lock();
    return new Guard();
  }

  /** Acquires the lock, waiting as long as needed; an interrupt is kept for later. */
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

  /** Takes the lock if it is free now; true if taken. */
  public boolean tryLock() {
    long stamp = (PID << 32) | (STAMPS.incrementAndGet() & 0xffffffffL);
    if (words.compareAndSet(0, 0, stamp)) {
      heldStamp.set(stamp);
      return true;
    }
    return false;
  }

  /**
   * Waits at most {@code timeout} for the lock.
   *
   * @return true if taken, false on timeout
   * @throws InterruptedException if interrupted while waiting
   */
  public boolean tryLock(Duration timeout) throws InterruptedException {
    if (tryLock()) {
      return true;
    }
    long deadline = System.nanoTime() + SharedEvent.saturated(timeout);
    long nextCheck = System.nanoTime() + CHECK_HOLDER_NANOS;
    Backoff b = new Backoff();
    while (true) {
      if (Thread.interrupted()) {
        throw new InterruptedException("interrupted while waiting for " + this);
      }
      if (tryLock()) {
        return true;
      }
      long now = System.nanoTime();
      if (now - nextCheck >= 0) {
        nextCheck = now + CHECK_HOLDER_NANOS;
        if (takeOverFromDeadHolder()) {
          return true;
        }
      }
      if (now - deadline >= 0) {
        return false;
      }
      b.pause(deadline);
    }
  }

  private boolean takeOverFromDeadHolder() {
    long cur = words.get(0);
    if (cur == 0) {
      return false;
    }
    long holder = cur >>> 32;
    if (holder == PID || ProcessHandle.of(holder).map(ProcessHandle::isAlive).orElse(false)) {
      return false;
    }
    long stamp = (PID << 32) | (STAMPS.incrementAndGet() & 0xffffffffL);
    if (words.compareAndSet(0, cur, stamp)) {
      heldStamp.set(stamp);
      recovered = true;
      return true;
    }
    return false;
  }

  /**
   * Releases the lock.
   *
   * @throws IllegalMonitorStateException if the calling thread does not hold it
   */
  public void unlock() {
    Long stamp = heldStamp.get();
    if (stamp == null || !words.compareAndSet(0, stamp, 0)) {
      throw new IllegalMonitorStateException("the current thread does not hold " + this);
    }
    heldStamp.remove();
  }

  /** True if some thread of some process holds it now. */
  public boolean isLocked() {
    return words.get(0) != 0;
  }

  /** True if the calling thread holds it. */
  public boolean isHeldByCurrentThread() {
    Long stamp = heldStamp.get();
    return stamp != null && words.get(0) == stamp;
  }

  /** True if this handle once took the lock over from a holder whose process had died. */
  public boolean recoveredFromDeadHolder() {
    return recovered;
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
    long cur = words.get(0);
    return "SharedLock[" + (cur == 0 ? "unlocked" : "held by pid " + (cur >>> 32)) + " @ " + words.path() + "]";
  }
}
