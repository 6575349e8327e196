package dev.spindle.process.internal.shm;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a {@link LocalQueue} to other processes of the same user over a unix domain socket in
 * the private primitive directory. One virtual thread per connection; a blocking request blocks
 * only its connection. An item taken for a consumer whose connection broke before the answer
 * went out is put back at the front, so no item is lost. A failed accept or a malformed request is
 * logged and the server goes on; it stops accepting only when closed. Thread-safe.
 */
public final class QueueServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(QueueServer.class);

  /** Takes the next connection from the listening channel; tests put accept failures in here. */
  @FunctionalInterface
  interface Acceptor {
    SocketChannel accept(ServerSocketChannel server) throws IOException;
  }

  private static final long MIN_ACCEPT_PAUSE_NANOS = 10_000_000;
  private static final long MAX_ACCEPT_PAUSE_NANOS = 1_000_000_000;

  private final Path socket;
  private final LocalQueue queue;
  private final ServerSocketChannel server;
  private final Acceptor acceptor;
  private final Thread acceptThread;
  private final Set<SocketChannel> connections = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  public QueueServer(Path socket, LocalQueue queue) throws IOException {
    this(socket, queue, ServerSocketChannel::accept);
  }

  QueueServer(Path socket, LocalQueue queue, Acceptor acceptor) throws IOException {
    this.socket = socket;
    this.queue = queue;
    this.acceptor = acceptor;
    this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    acceptThread = new Thread(this::acceptLoop, "spindle-queue-server");
    acceptThread.setDaemon(true);
    acceptThread.start();
  }

  public Path socket() {
    return socket;
  }

  /**
   * Accepts until the server is closed. A failed accept (out of file descriptors, say) is logged and
   * retried after a pause that doubles from {@link #MIN_ACCEPT_PAUSE_NANOS} up to
   * {@link #MAX_ACCEPT_PAUSE_NANOS} while the failures last, so a lasting one does not spin.
   */
  private void acceptLoop() {
    long pause = 0;
    while (!closed) {
      try {
        SocketChannel ch = acceptor.accept(server);
        pause = 0;
        connections.add(ch);
        Thread.ofVirtual().name("spindle-queue-conn").start(() -> serve(ch));
      } catch (IOException e) {
        if (closed) {
          return;
        }
        if (!server.isOpen()) {
          LOG.error("queue server {} stopped accepting: its socket was closed ({})", socket, e.toString());
          return;
        }
        pause = pause == 0 ? MIN_ACCEPT_PAUSE_NANOS : Math.min(MAX_ACCEPT_PAUSE_NANOS, pause * 2);
        LOG.warn("queue server {} could not accept a connection ({}); retrying in {} ms", socket, e.toString(),
            pause / 1_000_000);
        LockSupport.parkNanos(this, pause); // close() unparks
      }
    }
  }

  private void serve(SocketChannel ch) {
    try (ch) {
      while (true) {
        ByteBuffer req = QueueWire.read(ch);
        if (req == null) {
          return;
        }
        if (req.remaining() < QueueWire.REQUEST_HEADER) {
          String why = "malformed queue request: " + req.remaining() + " byte(s), a request needs at least "
              + QueueWire.REQUEST_HEADER + " (op and timeout); closing the connection";
          LOG.warn("queue server {}: {}", socket, why);
          QueueWire.write(ch, QueueWire.ERROR, 0, why.getBytes(StandardCharsets.UTF_8), false);
          return;
        }
        byte op = req.get();
        long timeout = req.getLong();
        switch (op) {
          case QueueWire.PUT -> {
            boolean ok = queue.put(QueueWire.rest(req), timeout);
            QueueWire.write(ch, ok ? QueueWire.OK : QueueWire.FULL, 0, null, false);
          }
          case QueueWire.GET -> {
            byte[] item = queue.get(timeout);
            if (item == null) {
              QueueWire.write(ch, QueueWire.EMPTY, 0, null, false);
            } else {
              try {
                QueueWire.write(ch, QueueWire.OK, 0, item, false);
              } catch (IOException e) {
                queue.putBack(item);
                throw e;
              }
            }
          }
          case QueueWire.TASK_DONE -> {
            try {
              queue.taskDone();
              QueueWire.write(ch, QueueWire.OK, 0, null, false);
            } catch (IllegalStateException e) {
              QueueWire.write(ch, QueueWire.ERROR, 0, Objects.requireNonNullElse(e.getMessage(), e.toString()).getBytes(StandardCharsets.UTF_8), false);
            }
          }
          case QueueWire.JOIN -> {
            boolean done = queue.join(timeout);
            QueueWire.write(ch, done ? QueueWire.OK : QueueWire.TIMEOUT, 0, null, false);
          }
          case QueueWire.SIZE -> {
            byte[] n = ByteBuffer.allocate(8).putLong(queue.size()).array();
            QueueWire.write(ch, QueueWire.OK, 0, n, false);
          }
          default -> {
            QueueWire.write(ch, QueueWire.ERROR, 0, ("unknown op " + op).getBytes(StandardCharsets.UTF_8), false);
            return;
          }
        }
      }
    } catch (IOException | InterruptedException e) {
      // the client went away, or the server is closing
    } finally {
      connections.remove(ch);
    }
  }

  /** True while the server takes new connections: from its creation until it is closed. */
  boolean isAccepting() {
    return acceptThread.isAlive();
  }

  @Override
  public void close() {
    closed = true;
    LockSupport.unpark(acceptThread);
    try {
      server.close();
    } catch (IOException e) {
      // ignore
    }
    for (SocketChannel ch : connections) {
      try {
        ch.close();
      } catch (IOException e) {
        // ignore
      }
    }
    try {
      Files.deleteIfExists(socket);
    } catch (IOException e) {
      // ignore
    }
  }
}
