package dev.spindle.process.internal.shm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.jspecify.annotations.Nullable;

/**
 * A client of a {@link QueueServer}: keeps a few idle connections, and uses one per request, so
 * threads of one process can block on the same queue at once. Thread-safe.
 */
public final class QueueClient implements AutoCloseable {
  /** A response: status and payload. */
  public record Response(byte status, byte[] payload) {}

  private final Path socket;
  private final ConcurrentLinkedQueue<SocketChannel> idle = new ConcurrentLinkedQueue<>();

  public QueueClient(Path socket) {
    this.socket = socket;
  }

  /**
   * Sends one request and waits for its response.
   *
   * @throws InterruptedException if interrupted while waiting (the connection is dropped)
   * @throws UncheckedIOException if the queue's process is gone
   */
  public Response call(byte op, long timeoutNanos, byte @Nullable [] payload) throws InterruptedException {
    SocketChannel ch = idle.poll();
    try {
      if (ch == null) {
        ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(socket));
      }
      QueueWire.write(ch, op, timeoutNanos, payload, true);
      ByteBuffer r = QueueWire.read(ch);
      if (r == null) {
        throw new IOException("the queue's process closed the connection");
      }
      byte status = r.get();
      Response resp = new Response(status, QueueWire.rest(r));
      idle.add(ch);
      return resp;
    } catch (ClosedByInterruptException e) {
      Thread.interrupted();
      throw new InterruptedException("interrupted while waiting for the queue at " + socket);
    } catch (IOException e) {
      if (ch != null) {
        try {
          ch.close();
        } catch (IOException ignored) {
          // ignore
        }
      }
      if (Thread.interrupted()) {
        throw new InterruptedException("interrupted while waiting for the queue at " + socket);
      }
      throw new UncheckedIOException("the queue at " + socket + " is unavailable (its creating process closed "
          + "it or ended): " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    SocketChannel ch;
    while ((ch = idle.poll()) != null) {
      try {
        ch.close();
      } catch (IOException e) {
        // ignore
      }
    }
  }
}
