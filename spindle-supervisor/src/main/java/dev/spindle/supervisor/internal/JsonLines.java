package dev.spindle.supervisor.internal;

import java.io.IOException;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** JSON objects over a {@link LineChannel}, with Jackson: the master's and the control client's side. Stateless. */
public final class JsonLines {
  /** The mapper for every message. */
  public static final JsonMapper MAPPER = JsonMapper.builder().build();

  private JsonLines() {}

  /** A new empty object node. */
  public static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  /**
   * Reads the next message.
   *
   * @return the message, or null at end of stream
   * @throws IOException on a read error, an oversized line, or a line that is not a JSON object
   */
  public static @Nullable JsonNode read(LineChannel ch) throws IOException {
    String line = ch.readLine();
    return line == null ? null : parse(line);
  }

  /**
   * Parses one line.
   *
   * @throws IOException if it is not a JSON object
   */
  public static JsonNode parse(String line) throws IOException {
    try {
      JsonNode n = MAPPER.readTree(line);
      if (n == null || !n.isObject()) {
        throw new IOException("expected a JSON object per line, got: " + LineChannel.abbreviate(line));
      }
      return n;
    } catch (JacksonException e) {
      throw new IOException("malformed JSON line: " + e.getOriginalMessage(), e);
    }
  }

  /** Writes one message. */
  public static void write(LineChannel ch, JsonNode message) throws IOException {
    String text;
    try {
      text = MAPPER.writeValueAsString(message);
    } catch (JacksonException e) {
      throw new IOException("cannot encode message: " + e.getOriginalMessage(), e);
    }
    ch.writeLine(text);
  }
}
