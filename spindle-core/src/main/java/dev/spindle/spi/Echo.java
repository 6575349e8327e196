package dev.spindle.spi;

/**
 * Makes user input safe to repeat in an error message: at most {@value #MAX_CHARS} characters (the
 * rest is summarized as "... (N more characters)") and every control character escaped
 * ({@code \n}, {@code \t}, {@code \u001b}), so a huge or hostile value can neither flood a log nor
 * drive a terminal. Stateless and thread-safe.
 */
public final class Echo {
  /** The most characters of an input repeated in a message. */
  public static final int MAX_CHARS = 100;

  private Echo() {}

  /** {@code input} bounded and escaped; "null" for {@code null}. */
  public static String of(String input) {
    if (input == null) {
      return "null";
    }
    int n = Math.min(input.length(), MAX_CHARS);
    StringBuilder b = new StringBuilder(n + 24);
    escapeInto(b, input, n);
    if (input.length() > MAX_CHARS) {
      b.append("... (").append(input.length() - MAX_CHARS).append(" more characters)");
    }
    return b.toString();
  }

  /** {@code text} with control characters escaped, not shortened (for whole messages). */
  public static String controls(String text) {
    if (text == null) {
      return "null";
    }
    StringBuilder b = new StringBuilder(text.length());
    escapeInto(b, text, text.length());
    return b.toString();
  }

  private static void escapeInto(StringBuilder b, String s, int n) {
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029') {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
  }
}
