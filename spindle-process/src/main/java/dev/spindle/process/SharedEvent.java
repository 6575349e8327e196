package dev.spindle.process;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.spindle.process.internal.shm.Backoff;
import dev.spindle.process.internal.shm.MappedWords;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;

/**
 * A flag shared by processes that others wait for (Python's {@code multiprocessing.Event}): it
 * starts cleared; {@link #set()} wakes every waiter; {@link #await(Duration)} returns true once set
 * or false on timeout.
 *
 * <p>Waiting polls the shared word with a backoff capped at 1 ms (Java has no cross-process
 * futex), so a waiter wakes within about a millisecond of {@code set()} and costs almost no CPU
 * meanwhile. Pass it to a worker inside a task input: it serializes to its {@link Descriptor}.
 * Thread-safe and process-safe; the creator's {@link #close()} removes the file.
 */
public final class SharedEvent implements AutoCloseable {
  private static final long KIND = 2;

  /** How another process finds the event: the path of its mapped file. */
  public record Descriptor(String path) {}

  private final MappedWords words;
  private final boolean owner;

  private SharedEvent(MappedWords words, boolean owner) {
    this.words = words;
    this.owner = owner;
  }

  /** A new, cleared event. */
  public static SharedEvent create() {
    return new SharedEvent(MappedWords.createShared("event", KIND, 1), true);
  }

  /**
   * Attaches to an event created elsewhere.
   *
   * @throws IllegalArgumentException if the descriptor does not name an event of this user
   */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static SharedEvent open(Descriptor descriptor) {
    return new SharedEvent(MappedWords.openShared(descriptor.path(), "event", KIND, 1), false);
  }

  /** What to send to another process. */
  @JsonValue
  public Descriptor descriptor() {
    return new Descriptor(words.path().toString());
  }

  /** Sets the flag, waking every waiter. */
  public void set() {
    words.set(0, 1);
  }

  /** Clears the flag. */
  public void clear() {
    words.set(0, 0);
  }

  /** True if set. */
  public boolean isSet() {
    return words.get(0) != 0;
  }

  /**
   * Waits until the flag is set or the timeout elapses.
   *
   * @return true if set, false on timeout
   * @throws InterruptedException if the thread is interrupted while waiting
   */
  public boolean await(Duration timeout) throws InterruptedException {
    if (isSet()) {
      return true;
    }
    long nanos = saturated(timeout);
    long deadline = System.nanoTime() + nanos;
    Backoff b = new Backoff();
    while (!isSet()) {
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

  /** Waits until the flag is set. */
  public void await() throws InterruptedException {
    while (!await(Duration.ofDays(1))) {
      // keep waiting
    }
  }

  static long saturated(Duration d) {
    try {
      return Math.min(d.toNanos(), Long.MAX_VALUE / 4);
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE / 4;
    }
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
    return "SharedEvent[" + (isSet() ? "set" : "clear") + " @ " + words.path() + "]";
  }
}
