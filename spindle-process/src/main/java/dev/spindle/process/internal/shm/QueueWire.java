package dev.spindle.process.internal.shm;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import org.jspecify.annotations.Nullable;

/**
 * The queue protocol over a unix domain socket. Request: {@code int length, byte op,
 * long timeoutNanos, payload}; response: {@code int length, byte status, payload}. One request at
 * a time per connection. Stateless helpers.
 */
public final class QueueWire {
  public static final byte PUT = 1;
  public static final byte GET = 2;
  public static final byte TASK_DONE = 3;
  public static final byte JOIN = 4;
  public static final byte SIZE = 5;

  public static final byte OK = 0;
  public static final byte EMPTY = 1;
  public static final byte FULL = 2;
  public static final byte TIMEOUT = 3;
  public static final byte ERROR = 4;

  static final int MAX = 64 << 20;
  /** The bytes of a request body before its payload: the op and the timeout. */
  static final int REQUEST_HEADER = 1 + 8;

  private QueueWire() {}

  public static void write(SocketChannel ch, byte code, long timeout, byte @Nullable [] payload, boolean request)
      throws IOException {
    int body = 1 + (request ? 8 : 0) + (payload == null ? 0 : payload.length);
    ByteBuffer b = ByteBuffer.allocate(4 + body);
    b.putInt(body).put(code);
    if (request) {
      b.putLong(timeout);
    }
    if (payload != null) {
      b.put(payload);
    }
    b.flip();
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }

  /** Reads a message body; null at a clean end-of-stream. */
  public static @Nullable ByteBuffer read(SocketChannel ch) throws IOException {
    ByteBuffer len = ByteBuffer.allocate(4);
    while (len.hasRemaining()) {
      if (ch.read(len) < 0) {
        if (len.position() == 0) {
          return null;
        }
        throw new EOFException("connection closed inside a message");
      }
    }
    int n = len.flip().getInt();
    if (n < 1 || n > MAX) {
      throw new IOException("bad queue message length " + n);
    }
    ByteBuffer body = ByteBuffer.allocate(n);
    while (body.hasRemaining()) {
      if (ch.read(body) < 0) {
        throw new EOFException("connection closed inside a message");
      }
    }
    return body.flip();
  }

  static byte[] rest(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }
}
