package dev.spindle.store.redis.internal;

import io.lettuce.core.codec.RedisCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Keys and values as UTF-8 strings, for the store's Lettuce connections. Each string is encoded
 * with {@link String#getBytes} and handed to Lettuce as a heap buffer, which it writes straight
 * into the command's frame. Lettuce's {@code StringCodec} instead encodes every argument into a
 * temporary pooled buffer of its own (allocated, filled a char at a time, copied into the frame and
 * freed): for a script call with dozens of arguments that was the largest part of sending it. A
 * null encodes as an empty string, as with {@code StringCodec}. Stateless and thread-safe.
 */
final class Utf8Codec implements RedisCodec<String, String> {
  static final Utf8Codec INSTANCE = new Utf8Codec();
  private static final byte[] EMPTY = new byte[0];

  private Utf8Codec() {}

  @Override
  public String decodeKey(ByteBuffer bytes) {
    return decode(bytes);
  }

  @Override
  public String decodeValue(ByteBuffer bytes) {
    return decode(bytes);
  }

  @Override
  public ByteBuffer encodeKey(@Nullable String key) {
    return encode(key);
  }

  @Override
  public ByteBuffer encodeValue(@Nullable String value) {
    return encode(value);
  }

  /** The buffer's remaining bytes as a string; leaves the buffer's position where it was. */
  private static String decode(ByteBuffer bytes) {
    if (bytes.hasArray()) {
      return new String(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining(),
          StandardCharsets.UTF_8);
    }
    byte[] copy = new byte[bytes.remaining()];
    bytes.duplicate().get(copy);
    return new String(copy, StandardCharsets.UTF_8);
  }

  private static ByteBuffer encode(@Nullable String s) {
    return ByteBuffer.wrap(s == null ? EMPTY : s.getBytes(StandardCharsets.UTF_8));
  }
}
