package dev.spindle.testkit;

import dev.spindle.Task;
import dev.spindle.TaskCatalog;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;

/**
 * The tasks of the executor contract suite, as a portable {@link TaskCatalog}, so the same suite
 * runs in child JVMs. Every task is deterministic; the blocking one ({@link #GATE}) is released by
 * the test through a {@link GateServer} over loopback TCP, never by sleeping.
 *
 * <p>Public, with a public no-argument constructor, as catalogs must be. Thread-safe.
 */
public final class ContractTasks implements TaskCatalog {
  /** Where a gate task connects and how it identifies itself. */
  public record Gate(int port, String token) {}

  /** What a task saw of its {@link dev.spindle.TaskContext}. */
  public record ContextInfo(String taskName, String executionId, int attempt, String workerName) {}

  /** {@code x * x}. */
  public static final Task<Long, Long> SQUARE = Task.of("contract.square", Long.class, Long.class, x -> x * x);

  /** Returns its input unchanged (null included). */
  public static final Task<String, String> ECHO = Task.of("contract.echo", String.class, String.class, s -> s);

  /** Throws {@link IllegalStateException} with the input as message. */
  public static final Task<String, String> FAIL = Task.of("contract.fail", String.class, String.class, msg -> {
    throw new IllegalStateException(msg);
  });

  /** {@code x * x}, except that a negative input throws {@link IllegalArgumentException}. */
  public static final Task<Long, Long> SQUARE_NON_NEGATIVE = Task.of("contract.square-non-negative",
      Long.class, Long.class, x -> {
        if (x < 0) {
          throw new IllegalArgumentException("negative input " + x);
        }
        return x * x;
      });

  /** Reports its context. */
  public static final Task<String, ContextInfo> CONTEXT = Task.withContext("contract.context", String.class,
      ContextInfo.class, (in, ctx) -> new ContextInfo(ctx.taskName(), ctx.executionId(), ctx.attempt(),
          ctx.workerName()));

  /**
   * Connects to the {@link GateServer} at {@code 127.0.0.1:port}, announces its token, and blocks
   * until the server releases it (one byte), then returns the token. Blocks in an interruptible
   * channel, so cancelling it interrupts it; fails if the server goes away.
   */
  public static final Task<Gate, String> GATE = Task.of("contract.gate", Gate.class, String.class,
      ContractTasks::passGate);

  /** Used by {@link dev.spindle.TaskRegistry}. */
  public ContractTasks() {}

  @Override
  public Collection<Task<?, ?>> tasks() {
    return List.of(SQUARE, ECHO, FAIL, SQUARE_NON_NEGATIVE, CONTEXT, GATE);
  }

  private static String passGate(Gate gate) throws IOException {
    try (SocketChannel ch = SocketChannel.open(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), gate.port()))) {
      ByteBuffer hello = ByteBuffer.wrap((gate.token() + "\n").getBytes(StandardCharsets.UTF_8));
      while (hello.hasRemaining()) {
        ch.write(hello);
      }
      ByteBuffer one = ByteBuffer.allocate(1);
      int n = ch.read(one);
      if (n < 0) {
        throw new IOException("gate server closed the connection before releasing gate '" + gate.token() + "'");
      }
      return gate.token();
    }
  }
}
