package dev.spindle.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The test's side of {@link ContractTasks#GATE}: a loopback TCP server that records which gate
 * tasks arrived (are running), releases them on request, and notices when one left (its connection
 * closed: released, interrupted, or its worker process died). Works across processes, needs no
 * sleeps. Binds {@code 127.0.0.1} on a free port. Thread-safe; close it to fail every blocked gate.
 *
 * <pre>{@code
 * try (GateServer gates = new GateServer()) {
 *   TaskFuture<String> f = pool.submit(ContractTasks.GATE, gates.gate("a"));
 *   gates.awaitArrived("a");
 *   gates.release("a");
 *   assertThat(f.result()).isEqualTo("a");
 * }
 * }</pre>
 */
public final class GateServer implements AutoCloseable {
  /** How long the await methods wait before failing the test. */
  public static final Duration DEFAULT_WAIT = Duration.ofSeconds(30);

  private final ServerSocketChannel server;
  private final Thread acceptor;
  private final Map<String, SocketChannel> open = new ConcurrentHashMap<>();
  private final Set<String> arrived = ConcurrentHashMap.newKeySet();
  private final Set<String> departed = ConcurrentHashMap.newKeySet();
  private final Set<String> preReleased = ConcurrentHashMap.newKeySet();
  private final AtomicInteger counter = new AtomicInteger();
  private final Object signal = new Object();
  private volatile boolean openAll;
  private volatile boolean closed;

  /**
   * Starts the server.
   *
   * @throws IOException if no loopback port can be bound
   */
  public GateServer() throws IOException {
    server = ServerSocketChannel.open();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    acceptor = Thread.ofPlatform().daemon().name("gate-server-acceptor").start(this::acceptLoop);
  }

  /** The port gate tasks connect to. */
  public int port() {
    return ((InetSocketAddress) server.socket().getLocalSocketAddress()).getPort();
  }

  /** The input of a gate task with this token (tokens must be unique per server). */
  public ContractTasks.Gate gate(String token) {
    return new ContractTasks.Gate(port(), token);
  }

  /** The input of a gate task with a fresh unique token. */
  public ContractTasks.Gate gate() {
    return gate("gate-" + counter.incrementAndGet());
  }

  /**
   * From now on release every gate as soon as it arrives (and release those waiting now), for
   * tests that only need gates to pass.
   */
  public void openAll() {
    openAll = true;
    releaseAll();
  }

  private void acceptLoop() {
    while (!closed) {
      SocketChannel ch;
      try {
        ch = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      Thread.ofPlatform().daemon().name("gate-server-conn").start(() -> serve(ch));
    }
  }

  private void serve(SocketChannel ch) {
    String token = null;
    try (ch) {
      token = readLine(ch);
      if (token == null) {
        return;
      }
      open.put(token, ch);
      arrived.add(token);
      signalAll();
      if (preReleased.remove(token) | openAll) {
        pass(ch);
      }
      ByteBuffer buf = ByteBuffer.allocate(64);
      while (ch.read(buf) >= 0) {
        buf.clear(); // a gate never sends more; wait for the close
      }
    } catch (IOException e) {
      // the peer went away: departed
    } finally {
      if (token != null) {
        open.remove(token);
        departed.add(token);
        signalAll();
      }
    }
  }

  private static @Nullable String readLine(SocketChannel ch) throws IOException {
    StringBuilder sb = new StringBuilder();
    ByteBuffer one = ByteBuffer.allocate(1);
    while (true) {
      one.clear();
      if (ch.read(one) < 0) {
        return null;
      }
      char c = (char) (one.get(0) & 0xff);
      if (c == '\n') {
        return sb.toString();
      }
      sb.append(c);
    }
  }

  private void signalAll() {
    synchronized (signal) {
      signal.notifyAll();
    }
  }

  /**
   * Lets one waiting gate pass. If it has not arrived yet, it passes as soon as it arrives.
   */
  public void release(String token) {
    preReleased.add(token);
    SocketChannel ch = open.get(token);
    if (ch != null && preReleased.remove(token)) {
      pass(ch);
    }
  }

  private static void pass(SocketChannel ch) {
    try {
      ch.write(ByteBuffer.wrap(new byte[] {1}));
    } catch (IOException e) {
      // already gone: fine
    }
  }

  /** Lets every gate waiting now pass. */
  public void releaseAll() {
    for (String token : new ArrayList<>(open.keySet())) {
      release(token);
    }
  }

  /** True if the gate ever arrived. */
  public boolean hasArrived(String token) {
    return arrived.contains(token);
  }

  /** True if the gate arrived and its connection has closed since. */
  public boolean hasDeparted(String token) {
    return departed.contains(token);
  }

  /** How many distinct gates arrived so far. */
  public int arrivedCount() {
    return arrived.size();
  }

  /** Tokens of the gates that arrived so far. */
  public Set<String> arrivedTokens() {
    return Set.copyOf(arrived);
  }

  /** Tokens of the gates blocked at the server now. */
  public Set<String> waitingTokens() {
    return Set.copyOf(open.keySet());
  }

  /** Waits until these gates have arrived. @throws AssertionError after {@link #DEFAULT_WAIT} */
  public void awaitArrived(String... tokens) {
    awaitCondition(() -> arrived.containsAll(List.of(tokens)), "gates " + List.of(tokens) + " to arrive");
  }

  /** Waits until at least {@code n} gates have arrived. @throws AssertionError after {@link #DEFAULT_WAIT} */
  public void awaitArrivedCount(int n) {
    awaitCondition(() -> arrived.size() >= n, n + " gates to arrive (arrived: " + arrived + ")");
  }

  /** Waits until these gates have departed. @throws AssertionError after {@link #DEFAULT_WAIT} */
  public void awaitDeparted(String... tokens) {
    awaitCondition(() -> departed.containsAll(List.of(tokens)), "gates " + List.of(tokens) + " to depart");
  }

  /** Waits until at least {@code n} gates have departed. @throws AssertionError after {@link #DEFAULT_WAIT} */
  public void awaitDepartedCount(int n) {
    awaitCondition(() -> departed.size() >= n, n + " gates to depart (departed: " + departed + ")");
  }

  private void awaitCondition(java.util.function.BooleanSupplier cond, String what) {
    long deadline = System.nanoTime() + DEFAULT_WAIT.toNanos();
    synchronized (signal) {
      while (!cond.getAsBoolean()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("timed out after " + DEFAULT_WAIT + " waiting for " + what);
        }
        try {
          signal.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted waiting for " + what, e);
        }
      }
    }
  }

  /**
   * Waits until no gate is blocked at the server (each one that arrived has departed).
   *
   * @throws AssertionError after {@link #DEFAULT_WAIT}
   */
  public void awaitNoneWaiting() {
    awaitCondition(open::isEmpty, "every waiting gate to depart (waiting: " + open.keySet() + ")");
  }

  /** Closes the server and every connection: gates still waiting fail. */
  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      // ignore
    }
    for (SocketChannel ch : open.values()) {
      try {
        ch.close();
      } catch (IOException e) {
        // ignore
      }
    }
    acceptor.interrupt();
  }
}
