package dev.spindle.supervisor.internal;

import dev.spindle.files.PrivateFiles;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The master's unix domain socket: accepts connections from {@code spindle ctl} and from its own
 * children, and hands each JSON line to a {@link Handler}. Only peers of the same user are served:
 * the socket lives in a 0700 directory, the file has mode 0600, and each connection's peer
 * credentials ({@code SO_PEERCRED}) are checked. One platform thread accepts; each connection is
 * served by a virtual thread. Thread-safe.
 */
final class ControlServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ControlServer.class);
  /** The wait after the first failed accept of a burst; doubled after each further one. */
  static final long FIRST_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  /** The longest wait between failed accepts. */
  static final long MAX_PAUSE_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** Handles messages. Called on connection threads, possibly concurrently for different connections. */
  public interface Handler {
    /**
     * Handles one message.
     *
     * @return the reply, or null to send none
     * @throws Exception turned into {@code {"ok":false,"error":message}}
     */
    @Nullable JsonNode onMessage(Connection connection, JsonNode message) throws Exception;

    /** The connection ended. */
    default void onClose(Connection connection) {}
  }

  /** One client connection. Thread-safe. */
  public static final class Connection {
    private final LineChannel channel;
    private volatile @Nullable Object attachment;

    Connection(LineChannel channel) {
      this.channel = channel;
    }

    /** Sends a message; false if the connection is gone. */
    public boolean send(JsonNode message) {
      try {
        JsonLines.write(channel, message);
        return true;
      } catch (IOException e) {
        return false;
      }
    }

    /** What the handler attached (e.g. the child it belongs to). */
    public @Nullable Object attachment() {
      return attachment;
    }

    /** Attaches a value. */
    public void attach(Object value) {
      this.attachment = value;
    }

    /** Closes the connection. */
    public void close() {
      channel.close();
    }
  }

  /** Accepts the next connection: the server socket's {@code accept}, or a test's stand-in. */
  @FunctionalInterface
  interface Acceptor {
    /** The next connection on {@code server}; blocks until one comes. */
    SocketChannel accept(ServerSocketChannel server) throws IOException;
  }

  /** Waits between failed accepts: parks the acceptor, or a test's recorder. */
  @FunctionalInterface
  interface Pause {
    /** Waits about {@code nanos} (may return early). */
    void pause(long nanos);
  }

  private final Path socket;
  private final ServerSocketChannel server;
  private final Acceptor accept;
  private final Pause pause;
  private final Handler handler;
  private final UserPrincipal owner;
  private final Thread acceptor;
  private final Set<Connection> open = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;
  private volatile int failureBursts;

  private ControlServer(Path socket, ServerSocketChannel server, Handler handler, String name,
      @Nullable Acceptor accept, @Nullable Pause pause) throws IOException {
    this.socket = socket;
    this.server = server;
    this.accept = accept != null ? accept : ServerSocketChannel::accept;
    this.pause = pause != null ? pause : LockSupport::parkNanos;
    this.handler = handler;
    this.owner = Files.getOwner(socket);
    this.acceptor = new Thread(this::acceptLoop, "spindle-" + name + "-control");
    acceptor.setDaemon(true);
  }

  /**
   * Binds the socket and starts accepting. A socket file left by a dead master is replaced; one
   * with a live master behind it is an error.
   *
   * @throws IllegalStateException if another master answers on this socket
   * @throws IOException if the socket cannot be bound
   */
  public static ControlServer start(Path socket, Handler handler, String name) throws IOException {
    return start(socket, handler, name, null, null);
  }

  /**
   * {@link #start(Path, Handler, String)} with the accepting and the waiting after a failed accept
   * replaced (tests: failures like EMFILE on demand, waits counted instead of slept); null keeps the
   * real one.
   */
  static ControlServer start(Path socket, Handler handler, String name, @Nullable Acceptor accept,
      @Nullable Pause pause) throws IOException {
    if (Files.exists(socket)) {
      try (LineChannel probe = LineChannel.connect(socket)) {
        throw new IllegalStateException("a master is already listening on " + socket
            + "; stop it (spindle ctl stop) or give this one another name");
      } catch (IOException e) {
        LOG.info("removing stale control socket {} (no master behind it)", socket);
        Files.deleteIfExists(socket);
      }
    }
    ServerSocketChannel ss = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      ss.bind(UnixDomainSocketAddress.of(socket), 64);
      PrivateFiles.restrict(socket);
      ControlServer cs = new ControlServer(socket, ss, handler, name, accept, pause);
      cs.acceptor.start();
      return cs;
    } catch (IOException | RuntimeException e) {
      ss.close();
      Files.deleteIfExists(socket);
      throw e;
    }
  }

  /** The socket's path. */
  public Path socket() {
    return socket;
  }

  /** Bursts of failed accepts so far (each logged once). */
  int failureBursts() {
    return failureBursts;
  }

  /**
   * Accepts until closed. A failed accept (e.g. EMFILE, too many open files) is retried after a
   * wait that doubles from {@link #FIRST_PAUSE_NANOS} up to {@link #MAX_PAUSE_NANOS}, not at once: a
   * failure that persists would otherwise spin a core and flood the log. The first failure of a
   * burst is logged, and the success ending it.
   */
  private void acceptLoop() {
    long failures = 0;
    long pauseNanos = 0;
    while (!closed) {
      SocketChannel ch;
      try {
        ch = accept.accept(server);
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        if (closed) {
          return;
        }
        if (failures++ == 0) {
          failureBursts++;
          LOG.warn("control socket {}: accept failed; retrying, waiting up to {} ms between attempts", socket,
              TimeUnit.NANOSECONDS.toMillis(MAX_PAUSE_NANOS), e);
        }
        pauseNanos = pauseNanos == 0 ? FIRST_PAUSE_NANOS : Math.min(pauseNanos * 2, MAX_PAUSE_NANOS);
        pause.pause(pauseNanos);
        continue;
      }
      if (failures > 0) {
        LOG.info("control socket {}: accepting again after {} failed attempts", socket, failures);
        failures = 0;
        pauseNanos = 0;
      }
      if (!samePeer(ch)) {
        continue;
      }
      Connection c = new Connection(new LineChannel(ch));
      open.add(c);
      Thread.ofVirtual().name("spindle-control-conn").start(() -> serve(c));
    }
  }

  private boolean samePeer(SocketChannel ch) {
    try {
      UnixDomainPrincipal peer = ch.getOption(ExtendedSocketOptions.SO_PEERCRED);
      if (peer.user().equals(owner)) {
        return true;
      }
      LOG.warn("control socket {}: refused a connection from user {} (only {} may connect)", socket,
          peer.user().getName(), owner.getName());
    } catch (IOException | UnsupportedOperationException e) {
      LOG.warn("control socket {}: cannot read the peer's credentials; refusing the connection", socket, e);
    }
    try {
      ch.close();
    } catch (IOException e) {
      // ignore
    }
    return false;
  }

  private void serve(Connection c) {
    try {
      while (true) {
        JsonNode msg;
        try {
          msg = JsonLines.read(c.channel);
        } catch (IOException e) {
          if (!closed && !(e instanceof AsynchronousCloseException) && !(e instanceof ClosedChannelException)) {
            c.send(error(e.getMessage()));
          }
          return;
        }
        if (msg == null) {
          return;
        }
        JsonNode reply;
        try {
          reply = handler.onMessage(c, msg);
        } catch (Exception e) {
          reply = error(e.getMessage() == null ? e.toString() : e.getMessage());
          if (!(e instanceof IllegalArgumentException) && !(e instanceof IllegalStateException)) {
            LOG.warn("control socket {}: request {} failed", socket, LineChannel.abbreviate(msg.toString()), e);
          }
        }
        if (reply != null && !c.send(reply)) {
          return;
        }
      }
    } finally {
      open.remove(c);
      c.close();
      try {
        handler.onClose(c);
      } catch (RuntimeException e) {
        LOG.warn("control socket {}: close handler failed", socket, e);
      }
    }
  }

  /** {@code {"ok":false,"error":message}}. */
  public static ObjectNode error(@Nullable String message) {
    ObjectNode n = JsonLines.object();
    n.put("ok", false);
    n.put("error", message);
    return n;
  }

  /** {@code {"ok":true}}. */
  public static ObjectNode ok() {
    ObjectNode n = JsonLines.object();
    n.put("ok", true);
    return n;
  }

  /** Stops accepting, closes every connection and removes the socket file. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    LockSupport.unpark(acceptor); // ends a wait after a failed accept
    try {
      server.close();
    } catch (IOException e) {
      // ignore
    }
    open.forEach(Connection::close);
    try {
      Files.deleteIfExists(socket);
    } catch (IOException e) {
      LOG.warn("cannot remove control socket {}", socket, e);
    }
  }
}
