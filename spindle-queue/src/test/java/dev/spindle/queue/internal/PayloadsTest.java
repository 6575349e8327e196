package dev.spindle.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.PayloadException;
import dev.spindle.spi.JsonCodec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PayloadsTest {
  private final JsonCodec codec = JsonCodec.defaults();

  /** An input with nested numbers. */
  public record Point(int x, long y, List<Integer> more) {}

  @Test
  void strictBindingRefusesWhatTheInputTypeCannotHoldExactly() {
    assertThatThrownBy(() -> Payloads.checkStrictly(codec, "1.5", Long.class, "args"))
        .isInstanceOf(PayloadException.class).hasMessageContaining("1.5 is not a whole number");
    assertThatThrownBy(() -> Payloads.checkStrictly(codec, "null", Long.class, "args"))
        .isInstanceOf(PayloadException.class).hasMessageContaining("null is not a Long");
    assertThatThrownBy(() -> Payloads.checkStrictly(codec, "{\"x\":1.5,\"y\":2,\"more\":[]}", Point.class, "args"))
        .isInstanceOf(PayloadException.class).hasMessageContaining("exactly");
    assertThatThrownBy(() -> Payloads.checkStrictly(codec, "{\"x\":1,\"y\":2,\"more\":[2.5]}", Point.class,
        "args")).isInstanceOf(PayloadException.class);
    assertThatThrownBy(() -> Payloads.checkStrictly(codec, "{\"x\":null,\"y\":2,\"more\":[]}", Point.class,
        "args")).isInstanceOf(PayloadException.class);
    Payloads.checkStrictly(codec, "{\"x\":1,\"y\":2,\"more\":[3]}", Point.class, "args");
    Payloads.checkStrictly(codec, "9223372036854775807", Long.class, "args");
    Payloads.checkStrictly(codec, "null", String.class, "args"); // a reference type may be null
    Payloads.checkStrictly(codec, "2.5", Double.class, "args");
  }

  @Test
  void fastPathsWriteWhatJacksonWrites() {
    for (Object v : new Object[] {0L, -1L, Long.MAX_VALUE, Long.MIN_VALUE, 42, (short) 7, (byte) -3, true, false,
        null}) {
      assertThat(Payloads.toJson(codec, v, "v")).isEqualTo(codec.toJson(v, "v"));
    }
    for (Object v : new Object[] {"a \"quoted\" string", 1.5, List.of(1, 2), Map.of("k", "v")}) {
      assertThat(Payloads.toJson(codec, v, "v")).isEqualTo(codec.toJson(v, "v"));
    }
  }

  @Test
  void fastPathsReadWhatJacksonReads() {
    for (String json : new String[] {"0", "-7", "123456789012345678", "9223372036854775807",
        "-9223372036854775808", "12", " 12", "1.0", "1e3", "007"}) {
      Object viaCodec;
      try {
        viaCodec = codec.fromJson(json, Long.class, "x");
      } catch (PayloadException e) {
        assertThatThrownBy(() -> Payloads.fromJson(codec, json, Long.class, "x")).isInstanceOf(PayloadException.class);
        continue;
      }
      Object fast = Payloads.fromJson(codec, json, Long.class, "x");
      assertThat(fast).as(json).isEqualTo(viaCodec);
    }
    Integer small = Payloads.fromJson(codec, "123", Integer.class, "x");
    assertThat(small).isEqualTo(123);
    assertThatThrownBy(() -> Payloads.fromJson(codec, "99999999999", Integer.class, "x"))
        .isInstanceOf(PayloadException.class);
    assertThatThrownBy(() -> Payloads.fromJson(codec, "\"x\"", Long.class, "the input"))
        .isInstanceOf(PayloadException.class).hasMessageContaining("the input");
  }

  @Test
  void oversizedPayloadsGetTheCodecsError() {
    JsonCodec small = new JsonCodec(32);
    assertThatThrownBy(() -> Payloads.toJson(small, "x".repeat(40), "the input")).isInstanceOf(PayloadException.class)
        .hasMessageContaining("over the limit of 32 bytes");
  }
}
