package dev.spindle.process;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.spindle.process.internal.shm.MappedWords;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.LongUnaryOperator;

/**
 * A 64-bit value shared by processes and updated atomically (Python's
 * {@code multiprocessing.Value('q')} with its lock built in): every update is one atomic
 * instruction on a memory-mapped file, so {@code incrementAndGet()} from many processes at once
 * never loses a count (unlike {@code value += 1} on a synchronized Value).
 *
 * <p>Pass it to a task in a worker JVM as part of the task's input: it serializes to its
 * {@link Descriptor} and deserializes by attaching to the same memory. Thread-safe and
 * process-safe. The creator's {@link #close()} removes the file; handles already attached keep
 * working, new ones cannot attach. Everything is also removed when the creating JVM exits.
 */
public final class SharedCounter implements AutoCloseable {
  private static final long KIND = 1;

  /** How another process finds the counter: the path of its mapped file. */
  public record Descriptor(String path) {}

  private final MappedWords words;
  private final boolean owner;

  private SharedCounter(MappedWords words, boolean owner) {
    this.words = words;
    this.owner = owner;
  }

  /** A new counter starting at {@code initial}. */
  public static SharedCounter create(long initial) {
    MappedWords w = MappedWords.createShared("counter", KIND, 1);
    w.set(0, initial);
    return new SharedCounter(w, true);
  }

  /** A new counter starting at 0. */
  public static SharedCounter create() {
    return create(0);
  }

  /**
   * Attaches to a counter created elsewhere.
   *
   * @throws IllegalArgumentException if the descriptor does not name a counter of this user
   */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static SharedCounter open(Descriptor descriptor) {
    return new SharedCounter(MappedWords.openShared(descriptor.path(), "counter", KIND, 1), false);
  }

  /** What to send to another process. */
  @JsonValue
  public Descriptor descriptor() {
    return new Descriptor(words.path().toString());
  }

  /** The current value. */
  public long get() {
    return words.get(0);
  }

  /** Sets the value. */
  public void set(long value) {
    words.set(0, value);
  }

  /** Adds {@code delta} atomically and returns the previous value. */
  public long getAndAdd(long delta) {
    return words.getAndAdd(0, delta);
  }

  /** Adds {@code delta} atomically and returns the new value. */
  public long addAndGet(long delta) {
    return words.getAndAdd(0, delta) + delta;
  }

  /** Adds one atomically and returns the new value. */
  public long incrementAndGet() {
    return addAndGet(1);
  }

  /** Sets the value atomically and returns the previous one. */
  public long getAndSet(long value) {
    return words.getAndSet(0, value);
  }

  /** Sets {@code value} if the current value is {@code expected}; true if it did. */
  public boolean compareAndSet(long expected, long value) {
    return words.compareAndSet(0, expected, value);
  }

  /** Applies {@code f} atomically (retrying on contention; {@code f} may run several times). */
  public long updateAndGet(LongUnaryOperator f) {
    while (true) {
      long cur = get();
      long next = f.applyAsLong(cur);
      if (compareAndSet(cur, next)) {
        return next;
      }
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
    return "SharedCounter[" + get() + " @ " + words.path() + "]";
  }
}
