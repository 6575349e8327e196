package dev.spindle.process;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.spindle.process.internal.shm.Backoff;
import dev.spindle.process.internal.shm.MappedWords;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;

/**
 * A counting semaphore shared by processes (Python's {@code multiprocessing.Semaphore} and
 * {@code BoundedSemaphore}): {@code permits} holders in all processes at once. A bounded one refuses
 * a release that would raise the count above its initial permits. Permits are not owned: a
 * process that dies holding one does not give it back. Waiting polls with a backoff capped at
 * 1 ms. Pass it inside a task input: it serializes to its {@link Descriptor}. Thread-safe and
 * process-safe; the creator's {@link #close()} removes the file.
 */
public final class SharedSemaphore implements AutoCloseable {
  private static final long KIND = 11;
  private static final int VALUE = 0;
  private static final int BOUND = 1;

  /** How another process finds the semaphore. */
  public record Descriptor(String path) {}

  private final MappedWords words;
  private final boolean owner;

  private SharedSemaphore(MappedWords words, boolean owner) {
    this.words = words;
    this.owner = owner;
  }

  /**
   * {@code multiprocessing.Semaphore(permits)}.
   *
   * @throws IllegalArgumentException if negative
   */
  public static SharedSemaphore create(int permits) {
    return create(permits, false);
  }

  /**
   * {@code multiprocessing.BoundedSemaphore(permits)}.
   *
   * @throws IllegalArgumentException if negative
   */
  public static SharedSemaphore bounded(int permits) {
    return create(permits, true);
  }

  private static SharedSemaphore create(int permits, boolean bounded) {
    if (permits < 0) {
      throw new IllegalArgumentException("permits must be >= 0: " + permits);
    }
    MappedWords w = MappedWords.createShared("semaphore", KIND, 2);
    w.set(VALUE, permits);
    w.set(BOUND, bounded ? permits : -1);
    return new SharedSemaphore(w, true);
  }

  /**
   * Attaches to a semaphore created elsewhere.
   *
   * @throws IllegalArgumentException if the descriptor does not name a semaphore of this user
   */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static SharedSemaphore open(Descriptor descriptor) {
    return new SharedSemaphore(MappedWords.openShared(descriptor.path(), "semaphore", KIND, 2), false);
  }

  /** What to send to another process. */
  @JsonValue
  public Descriptor descriptor() {
    return new Descriptor(words.path().toString());
  }

  /** Takes a permit if one is free now. */
  public boolean tryAcquire() {
    while (true) {
      long v = words.get(VALUE);
      if (v <= 0) {
        return false;
      }
      if (words.compareAndSet(VALUE, v, v - 1)) {
        return true;
      }
    }
  }

  /**
   * Waits at most {@code timeout} for a permit.
   *
   * @return true if taken
   * @throws InterruptedException if interrupted while waiting
   */
  public boolean tryAcquire(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + SharedEvent.saturated(timeout);
    Backoff b = new Backoff();
    while (!tryAcquire()) {
      if (Thread.interrupted()) {
        throw new InterruptedException("interrupted while waiting for " + this);
      }
      if (System.nanoTime() - deadline >= 0) {
        return false;
      }
      b.pause(deadline);
    }
    return true;
  }

  /**
   * Takes a permit, waiting as long as needed.
   *
   * @throws InterruptedException if interrupted while waiting
   */
  public void acquire() throws InterruptedException {
    while (!tryAcquire(Duration.ofDays(1))) {
      // keep waiting
    }
  }

  /**
   * Gives a permit back.
   *
   * @throws IllegalStateException for a bounded semaphore released more often than acquired
   */
  public void release() {
    long bound = words.get(BOUND);
    while (true) {
      long v = words.get(VALUE);
      if (bound >= 0 && v >= bound) {
        throw new IllegalStateException("BoundedSemaphore released too many times (permits " + bound + ")");
      }
      if (words.compareAndSet(VALUE, v, v + 1)) {
        return;
      }
    }
  }

  /** Free permits now (Python's {@code get_value()}). */
  public long available() {
    return words.get(VALUE);
  }

  /** True if bounded. */
  public boolean isBounded() {
    return words.get(BOUND) >= 0;
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
    return "SharedSemaphore[" + available() + " free" + (isBounded() ? ", bounded" : "") + " @ " + words.path() + "]";
  }
}
