package dev.spindle.testkit.redis;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A minimal RESP2 client for test fixtures: sends one command at a time and reads its reply, so
 * fixtures can configure and probe a {@code redis-server} without depending on a Redis library.
 * Not for production use. Not thread-safe; one per thread.
 *
 * <p>Replies map to Java as: simple string and bulk string to {@link String}, integer to
 * {@link Long}, array to {@link List}, nil to {@code null}; an error reply throws
 * {@link RespException}.
 */
public final class RespClient implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  /** A Redis error reply ({@code -ERR ...}), with the server's message. */
  public static final class RespException extends RuntimeException {
    RespException(@Nullable String message) {
      super(message);
    }
  }

  /**
   * Connects to {@code host:port}.
   *
   * @param timeout the connect and read timeout
   * @throws UncheckedIOException if the connection fails
   */
  public RespClient(String host, int port, Duration timeout) {
    try {
      socket = new Socket();
      socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
      socket.setSoTimeout((int) timeout.toMillis());
      socket.setTcpNoDelay(true);
      in = new BufferedInputStream(socket.getInputStream());
      out = socket.getOutputStream();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot connect to redis-server at " + host + ":" + port + ": " + e, e);
    }
  }

  /**
   * Sends a command and returns its reply.
   *
   * @throws RespException if Redis answers with an error
   * @throws UncheckedIOException if the connection fails
   */
  public @Nullable Object command(String... args) {
    try {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      b.write(('*' + Integer.toString(args.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
      for (String a : args) {
        byte[] bytes = a.getBytes(StandardCharsets.UTF_8);
        b.write(('$' + Integer.toString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        b.write(bytes);
        b.write('\r');
        b.write('\n');
      }
      out.write(b.toByteArray());
      out.flush();
      Object reply = read();
      if (reply instanceof RespException e) {
        throw new RespException(e.getMessage());
      }
      return reply;
    } catch (IOException e) {
      throw new UncheckedIOException("redis command " + args[0] + " failed: " + e, e);
    }
  }

  private @Nullable Object read() throws IOException {
    int type = in.read();
    if (type < 0) {
      throw new IOException("connection closed by redis-server");
    }
    String line = readLine();
    return switch (type) {
      case '+' -> line;
      case '-' -> new RespException(line);
      case ':' -> Long.parseLong(line);
      case '$' -> {
        int len = Integer.parseInt(line);
        if (len < 0) {
          yield null;
        }
        byte[] data = in.readNBytes(len);
        in.readNBytes(2);
        yield new String(data, StandardCharsets.UTF_8);
      }
      case '*' -> {
        int len = Integer.parseInt(line);
        if (len < 0) {
          yield null;
        }
        List<@Nullable Object> items = new ArrayList<>(len);
        for (int i = 0; i < len; i++) {
          Object item = read();
          items.add(item instanceof RespException e ? e.getMessage() : item);
        }
        yield items;
      }
      default -> throw new IOException("unexpected RESP type byte '" + (char) type + "'");
    };
  }

  private String readLine() throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\r') {
        in.read();
        return sb.toString();
      }
      sb.append((char) c);
    }
    throw new IOException("connection closed by redis-server");
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // closing anyway
    }
  }
}
