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
import org.jspecify.annotations.Nullable;

/**
 * Lines of UTF-8 text over a unix domain socket: the transport of the control socket. One JSON
 * object per line ({@link JsonLines} on the master's side, {@link FlatJson} in the children, which
 * thereby start without loading Jackson). Reading is for one thread at a time; writing is
 * thread-safe and may run concurrently with a read.
 */
public final class LineChannel implements AutoCloseable {
  /** The longest line accepted, in bytes. */
  public static final int MAX_LINE = 4 << 20;

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

  /**
   * Reads the next line (without its newline).
   *
   * @return the line, or null at end of stream
   * @throws IOException on a read error or a line over {@link #MAX_LINE}
   */
  public @Nullable String readLine() throws IOException {
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

  /** Writes one line; {@code text} must not contain a newline. */
  public void writeLine(String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
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
