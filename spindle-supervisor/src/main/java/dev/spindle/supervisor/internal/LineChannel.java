package dev.spindle.supervisor.internal;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * One JSON object per line over a unix domain socket: the wire of the control socket, shared by
 * {@code spindle ctl} clients and the master's children. Reading is for one thread at a time;
 * writing is thread-safe and may run concurrently with a read.
 */
public final class LineChannel implements AutoCloseable {
  /** The longest line accepted, in bytes. */
  public static final int MAX_LINE = 4 << 20;

  /** The mapper for every message. */
  public static final JsonMapper MAPPER = JsonMapper.builder().build();

  private final SocketChannel channel;
  private final ByteBuffer in = ByteBuffer.allocate(8192);
  private final Object writeLock = new Object();

  /** Wraps a connected, blocking channel. */
  public LineChannel(SocketChannel channel) {
    this.channel = channel;
    in.flip();
  }

  /**
   * Connects to a socket.
   *
   * @throws IOException if nothing listens there
   */
  public static LineChannel connect(Path socket) throws IOException {
    SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      ch.connect(UnixDomainSocketAddress.of(socket));
    } catch (IOException e) {
      ch.close();
      throw e;
    }
    return new LineChannel(ch);
  }

  /** The underlying channel. */
  public SocketChannel channel() {
    return channel;
  }

  /** A new empty object node. */
  public static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  /**
   * Reads the next message.
   *
   * @return the message, or null at end of stream
   * @throws IOException on a read error, a line over {@link #MAX_LINE}, or a line that is not a JSON object
   */
  public JsonNode read() throws IOException {
    String line = readLine();
    if (line == null) {
      return null;
    }
    try {
      JsonNode n = MAPPER.readTree(line);
      if (n == null || !n.isObject()) {
        throw new IOException("expected a JSON object per line, got: " + abbreviate(line));
      }
      return n;
    } catch (JacksonException e) {
      throw new IOException("malformed JSON line: " + e.getOriginalMessage(), e);
    }
  }

  private String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    while (true) {
      while (in.hasRemaining()) {
        byte b = in.get();
        if (b == '\n') {
          return line.toString(StandardCharsets.UTF_8);
        }
        if (line.size() >= MAX_LINE) {
          throw new IOException("line longer than " + MAX_LINE + " bytes");
        }
        line.write(b);
      }
      in.clear();
      int n = channel.read(in);
      in.flip();
      if (n < 0) {
        if (line.size() > 0) {
          throw new EOFException("connection closed in the middle of a line");
        }
        return null;
      }
    }
  }

  /** Writes one message as a line. */
  public void write(JsonNode message) throws IOException {
    byte[] bytes;
    try {
      bytes = MAPPER.writeValueAsBytes(message);
    } catch (JacksonException e) {
      throw new IOException("cannot encode message: " + e.getOriginalMessage(), e);
    }
    ByteBuffer buf = ByteBuffer.allocate(bytes.length + 1).put(bytes).put((byte) '\n').flip();
    synchronized (writeLock) {
      while (buf.hasRemaining()) {
        channel.write(buf);
      }
    }
  }

  /** Closes the channel; a blocked read returns end of stream or fails. Idempotent. */
  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      // nothing to do
    }
  }

  static String abbreviate(String s) {
    return s.length() <= 120 ? s : s.substring(0, 117) + "...";
  }
}
