package dev.spindle.process;

import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Duration;
import java.util.Objects;

/**
 * A duplex pipe between processes, Python's {@code multiprocessing.Pipe(duplex=True)}: two
 * {@link End}s, each with {@link End#send} and a blocking {@link End#recv}; what one end sends the
 * other receives, in order. Built on two {@link JoinableQueue}s served by the creating process (so
 * the pipe lives as long as its creator, and only the same user can attach). Unlike an OS pipe,
 * whole messages cross: two processes writing to the same end at once do not corrupt each other's
 * data (the text's warning does not apply), though their messages interleave.
 *
 * <p>Pass an end to another process inside a task input as its {@link Descriptor} (an end
 * serializes to one) and attach there with {@link #open(Descriptor, Class)}, naming the message
 * type: the payload never chooses a class. Thread-safe and process-safe.
 *
 * <pre>{@code
 * Pipe<String> pipe = Pipe.create(String.class);
 * pool.submit(MAKE_STRING, pipe.right().descriptor());   // the child opens its end and recv()s, send()s
 * pipe.left().send("hello");
 * String reply = pipe.left().recv();
 * }</pre>
 *
 * @param <T> the message type (JSON of it crosses)
 */
public final class Pipe<T> implements AutoCloseable {
  private final JoinableQueue<T> leftToRight;
  private final JoinableQueue<T> rightToLeft;
  private final End<T> left;
  private final End<T> right;

  private Pipe(Class<T> type) {
    // two one-way queues: left sends on leftToRight and receives on rightToLeft; right the reverse
    this.leftToRight = JoinableQueue.create(type, 0);
    this.rightToLeft = JoinableQueue.create(type, 0);
    this.left = new End<>(rightToLeft, leftToRight);
    this.right = new End<>(leftToRight, rightToLeft);
  }

  /** A new pipe served by this process. */
  public static <T> Pipe<T> create(Class<T> type) {
    return new Pipe<>(Objects.requireNonNull(type, "type"));
  }

  /**
   * Attaches to an end of a pipe created by another process (or this one).
   *
   * @throws IllegalArgumentException if the descriptor does not name queues of this user
   */
  public static <T> End<T> open(Descriptor descriptor, Class<T> type) {
    Objects.requireNonNull(descriptor, "descriptor");
    return new End<>(JoinableQueue.open(descriptor.in(), type), JoinableQueue.open(descriptor.out(), type));
  }

  /** One end (the text's first connection). */
  public End<T> left() {
    return left;
  }

  /** The other end. */
  public End<T> right() {
    return right;
  }

  /** Stops serving the pipe; ends in other processes fail from then on. */
  @Override
  public void close() {
    leftToRight.close();
    rightToLeft.close();
  }

  /**
   * How another process finds an end: the queue it receives from and the one it sends to.
   *
   * @param in the queue this end receives from
   * @param out the queue this end sends to
   */
  public record Descriptor(JoinableQueue.Descriptor in, JoinableQueue.Descriptor out) {}

  /**
   * One end of a pipe. Thread-safe.
   *
   * @param <T> the message type
   */
  public static final class End<T> {
    private final JoinableQueue<T> in;
    private final JoinableQueue<T> out;

    End(JoinableQueue<T> in, JoinableQueue<T> out) {
      this.in = in;
      this.out = out;
    }

    /** What to send to another process. */
    @JsonValue
    public Descriptor descriptor() {
      return new Descriptor(in.descriptor(), out.descriptor());
    }

    /** Sends a message to the other end. */
    public void send(T message) throws InterruptedException {
      out.put(message);
    }

    /** Receives the next message from the other end, waiting for it. */
    public T recv() throws InterruptedException {
      T m = in.get();
      in.taskDone();
      return m;
    }

    /**
     * Receives the next message, waiting at most {@code timeout}.
     *
     * @throws QueueEmptyException if none came in time
     */
    public T recv(Duration timeout) throws InterruptedException {
      T m = in.get(timeout);
      in.taskDone();
      return m;
    }
  }
}
