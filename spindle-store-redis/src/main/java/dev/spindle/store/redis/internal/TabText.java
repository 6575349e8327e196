package dev.spindle.store.redis.internal;

/**
 * The escaping of tab-separated records the store keeps (audit entries, incidents): a backslash,
 * a tab and a newline in a field are written {@code \\}, {@code \t} and {@code \n}, so fields split
 * on tabs and records on newlines. Stateless and thread-safe.
 */
public final class TabText {
  private TabText() {}

  /** {@code s} with its backslashes, tabs and newlines escaped. */
  public static String esc(String s) {
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n");
  }

  /** Undoes {@link #esc}. */
  public static String unesc(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        char n = s.charAt(++i);
        b.append(n == 't' ? '\t' : n == 'n' ? '\n' : n);
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
