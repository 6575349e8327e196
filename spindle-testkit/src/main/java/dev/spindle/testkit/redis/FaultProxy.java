package dev.spindle.testkit.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP proxy in front of a server that injects network faults, for client fault tests:
 * {@link #dropConnections() drop} every connection (a network blip), {@link #freeze() freeze}
 * them (they stay open but nothing passes any more: a half-open connection), or
 * {@link #dropNextReply() lose the next reply} (the request reaches the server, the answer never
 * reaches the client), or {@link #refuseNewConnections refuse new connections}. Connections made
 * after a fault work normally. Thread-safe.
 */
public final class FaultProxy implements AutoCloseable {
  private final String targetHost;
  private final int targetPort;
  private final ServerSocket server;
  private final Set<Link> links = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean dropNextReply = new AtomicBoolean();
  private final AtomicInteger accepted = new AtomicInteger();
  private volatile boolean refusing;
  private volatile boolean closed;

  /** One proxied connection. */
  private final class Link {
    final Socket client;
    final Socket upstream;
    volatile boolean frozen;

    Link(Socket client, Socket upstream) {
      this.client = client;
      this.upstream = upstream;
    }

    void close() {
      links.remove(this);
      try {
        client.close();
      } catch (IOException e) {
        // closing
      }
      try {
        upstream.close();
      } catch (IOException e) {
        // closing
      }
    }
  }

  /**
   * Starts a proxy on a free loopback port forwarding to {@code targetHost:targetPort}.
   *
   * @throws UncheckedIOException if no port can be bound
   */
  public FaultProxy(String targetHost, int targetPort) {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    try {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Thread.ofPlatform().daemon().name("fault-proxy-" + server.getLocalPort()).start(this::acceptLoop);
  }

  /** A proxy in front of a {@link RedisServer}'s plain port. */
  public static FaultProxy in(RedisServer redis) {
    return new FaultProxy(redis.host(), redis.port());
  }

  /** The port clients connect to. */
  public int port() {
    return server.getLocalPort();
  }

  /** {@code redis://127.0.0.1:<port>}. */
  public String url() {
    return "redis://127.0.0.1:" + port();
  }

  /** Connections accepted so far. */
  public int accepted() {
    return accepted.get();
  }

  /** Connections open now. */
  public int open() {
    return links.size();
  }

  /** Closes every current connection at once (both sides), like a network blip. */
  public void dropConnections() {
    for (Link l : links) {
      l.close();
    }
  }

  /**
   * Makes every current connection stall: both sockets stay open but nothing is forwarded any more
   * (a half-open connection that the client cannot tell from a slow server). New connections work.
   */
  public void freeze() {
    for (Link l : links) {
      l.frozen = true;
    }
  }

  /** The next data the server sends on any connection is swallowed and that connection is closed. */
  public void dropNextReply() {
    dropNextReply.set(true);
  }

  /**
   * While true, new connections are closed as soon as they are accepted (the server looks down to
   * new clients); existing ones are not affected.
   */
  public void refuseNewConnections(boolean refuse) {
    this.refusing = refuse;
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket client = server.accept();
        if (refusing) {
          client.close();
          continue;
        }
        client.setTcpNoDelay(true);
        Socket upstream = new Socket();
        try {
          upstream.connect(new InetSocketAddress(targetHost, targetPort), 5000);
          upstream.setTcpNoDelay(true);
        } catch (IOException e) {
          client.close();
          continue;
        }
        accepted.incrementAndGet();
        Link l = new Link(client, upstream);
        links.add(l);
        Thread.ofPlatform().daemon().name("fault-proxy-up").start(() -> pump(l, client, upstream, false));
        Thread.ofPlatform().daemon().name("fault-proxy-down").start(() -> pump(l, upstream, client, true));
      } catch (IOException e) {
        if (!closed) {
          continue;
        }
        return;
      }
    }
  }

  private void pump(Link l, Socket from, Socket to, boolean reply) {
    byte[] buf = new byte[64 * 1024];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      int n;
      while ((n = in.read(buf)) >= 0) {
        if (l.frozen) {
          continue; // swallow: the connection looks alive but nothing arrives
        }
        if (reply && dropNextReply.compareAndSet(true, false)) {
          l.close();
          return;
        }
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // one side closed
    }
    if (!l.frozen) {
      l.close();
    }
  }

  /** Stops accepting and closes every connection. */
  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      // closing
    }
    dropConnections();
  }
}
