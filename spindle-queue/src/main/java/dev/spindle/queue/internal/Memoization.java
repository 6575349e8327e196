package dev.spindle.queue.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The key of a memoized call: the task's name and the SHA-256 of its plaintext arguments JSON, so
 * identical calls meet whether or not their arguments are stored encrypted (the digest reveals only
 * that two calls were identical). Stateless; thread-safe.
 */
final class Memoization {
  private Memoization() {
  }

  /** {@code <task>:<sha-256 of argsJson in hex>}. */
  static String key(String task, String argsJson) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(argsJson.getBytes(StandardCharsets.UTF_8));
      return task + ":" + HexFormat.of().formatHex(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
