package dev.spindle.queue.internal;

import dev.spindle.spi.JsonCodec;
import java.lang.reflect.Type;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;

/**
 * String-based JSON conversion for the queue's hot paths, with the codec's size limit and error
 * messages: the common case skips the byte-array round trip of {@link JsonCodec}; any failure (or a
 * payload near the limit) is handed to the codec, which throws its usual
 * {@link dev.spindle.PayloadException}. Stateless.
 */
public final class Payloads {
  private Payloads() {}

  /** {@link JsonCodec#toJson} for values whose JSON is well under the limit. */
  public static String toJson(JsonCodec codec, @Nullable Object value, String what) {
    return toJson(codec, value, () -> what);
  }

  /**
   * {@link #toJson(JsonCodec, Object, String)} with the description built only for an error (a hot
   * path's description would cost more than the value's JSON).
   */
  public static String toJson(JsonCodec codec, @Nullable Object value, Supplier<String> what) {
    if (value == null) {
      return "null";
    }
    if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte
        || value instanceof Boolean) {
      return value.toString(); // exactly what Jackson writes, without a generator per value
    }
    String json;
    try {
      json = codec.mapper().writeValueAsString(value);
    } catch (JacksonException | IllegalArgumentException e) {
      return codec.toJson(value, what.get());
    }
    if ((long) json.length() * 3 > codec.maxBytes()) {
      return codec.toJson(value, what.get()); // exact UTF-8 size check
    }
    return json;
  }

  /**
   * Checks that {@code json} binds to {@code type} exactly, as an enqueue must before anything is
   * stored: besides the codec's checks, a fraction is refused for an integer type ({@code 1.5}
   * would run as 1) and {@code null} for a number, boolean or character.
   *
   * @throws dev.spindle.PayloadException saying what does not fit
   */
  public static void checkStrictly(JsonCodec codec, String json, Type type, String what) {
    Object value = fromJson(codec, json, type, what); // size, syntax and the codec's own binding errors
    if (value == null && type instanceof Class<?> c && (c.isPrimitive() || Number.class.isAssignableFrom(c)
        || c == Boolean.class || c == Character.class)) {
      throw new dev.spindle.PayloadException(what + ": null is not a " + c.getSimpleName()
          + "; give a value");
    }
    if (type instanceof Class<?> c && isIntegral(c) && !isPlainInteger(json.strip())) {
      JsonNode node;
      try {
        node = codec.mapper().readTree(json);
      } catch (JacksonException e) {
        return; // fromJson accepted it; nothing more to check
      }
      if (node.isNumber() && !node.isIntegralNumber()) {
        throw new dev.spindle.PayloadException(what + ": " + dev.spindle.spi.Echo.of(json.strip()) + " is not a "
            + "whole number, but the task takes a " + c.getSimpleName() + " (it would be cut to "
            + value + ")");
      }
    }
    try { // nested values: fields of records and beans, elements of lists
      codec.mapper().readerFor(codec.mapper().constructType(type))
          .without(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
          .with(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES).readValue(json);
    } catch (JacksonException e) {
      throw new dev.spindle.PayloadException(what + " do not fit the task's input type exactly: "
          + dev.spindle.spi.Echo.of(e.getOriginalMessage()), e);
    }
  }

  private static boolean isIntegral(Class<?> c) {
    return c == Long.class || c == Integer.class || c == Short.class || c == Byte.class || c == long.class
        || c == int.class || c == short.class || c == byte.class || c == java.math.BigInteger.class;
  }

  /** {@code -?[0-9]{1,18}} without leading zeros: a number Jackson reads as the same long. */
  private static boolean isPlainInteger(String s) {
    int n = s.length();
    int i = n > 0 && s.charAt(0) == '-' ? 1 : 0;
    if (n == i || n - i > 18 || (s.charAt(i) == '0' && n - i > 1)) {
      return false;
    }
    for (; i < n; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  /** {@link JsonCodec#fromJson} for text well under the limit. */
  @SuppressWarnings("unchecked")
  public static <T> T fromJson(JsonCodec codec, String json, Type type, String what) {
    if ((long) json.length() * 3 > codec.maxBytes()) {
      return codec.fromJson(json, type, what);
    }
    if ((type == Long.class || type == Integer.class) && isPlainInteger(json)) {
      try {
        return (T) (type == Long.class ? (Object) Long.valueOf(json) : (Object) Integer.valueOf(json));
      } catch (NumberFormatException e) {
        return codec.fromJson(json, type, what); // out of range: the codec says so
      }
    }
    try {
      return codec.mapper().readValue(json, codec.mapper().constructType(type));
    } catch (JacksonException | IllegalArgumentException e) {
      return codec.fromJson(json, type, what);
    }
  }
}
