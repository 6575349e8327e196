package dev.spindle.queue.internal;

/** Fast name checks for hot paths (the same rules as the public validators). Stateless. */
public final class Names {
  private Names() {}

  /**
   * True if {@code s} has 1 to {@code max} characters, each an ASCII letter or digit or one of
   * {@code extra}.
   */
  public static boolean isName(String s, int max, String extra) {
    int n = s.length();
    if (n == 0 || n > max) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || extra.indexOf(c) >= 0)) {
        return false;
      }
    }
    return true;
  }
}
