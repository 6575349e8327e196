package dev.spindle.process;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.spindle.TypeRef;
import dev.spindle.process.internal.shm.LocalQueue;
import dev.spindle.process.internal.shm.QueueClient;
import dev.spindle.process.internal.shm.QueueServer;
import dev.spindle.process.internal.shm.QueueWire;
import dev.spindle.process.internal.shm.SharedFiles;
import dev.spindle.spi.JsonCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A FIFO queue shared by processes, with Python's {@code multiprocessing.JoinableQueue} API:
 * {@link #put}, {@link #get}, {@link #taskDone} and {@link #join}, blocking with timeouts, an
 * optional size limit, and {@link QueueEmptyException} / {@link QueueFullException} when a timed
 * wait gives up.
 *
 * <p>The creating process holds the items and serves other processes over a unix domain socket in
 * a private directory (mode 0700: only the same user can connect), like a {@code Manager} queue;
 * the queue lives as long as its creator. Items cross as JSON of the element type (no Java
 * serialization). Pass the queue to a worker inside a task input as its {@link Descriptor} (it
 * serializes to one) and attach with {@link #open(Descriptor, Class)}.
 *
 * <p>Thread-safe and process-safe. Timeouts: {@code null} waits forever, {@link Duration#ZERO}
 * does not wait.
 *
 * @param <T> element type
 */
public final class JoinableQueue<T> implements AutoCloseable {
  /**
   * How another process finds the queue.
   *
   * @param socket the unix domain socket path
   * @param maxsize the size limit, 0 for none
   */
  public record Descriptor(String socket, int maxsize) {}

  private final Type type;
  private final String name;
  private final int maxsize;
  private final @Nullable LocalQueue local;
  private final @Nullable QueueServer server;
  private final @Nullable QueueClient client;
  private final JsonCodec codec = JsonCodec.defaults();

  private JoinableQueue(Type type, String name, int maxsize, @Nullable LocalQueue local, @Nullable QueueServer server,
      @Nullable QueueClient client) {
    this.type = type;
    this.name = name;
    this.maxsize = maxsize;
    this.local = local;
    this.server = server;
    this.client = client;
  }

  /**
   * A new queue served by this process.
   *
   * @param maxsize the most items it holds; 0 for no limit
   * @throws IllegalArgumentException if maxsize is negative
   */
  public static <T> JoinableQueue<T> create(Class<T> type, int maxsize) {
    return create((Type) type, maxsize);
  }

  /** {@link #create(Class, int)} for a generic element type. */
  public static <T> JoinableQueue<T> create(TypeRef<T> type, int maxsize) {
    return create(type.type(), maxsize);
  }

  private static <T> JoinableQueue<T> create(Type type, int maxsize) {
    Objects.requireNonNull(type, "type");
    if (maxsize < 0) {
      throw new IllegalArgumentException("maxsize must be >= 0 (0 = unbounded): " + maxsize);
    }
    try {
      LocalQueue q = new LocalQueue(maxsize);
      QueueServer s = new QueueServer(SharedFiles.newPath("queue"), q);
      return new JoinableQueue<>(type, s.socket().toString(), maxsize, q, s, null);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a shared queue: " + e.getMessage(), e);
    }
  }

  /**
   * Attaches to a queue created by another process (or this one).
   *
   * @throws IllegalArgumentException if the descriptor does not name a queue of this user
   */
  public static <T> JoinableQueue<T> open(Descriptor descriptor, Class<T> type) {
    return open(descriptor, (Type) type);
  }

  /** {@link #open(Descriptor, Class)} for a generic element type. */
  public static <T> JoinableQueue<T> open(Descriptor descriptor, TypeRef<T> type) {
    return open(descriptor, type.type());
  }

  private static <T> JoinableQueue<T> open(Descriptor d, Type type) {
    Objects.requireNonNull(d, "descriptor");
    var path = SharedFiles.validate(d.socket(), "queue");
    return new JoinableQueue<>(type, path.toString(), d.maxsize(), null, null, new QueueClient(path));
  }

  /** What to send to another process. */
  @JsonValue
  public Descriptor descriptor() {
    return new Descriptor(name, maxsize);
  }

  /** Adds an item, waiting for room as long as needed. */
  public void put(T item) throws InterruptedException {
    put(item, null);
  }

  /**
   * Adds an item, waiting at most {@code timeout} for room.
   *
   * @throws QueueFullException if still full when the timeout elapsed
   * @throws dev.spindle.PayloadException if the item cannot be serialized
   */
  public void put(T item, @Nullable Duration timeout) throws InterruptedException {
    byte[] bytes = codec.toBytes(item, "item of queue " + name);
    long t = nanos(timeout);
    boolean ok;
    if (local != null) {
      ok = local.put(bytes, t);
    } else {
      QueueClient.Response r = remote().call(QueueWire.PUT, t, bytes);
      ok = r.status() == QueueWire.OK;
    }
    if (!ok) {
      throw new QueueFullException("queue " + name + " is full (maxsize " + maxsize + ")"
          + (timeout == null || timeout.isZero() ? "" : " after waiting " + timeout));
    }
  }

  /** Takes the oldest item, waiting as long as needed. */
  public T get() throws InterruptedException {
    return get(null);
  }

  /**
   * Takes the oldest item, waiting at most {@code timeout}.
   *
   * @throws QueueEmptyException if still empty when the timeout elapsed
   */
  public T get(@Nullable Duration timeout) throws InterruptedException {
    long t = nanos(timeout);
    byte[] bytes;
    if (local != null) {
      bytes = local.get(t);
    } else {
      QueueClient.Response r = remote().call(QueueWire.GET, t, null);
      bytes = r.status() == QueueWire.OK ? r.payload() : null;
    }
    if (bytes == null) {
      throw new QueueEmptyException("queue " + name + " is empty"
          + (timeout == null || timeout.isZero() ? "" : " after waiting " + timeout));
    }
    return codec.fromBytes(bytes, type, "item of queue " + name);
  }

  /**
   * Marks one item taken with {@link #get} as processed.
   *
   * @throws IllegalStateException if called more often than items were put
   */
  public void taskDone() {
    if (local != null) {
      local.taskDone();
      return;
    }
    try {
      QueueClient.Response r = remote().call(QueueWire.TASK_DONE, 0, null);
      if (r.status() != QueueWire.OK) {
        throw new IllegalStateException(new String(r.payload(), StandardCharsets.UTF_8));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while marking an item of queue " + name + " done", e);
    }
  }

  /** Waits until every item put has been marked done. */
  public void join() throws InterruptedException {
    join(null);
  }

  /**
   * Waits at most {@code timeout} until every item put has been marked done.
   *
   * @return true if all were done, false on timeout
   */
  public boolean join(@Nullable Duration timeout) throws InterruptedException {
    long t = nanos(timeout);
    if (local != null) {
      return local.join(t);
    }
    return remote().call(QueueWire.JOIN, t, null).status() == QueueWire.OK;
  }

  /** Items waiting now (a snapshot). */
  public int size() {
    if (local != null) {
      return local.size();
    }
    try {
      return (int) ByteBuffer.wrap(remote().call(QueueWire.SIZE, 0, null).payload()).getLong();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while asking queue " + name + " for its size", e);
    }
  }

  /** True if no item waits now (a snapshot; use a timed {@link #get} rather than checking first). */
  public boolean isEmpty() {
    return size() == 0;
  }

  /** The size limit, 0 for none. */
  public int maxsize() {
    return maxsize;
  }

  /** The connection of a handle that is not the creator's (exactly one of local and client is set). */
  private QueueClient remote() {
    return Objects.requireNonNull(client, "client");
  }

  private static long nanos(@Nullable Duration timeout) {
    if (timeout == null) {
      return -1;
    }
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must not be negative: " + timeout);
    }
    return SharedEvent.saturated(timeout);
  }

  /** The creator stops serving (others' calls then fail); other handles close their connections. */
  @Override
  public void close() {
    if (server != null) {
      server.close();
    }
    if (client != null) {
      client.close();
    }
  }

  @Override
  public String toString() {
    return "JoinableQueue[" + name + (maxsize > 0 ? ", maxsize " + maxsize : "") + "]";
  }
}
