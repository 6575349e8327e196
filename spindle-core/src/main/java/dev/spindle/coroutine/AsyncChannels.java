package dev.spindle.coroutine;

import dev.spindle.coroutine.internal.Strand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.jspecify.annotations.Nullable;

/**
 * Socket IO that suspends the calling coroutine instead of blocking its loop: asyncio's selector
 * event loop. Channels are switched to non-blocking mode; when an operation cannot proceed, the
 * coroutine waits for readiness reported by one shared selector thread
 * ({@code spindle-coroutine-selector}, a daemon started on first use), and other coroutines run
 * meanwhile. One coroutine at a time may wait on a given channel for a given operation. Call only
 * from a coroutine. Thread-safe.
 */
public final class AsyncChannels {
  private static final Object LOCK = new Object();
  private static volatile @Nullable Selector selector;
  private static final ConcurrentLinkedQueue<Runnable> PENDING = new ConcurrentLinkedQueue<>();

  private AsyncChannels() {}

  /**
   * Accepts a connection, suspending until one arrives.
   *
   * @throws UncheckedIOException if the accept fails
   */
  public static SocketChannel accept(ServerSocketChannel server) {
    Strand me = Async.requireStrand();
    try {
      server.configureBlocking(false);
      while (true) {
        SocketChannel ch = server.accept();
        if (ch != null) {
          ch.configureBlocking(false);
          return ch;
        }
        awaitReady(me, server, SelectionKey.OP_ACCEPT);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Reads at least one byte into {@code buffer}, suspending until data arrives.
   *
   * @return bytes read, or -1 at end of stream
   * @throws UncheckedIOException if the read fails
   */
  public static int read(SocketChannel channel, ByteBuffer buffer) {
    Strand me = Async.requireStrand();
    try {
      channel.configureBlocking(false);
      while (true) {
        int n = channel.read(buffer);
        if (n != 0 || !buffer.hasRemaining()) {
          return n;
        }
        awaitReady(me, channel, SelectionKey.OP_READ);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Writes all of {@code buffer}, suspending while the socket's send buffer is full.
   *
   * @throws UncheckedIOException if the write fails
   */
  public static void writeAll(SocketChannel channel, ByteBuffer buffer) {
    Strand me = Async.requireStrand();
    try {
      channel.configureBlocking(false);
      while (buffer.hasRemaining()) {
        if (channel.write(buffer) == 0) {
          awaitReady(me, channel, SelectionKey.OP_WRITE);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Connects, suspending until connected.
   *
   * @throws UncheckedIOException if the connection fails
   */
  public static SocketChannel connect(java.net.SocketAddress address) {
    Strand me = Async.requireStrand();
    try {
      SocketChannel ch = SocketChannel.open();
      ch.configureBlocking(false);
      if (!ch.connect(address)) {
        while (!ch.finishConnect()) {
          awaitReady(me, ch, SelectionKey.OP_CONNECT);
        }
      }
      return ch;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void awaitReady(Strand me, SelectableChannel ch, int op) throws IOException {
    Selector sel = selector();
    CompletableFuture<Void> ready = new CompletableFuture<>();
    PENDING.add(() -> {
      try {
        SelectionKey key = ch.keyFor(sel);
        if (key == null) {
          key = ch.register(sel, op, new Interest());
        } else {
          key.interestOps(key.interestOps() | op);
        }
        ((Interest) key.attachment()).put(op, ready);
      } catch (IOException | RuntimeException e) {
        ready.completeExceptionally(e);
      }
    });
    sel.wakeup();
    Async.suspendUntil(me, ready, () -> ready.cancel(false));
    if (ready.isCompletedExceptionally()) {
      ready.join(); // rethrows the registration failure
    }
  }

  private static Selector selector() throws IOException {
    Selector s = selector;
    if (s == null) {
      synchronized (LOCK) {
        s = selector;
        if (s == null) {
          s = Selector.open();
          selector = s;
          Selector started = s;
          Thread t = new Thread(() -> loop(started), "spindle-coroutine-selector");
          t.setDaemon(true);
          t.start();
        }
      }
    }
    return s;
  }

  private static void loop(Selector sel) {
    while (true) {
      try {
        sel.select();
        Runnable r;
        while ((r = PENDING.poll()) != null) {
          r.run();
        }
        for (SelectionKey key : sel.selectedKeys()) {
          try {
            int ready = key.readyOps();
            Interest in = (Interest) key.attachment();
            key.interestOps(key.interestOps() & ~ready);
            in.fire(ready);
          } catch (CancelledKeyException e) {
            ((Interest) key.attachment()).fire(-1);
          }
        }
        sel.selectedKeys().clear();
      } catch (IOException | RuntimeException e) {
        // keep serving the other channels
      }
    }
  }

  /** The waiters of one channel, by operation. Used by the selector thread only. */
  private static final class Interest {
    private final java.util.Map<Integer, CompletableFuture<Void>> byOp = new java.util.HashMap<>();

    void put(int op, CompletableFuture<Void> f) {
      byOp.put(op, f);
    }

    void fire(int readyOps) {
      var it = byOp.entrySet().iterator();
      while (it.hasNext()) {
        var e = it.next();
        if ((e.getKey() & readyOps) != 0) {
          e.getValue().complete(null);
          it.remove();
        }
      }
    }
  }
}
