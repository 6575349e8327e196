package dev.spindle.thumbnails.internal;

import dev.spindle.process.SharedCounter;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Attaches to cross-process counters ({@link SharedCounter}) by the path of their mapped file, once
 * per JVM, and adds to them. Thread-safe.
 */
public final class SharedCounters {
  private static final ConcurrentHashMap<String, SharedCounter> OPEN = new ConcurrentHashMap<>();

  private SharedCounters() {}

  /**
   * Adds {@code delta} to the counter at {@code path} atomically (one atomic instruction on shared
   * memory, so no update from any process is lost).
   *
   * @throws IllegalArgumentException if no counter of this user exists there
   */
  public static void add(String path, long delta) {
    OPEN.computeIfAbsent(path, p -> SharedCounter.open(new SharedCounter.Descriptor(p))).addAndGet(delta);
  }
}
