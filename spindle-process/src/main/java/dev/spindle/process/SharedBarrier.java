package dev.spindle.process;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.spindle.process.internal.shm.Backoff;
import dev.spindle.process.internal.shm.MappedWords;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * A cyclic barrier shared by processes (Python's {@code multiprocessing.Barrier(parties)}): each of
 * {@code parties} callers of {@link #await} waits until all have arrived, then all go on and the
 * barrier resets for the next round. Waiting polls with a backoff capped at 1 ms. Pass it inside a
 * task input: it serializes to its {@link Descriptor}. Thread-safe and process-safe; the creator's
 * {@link #close()} removes the file.
 */
public final class SharedBarrier implements AutoCloseable {
  private static final long KIND = 13;
  private static final int PARTIES = 0;
  private static final int ARRIVED = 1;
  private static final int GENERATION = 2;

  /** How another process finds the barrier. */
  public record Descriptor(String path) {}

  private final MappedWords words;
  private final boolean owner;

  private SharedBarrier(MappedWords words, boolean owner) {
    this.words = words;
    this.owner = owner;
  }

  /**
   * A barrier for {@code parties} callers.
   *
   * @throws IllegalArgumentException if below 1
   */
  public static SharedBarrier create(int parties) {
    if (parties < 1) {
      throw new IllegalArgumentException("parties must be >= 1: " + parties);
    }
    MappedWords w = MappedWords.createShared("barrier", KIND, 3);
    w.set(PARTIES, parties);
    return new SharedBarrier(w, true);
  }

  /**
   * Attaches to a barrier created elsewhere.
   *
   * @throws IllegalArgumentException if the descriptor does not name a barrier of this user
   */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static SharedBarrier open(Descriptor descriptor) {
    return new SharedBarrier(MappedWords.openShared(descriptor.path(), "barrier", KIND, 3), false);
  }

  /** What to send to another process. */
  @JsonValue
  public Descriptor descriptor() {
    return new Descriptor(words.path().toString());
  }

  /** The number of parties. */
  public int parties() {
    return (int) words.get(PARTIES);
  }

  /**
   * Arrives and waits for the others, at most {@code timeout}.
   *
   * @return the arrival index, {@code parties - 1} for the first to arrive down to 0 for the last
   *     (as Python's {@code wait()})
   * @throws TimeoutException if the others did not all arrive in time (this arrival still counts)
   * @throws InterruptedException if interrupted while waiting
   */
  public int await(Duration timeout) throws InterruptedException, TimeoutException {
    long parties = words.get(PARTIES);
    long gen = words.get(GENERATION);
    long arrived = words.getAndAdd(ARRIVED, 1) + 1;
    if (arrived == parties) {
      words.set(ARRIVED, 0);
      words.getAndAdd(GENERATION, 1); // releases the others
      return 0;
    }
    long deadline = System.nanoTime() + SharedEvent.saturated(timeout);
    Backoff b = new Backoff();
    while (words.get(GENERATION) == gen) {
      if (Thread.interrupted()) {
        throw new InterruptedException("interrupted while waiting at " + this);
      }
      if (System.nanoTime() - deadline >= 0) {
        throw new TimeoutException(arrived + " of " + parties + " parties at " + this + " after " + timeout);
      }
      b.pause(deadline);
    }
    return (int) (parties - arrived);
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
    return "SharedBarrier[" + words.get(ARRIVED) + "/" + words.get(PARTIES) + " @ " + words.path() + "]";
  }
}
