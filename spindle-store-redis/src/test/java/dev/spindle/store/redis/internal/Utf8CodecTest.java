package dev.spindle.store.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The store's Lettuce codec: UTF-8 both ways, whatever buffer Lettuce hands it. */
class Utf8CodecTest {
  private static final Utf8Codec CODEC = Utf8Codec.INSTANCE;

  @ParameterizedTest
  @ValueSource(strings = {"", "plain|ascii|0", "zoë", "☃ snow", "𝄞 clef", "nul\0inside", "{\"k\":\"v\"}"})
  void stringsRoundTripAsUtf8(String s) {
    ByteBuffer key = CODEC.encodeKey(s);
    ByteBuffer value = CODEC.encodeValue(s);
    assertThat(bytes(value)).isEqualTo(s.getBytes(StandardCharsets.UTF_8));
    assertThat(CODEC.decodeKey(key)).isEqualTo(s);
    assertThat(CODEC.decodeValue(value)).isEqualTo(s);
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void decodingReadsTheRemainingBytesAndLeavesThePosition(boolean direct) {
    byte[] text = "xx☃ value".getBytes(StandardCharsets.UTF_8);
    ByteBuffer buffer = direct ? ByteBuffer.allocateDirect(text.length) : ByteBuffer.allocate(text.length + 4);
    if (!direct) {
      buffer.position(4); // a heap buffer whose bytes start at an offset of its array
      buffer = buffer.slice();
    }
    buffer.put(text).flip().position(2);
    assertThat(CODEC.decodeValue(buffer)).isEqualTo("☃ value");
    assertThat(buffer.position()).isEqualTo(2);
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void nullEncodesAsEmpty(boolean key) {
    assertThat((key ? CODEC.encodeKey(null) : CODEC.encodeValue(null)).remaining()).isZero();
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }
}
