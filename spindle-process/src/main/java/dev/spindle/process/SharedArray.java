package dev.spindle.process;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.spindle.process.internal.shm.MappedWords;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * A fixed-length typed array in shared memory (Python's {@code multiprocessing.Array('l'|'d', n)}):
 * 64-bit integers or doubles, every element readable and writable from any process, each single
 * access atomic ({@link #addAndGet} and {@link #compareAndSet} too); a read-modify-write over
 * several elements needs a {@link SharedLock}. Elements start at 0. Pass it inside a task input: it
 * serializes to its {@link Descriptor}. Thread-safe and process-safe; the creator's
 * {@link #close()} removes the file.
 */
public final class SharedArray implements AutoCloseable {
  private static final long KIND = 15;
  private static final int HEADER = 2;

  /** The element type (Python's typecode). */
  public enum Type {
    /** 64-bit signed integers ({@code 'l'} / {@code 'q'}). */
    LONG,
    /** 64-bit floating point ({@code 'd'}). */
    DOUBLE
  }

  /** How another process finds the array. */
  public record Descriptor(String path, Type type, int length) {}

  private final MappedWords words;
  private final Type type;
  private final int length;
  private final boolean owner;

  private SharedArray(MappedWords words, Type type, int length, boolean owner) {
    this.words = words;
    this.type = type;
    this.length = length;
    this.owner = owner;
  }

  /**
   * A zeroed array.
   *
   * @throws IllegalArgumentException if {@code length} is negative or above 16 M
   */
  public static SharedArray create(Type type, int length) {
    Objects.requireNonNull(type, "type");
    if (length < 0 || length > (1 << 24)) {
      throw new IllegalArgumentException("length must be 0..16777216: " + length);
    }
    MappedWords w = MappedWords.createShared("array", KIND, HEADER + length);
    w.set(0, type.ordinal());
    w.set(1, length);
    return new SharedArray(w, type, length, true);
  }

  /** An array holding {@code values}. */
  public static SharedArray of(long... values) {
    SharedArray a = create(Type.LONG, values.length);
    for (int i = 0; i < values.length; i++) {
      a.set(i, values[i]);
    }
    return a;
  }

  /** An array holding {@code values}. */
  public static SharedArray ofDoubles(double... values) {
    SharedArray a = create(Type.DOUBLE, values.length);
    for (int i = 0; i < values.length; i++) {
      a.setDouble(i, values[i]);
    }
    return a;
  }

  /**
   * Attaches to an array created elsewhere.
   *
   * @throws IllegalArgumentException if the descriptor does not name an array of this user, or its
   *     type or length differ
   */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static SharedArray open(Descriptor d) {
    MappedWords w = MappedWords.openShared(d.path(), "array", KIND, HEADER + d.length());
    if (w.get(0) != d.type().ordinal() || w.get(1) != d.length()) {
      throw new IllegalArgumentException("array '" + d.path() + "' is not " + d.type() + "[" + d.length() + "]");
    }
    return new SharedArray(w, d.type(), d.length(), false);
  }

  /** What to send to another process. */
  @JsonValue
  public Descriptor descriptor() {
    return new Descriptor(words.path().toString(), type, length);
  }

  /** The element type. */
  public Type type() {
    return type;
  }

  /** The number of elements. */
  public int length() {
    return length;
  }

  private int at(int i, Type expected) {
    if (type != expected) {
      throw new IllegalStateException("this array holds " + type + ", not " + expected);
    }
    Objects.checkIndex(i, length);
    return HEADER + i;
  }

  /** Element {@code i} of a LONG array. */
  public long get(int i) {
    return words.get(at(i, Type.LONG));
  }

  /** Sets element {@code i} of a LONG array. */
  public void set(int i, long v) {
    words.set(at(i, Type.LONG), v);
  }

  /** Atomically adds to element {@code i} of a LONG array and returns the new value. */
  public long addAndGet(int i, long delta) {
    return words.getAndAdd(at(i, Type.LONG), delta) + delta;
  }

  /** Atomically sets element {@code i} of a LONG array if it holds {@code expected}. */
  public boolean compareAndSet(int i, long expected, long value) {
    return words.compareAndSet(at(i, Type.LONG), expected, value);
  }

  /** Element {@code i} of a DOUBLE array. */
  public double getDouble(int i) {
    return Double.longBitsToDouble(words.get(at(i, Type.DOUBLE)));
  }

  /** Sets element {@code i} of a DOUBLE array. */
  public void setDouble(int i, double v) {
    words.set(at(i, Type.DOUBLE), Double.doubleToRawLongBits(v));
  }

  /** Atomically adds to element {@code i} of a DOUBLE array and returns the new value. */
  public double addAndGetDouble(int i, double delta) {
    int w = at(i, Type.DOUBLE);
    while (true) {
      long cur = words.get(w);
      double next = Double.longBitsToDouble(cur) + delta;
      if (words.compareAndSet(w, cur, Double.doubleToRawLongBits(next))) {
        return next;
      }
    }
  }

  /** A copy of a LONG array's elements. */
  public long[] toLongArray() {
    long[] out = new long[length];
    for (int i = 0; i < length; i++) {
      out[i] = get(i);
    }
    return out;
  }

  /** A copy of a DOUBLE array's elements. */
  public double[] toDoubleArray() {
    double[] out = new double[length];
    for (int i = 0; i < length; i++) {
      out[i] = getDouble(i);
    }
    return out;
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
    return "SharedArray[" + type + "[" + length + "] @ " + words.path() + "]";
  }
}
