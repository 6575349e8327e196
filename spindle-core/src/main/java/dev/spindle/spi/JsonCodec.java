package dev.spindle.spi;

import dev.spindle.PayloadException;
import java.lang.reflect.Type;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.json.JsonMapper;

/**
 * Converts task inputs and outputs to and from JSON with Jackson. No polymorphic typing: only the
 * declared types are ever instantiated, so a payload cannot choose a class. Thread-safe.
 *
 * <p>Every error is a {@link PayloadException} whose message names the type and what was wrong;
 * oversized payloads are refused before they are stored or sent.
 */
public final class JsonCodec {
  /** The default size limit of one payload: 1 MiB. */
  public static final int DEFAULT_MAX_BYTES = 1 << 20;

  private static final JsonCodec DEFAULT = new JsonCodec(DEFAULT_MAX_BYTES);

  private final JsonMapper mapper;
  private final int maxBytes;

  /**
   * @param maxBytes the largest payload accepted, in bytes (UTF-8 JSON)
   */
  public JsonCodec(int maxBytes) {
    if (maxBytes < 16) {
      throw new IllegalArgumentException("maxBytes must be >= 16: " + maxBytes);
    }
    this.maxBytes = maxBytes;
    this.mapper = JsonMapper.builder()
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .addModule(LiveObjects.module()) // threads, thread queues, locks... are refused, not copied
        .build();
  }

  /** The shared codec with a 1 MiB limit. */
  public static JsonCodec defaults() {
    return DEFAULT;
  }

  /** The size limit in bytes. */
  public int maxBytes() {
    return maxBytes;
  }

  /** The underlying mapper, for backends that stream JSON themselves. Do not reconfigure. */
  public JsonMapper mapper() {
    return mapper;
  }

  /**
   * Serializes a value.
   *
   * @param what what the value is, for messages (e.g. "input of task 'primes.check'")
   * @throws PayloadException if it cannot be serialized or exceeds {@link #maxBytes()}
   */
  public byte[] toBytes(Object value, String what) {
    byte[] bytes;
    try {
      bytes = mapper.writeValueAsBytes(value);
    } catch (JacksonException e) {
      throw new PayloadException("cannot serialize " + what + " (" + typeName(value) + ") to JSON"
          + where(e) + ": " + e.getOriginalMessage(), e);
    }
    checkSize(bytes.length, what);
    return bytes;
  }

  /** Where in the value the failure is, as " at field a.b[2].c", or "" at the top. */
  private static String where(JacksonException e) {
    StringBuilder b = new StringBuilder();
    for (JacksonException.Reference r : e.getPath()) {
      if (r.getPropertyName() != null) {
        b.append(b.isEmpty() ? "" : ".").append(r.getPropertyName());
      } else if (r.getIndex() >= 0) {
        b.append('[').append(r.getIndex()).append(']');
      }
    }
    return b.isEmpty() ? "" : " at field " + b;
  }

  /** {@link #toBytes} as a string. */
  public String toJson(Object value, String what) {
    return new String(toBytes(value, what), java.nio.charset.StandardCharsets.UTF_8);
  }

  /**
   * Deserializes a value of the given type.
   *
   * @throws PayloadException if the JSON is malformed, does not fit the type, or is too large
   */
  public <T> T fromBytes(byte[] json, Type type, String what) {
    checkSize(json.length, what);
    try {
      JavaType jt = mapper.constructType(type);
      return mapper.readValue(json, jt);
    } catch (JacksonException e) {
      throw new PayloadException(what + " is not valid JSON for " + type.getTypeName() + ": "
          + e.getOriginalMessage(), e);
    }
  }

  /** {@link #fromBytes} from a string. */
  public <T> T fromJson(String json, Type type, String what) {
    return fromBytes(json.getBytes(java.nio.charset.StandardCharsets.UTF_8), type, what);
  }

  /**
   * Converts an already-deserialized value (e.g. a map read from a generic JSON tree) to a type.
   *
   * @throws PayloadException if it does not fit
   */
  public <T> T convert(Object value, Type type, String what) {
    try {
      return mapper.convertValue(value, mapper.constructType(type));
    } catch (JacksonException | IllegalArgumentException e) {
      throw new PayloadException(what + " does not fit " + type.getTypeName() + ": " + e.getMessage(), e);
    }
  }

  private void checkSize(int length, String what) {
    if (length > maxBytes) {
      throw new PayloadException(what + " is " + length + " bytes of JSON, over the limit of " + maxBytes
          + " bytes; raise the limit or pass a reference (a path or URL) instead of the data");
    }
  }

  private static String typeName(Object value) {
    return value == null ? "null" : value.getClass().getName();
  }
}
