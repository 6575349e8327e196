package dev.spindle.process.internal;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The wire format between the parent and a worker: frames of a 4-byte big-endian length followed
 * by that many bytes of UTF-8 JSON. Stateless helpers.
 */
final class Frames {
  private Frames() {}

  /**
   * Reads one frame.
   *
   * @return the JSON bytes, or null at a clean end-of-stream before a frame
   * @throws ProtocolException if the length is impossible (the stream is not the protocol)
   */
  static byte @Nullable [] read(DataInputStream in, int maxBytes) throws IOException {
    int b0 = in.read();
    if (b0 < 0) {
      return null;
    }
    int b1 = in.read();
    int b2 = in.read();
    int b3 = in.read();
    if ((b1 | b2 | b3) < 0) {
      throw new EOFException("stream ended inside a frame header");
    }
    int len = (b0 << 24) | (b1 << 16) | (b2 << 8) | b3;
    if (len < 2 || len > maxBytes) {
      byte[] head = {(byte) b0, (byte) b1, (byte) b2, (byte) b3};
      byte[] more = in.readNBytes(Math.min(60, Math.max(0, in.available())));
      byte[] all = Arrays.copyOf(head, 4 + more.length);
      System.arraycopy(more, 0, all, 4, more.length);
      throw new ProtocolException("bad frame length " + len + " (limit " + maxBytes + "); the stream starts "
          + "with '" + printable(all) + "' - did something write to the protocol stream (native code "
          + "writing to file descriptor 1)?");
    }
    byte[] data = new byte[len];
    in.readFully(data);
    return data;
  }

  static String printable(byte[] bytes) {
    String s = new String(bytes, StandardCharsets.ISO_8859_1);
    StringBuilder sb = new StringBuilder();
    for (char c : s.toCharArray()) {
      sb.append(c >= 0x20 && c < 0x7f ? c : '.');
    }
    return sb.toString();
  }

  /** A growable buffer that starts with room for the length and patches it at the end. */
  static final class Builder extends ByteArrayOutputStream {
    Builder(int initial) {
      super(Math.max(16, initial));
      count = 4;
    }

    /** The finished frame. */
    byte[] frame() {
      int len = count - 4;
      buf[0] = (byte) (len >>> 24);
      buf[1] = (byte) (len >>> 16);
      buf[2] = (byte) (len >>> 8);
      buf[3] = (byte) len;
      return Arrays.copyOf(buf, count);
    }

    /** The JSON length written so far. */
    int jsonLength() {
      return count - 4;
    }
  }

  /** The stream is not speaking the protocol. */
  static final class ProtocolException extends IOException {
    ProtocolException(String message) {
      super(message);
    }
  }
}
