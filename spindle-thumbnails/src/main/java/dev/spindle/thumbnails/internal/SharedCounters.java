package dev.spindle.thumbnails.internal;

/**
 * Adds to the cross-process counter of resized bytes by name. The counter itself lives in
 * {@code spindle-process}; until a counter is opened by name in this JVM the call fails loudly.
 */
public final class SharedCounters {
  private SharedCounters() {}

  /**
   * Adds {@code delta} to the named counter.
   *
   * @throws IllegalStateException if the counter cannot be opened
   */
  public static void add(String name, long delta) {
    throw new IllegalStateException("cross-process counter '" + name + "' is not available yet");
  }
}
