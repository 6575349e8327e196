package dev.spindle.store.redis.internal;

import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.RetryPolicy;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The text form of a {@link JobPolicy}: {@code timeout|maxWorkerLost|resultTtl|failureTtl|retry JSON}
 * (durations as {@link Times} writes them, an empty timeout for none). The store keeps each distinct
 * text once, under its {@link #id} (jobs keep only the id); the Lua scripts read the middle three
 * fields. Both directions are cached, since most jobs share a few policies. Thread-safe.
 */
public final class Policies {
  private static final int CACHE_LIMIT = 1024;
  private static final ConcurrentHashMap<JobPolicy, String> ENCODED = new ConcurrentHashMap<>();
  private static final ConcurrentHashMap<JobPolicy, String> IDS = new ConcurrentHashMap<>();
  private static final ConcurrentHashMap<String, JobPolicy> DECODED = new ConcurrentHashMap<>();

  private Policies() {}

  /** The text form. */
  public static String encode(JobPolicy p) {
    String s = ENCODED.get(p);
    if (s == null) {
      s = (p.timeout() == null ? "" : Times.encode(p.timeout())) + "|" + p.maxWorkerLost() + "|"
          + Times.encode(p.resultTtl()) + "|" + Times.encode(p.failureTtl()) + "|" + p.retry().toJson();
      if (ENCODED.size() >= CACHE_LIMIT) {
        ENCODED.clear();
      }
      ENCODED.put(p, s);
    }
    return s;
  }

  /** The {@link #id} of the policy's {@link #encode text form}. */
  public static String id(JobPolicy p) {
    String id = IDS.get(p);
    if (id == null) {
      id = id(encode(p));
      if (IDS.size() >= CACHE_LIMIT) {
        IDS.clear();
      }
      IDS.put(p, id);
    }
    return id;
  }

  /** The id of a policy text: 16 hex digits of its SHA-1. */
  public static String id(String text) {
    try {
      byte[] d = java.security.MessageDigest.getInstance("SHA-1").digest(
          text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(d, 0, 8);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Reads the text form.
   *
   * @throws IllegalArgumentException if it is malformed
   */
  public static JobPolicy decode(String s) {
    JobPolicy p = DECODED.get(s);
    if (p == null) {
      String[] f = s.split("\\|", 5);
      if (f.length != 5) {
        throw new IllegalArgumentException("malformed stored job policy: " + s);
      }
      p = new JobPolicy(f[0].isEmpty() ? null : Times.duration(f[0]), RetryPolicy.fromJson(f[4]),
          Integer.parseInt(f[1]), Times.duration(f[2]), Times.duration(f[3]));
      if (DECODED.size() >= CACHE_LIMIT) {
        DECODED.clear();
      }
      DECODED.put(s, p);
    }
    return p;
  }
}
