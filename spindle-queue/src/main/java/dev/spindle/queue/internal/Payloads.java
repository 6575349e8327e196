package dev.spindle.queue.internal;

import dev.spindle.spi.JsonCodec;
import java.lang.reflect.Type;
import tools.jackson.core.JacksonException;

/**
 * String-based JSON conversion for the queue's hot paths, with the codec's size limit and error
 * messages: the common case skips the byte-array round trip of {@link JsonCodec}; any failure (or a
 * payload near the limit) is handed to the codec, which throws its usual
 * {@link dev.spindle.PayloadException}. Stateless.
 */
public final class Payloads {
  private Payloads() {}

  /** {@link JsonCodec#toJson} for values whose JSON is well under the limit. */
  public static String toJson(JsonCodec codec, Object value, String what) {
    String json;
    try {
      json = codec.mapper().writeValueAsString(value);
    } catch (JacksonException | IllegalArgumentException e) {
      return codec.toJson(value, what);
    }
    if ((long) json.length() * 3 > codec.maxBytes()) {
      return codec.toJson(value, what); // exact UTF-8 size check
    }
    return json;
  }

  /** {@link JsonCodec#fromJson} for text well under the limit. */
  public static <T> T fromJson(JsonCodec codec, String json, Type type, String what) {
    if ((long) json.length() * 3 > codec.maxBytes()) {
      return codec.fromJson(json, type, what);
    }
    try {
      return codec.mapper().readValue(json, codec.mapper().constructType(type));
    } catch (JacksonException | IllegalArgumentException e) {
      return codec.fromJson(json, type, what);
    }
  }
}
