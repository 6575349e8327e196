package dev.spindle.supervisor.internal;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Encodes and decodes flat JSON objects (string, integer, boolean and null values): the
 * children's side of the control socket. A worker JVM thereby reaches "ready" without loading
 * Jackson, which on a small machine takes longer than starting the JVM itself. Stateless.
 */
final class FlatJson {
  private FlatJson() {}

  /** Encodes {@code key, value, key, value, ...}; values are String, Number, Boolean or null. */
  public static String encode(Object... keyValues) {
    StringBuilder sb = new StringBuilder(64).append('{');
    for (int i = 0; i < keyValues.length; i += 2) {
      if (i > 0) {
        sb.append(',');
      }
      string(sb, (String) keyValues[i]);
      sb.append(':');
      Object v = keyValues[i + 1];
      if (v == null) {
        sb.append("null");
      } else if (v instanceof String s) {
        string(sb, s);
      } else if (v instanceof Number || v instanceof Boolean) {
        sb.append(v);
      } else {
        throw new IllegalArgumentException("unsupported value " + v.getClass());
      }
    }
    return sb.append('}').toString();
  }

  private static void string(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }

  /**
   * Decodes a flat object: values become String, Long, Double, Boolean or null.
   *
   * @throws IOException if it is not a flat JSON object
   */
  public static Map<String, Object> decode(String json) throws IOException {
    Parser p = new Parser(json);
    Map<String, Object> out = new LinkedHashMap<>();
    p.skip();
    p.expect('{');
    p.skip();
    if (p.peek() == '}') {
      p.pos++;
      return p.end(out);
    }
    while (true) {
      p.skip();
      String key = p.string();
      p.skip();
      p.expect(':');
      p.skip();
      out.put(key, p.value());
      p.skip();
      char c = p.next();
      if (c == '}') {
        return p.end(out);
      }
      if (c != ',') {
        throw p.error("expected ',' or '}'");
      }
    }
  }

  private static final class Parser {
    private final String s;
    private int pos;

    Parser(String s) {
      this.s = s;
    }

    char peek() throws IOException {
      if (pos >= s.length()) {
        throw error("unexpected end");
      }
      return s.charAt(pos);
    }

    char next() throws IOException {
      char c = peek();
      pos++;
      return c;
    }

    void skip() {
      while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
        pos++;
      }
    }

    void expect(char c) throws IOException {
      if (next() != c) {
        throw error("expected '" + c + "'");
      }
    }

    Map<String, Object> end(Map<String, Object> out) throws IOException {
      skip();
      if (pos != s.length()) {
        throw error("trailing characters");
      }
      return out;
    }

    @Nullable Object value() throws IOException {
      char c = peek();
      if (c == '"') {
        return string();
      }
      if (s.startsWith("true", pos)) {
        pos += 4;
        return Boolean.TRUE;
      }
      if (s.startsWith("false", pos)) {
        pos += 5;
        return Boolean.FALSE;
      }
      if (s.startsWith("null", pos)) {
        pos += 4;
        return null;
      }
      int start = pos;
      while (pos < s.length() && "+-0123456789.eE".indexOf(s.charAt(pos)) >= 0) {
        pos++;
      }
      String num = s.substring(start, pos);
      if (num.isEmpty()) {
        throw error("expected a flat value (string, number, boolean or null)");
      }
      try {
        return num.contains(".") || num.contains("e") || num.contains("E") ? (Object) Double.parseDouble(num)
            : (Object) Long.parseLong(num);
      } catch (NumberFormatException e) {
        throw error("bad number " + num);
      }
    }

    String string() throws IOException {
      expect('"');
      StringBuilder sb = new StringBuilder();
      while (true) {
        char c = next();
        if (c == '"') {
          return sb.toString();
        }
        if (c != '\\') {
          sb.append(c);
          continue;
        }
        char e = next();
        switch (e) {
          case '"', '\\', '/' -> sb.append(e);
          case 'b' -> sb.append('\b');
          case 'f' -> sb.append('\f');
          case 'n' -> sb.append('\n');
          case 'r' -> sb.append('\r');
          case 't' -> sb.append('\t');
          case 'u' -> {
            if (pos + 4 > s.length()) {
              throw error("bad \\u escape");
            }
            try {
              sb.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
            } catch (NumberFormatException ex) {
              throw error("bad \\u escape");
            }
            pos += 4;
          }
          default -> throw error("bad escape \\" + e);
        }
      }
    }

    IOException error(String what) {
      return new IOException("not a flat JSON object (" + what + " at " + pos + "): " + LineChannel.abbreviate(s));
    }
  }
}
