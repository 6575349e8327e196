package dev.spindle.store.redis.internal;

import dev.spindle.queue.IllegalJobTransitionException;
import dev.spindle.queue.JobState;
import dev.spindle.queue.StoreException;
import dev.spindle.queue.StoreException.Reason;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandInterruptedException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import java.io.IOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Turns Redis and Lettuce failures into {@link StoreException}s that say exactly what happened and
 * what to do, and classifies them: {@link #retryable} failures (connection lost, timeout, server
 * loading or busy) are retried within the retry budget; others (out of memory, read-only replica,
 * authentication, script errors) fail at once. Messages name the server by its redacted
 * description, never with a password. Stateless.
 */
public final class StoreErrors {
  private static final Pattern ILLEGAL =
      Pattern.compile("spindle: illegal transition of job (\\d+) from ([A-Z]+) to ([A-Z]+)");

  private StoreErrors() {}

  /** True if retrying the same call (same request id) may succeed. */
  public static boolean retryable(Throwable t) {
    Throwable e = unwrap(t);
    if (e instanceof RedisCommandTimeoutException || e instanceof RedisConnectionException
        || e instanceof TimeoutException || e instanceof IOException || e instanceof CancellationException
        || unknownSlot(e)) {
      return true;
    }
    if (e instanceof RedisCommandExecutionException) {
      String m = String.valueOf(e.getMessage());
      return m.startsWith("LOADING") || m.startsWith("BUSY") || m.startsWith("TRYAGAIN") || m.startsWith("MASTERDOWN")
          || m.startsWith("CLUSTERDOWN");
    }
    return e instanceof RedisException && !(e instanceof RedisCommandInterruptedException)
        && String.valueOf(e.getMessage()).contains("Connection closed");
  }

  /**
   * True when the Cluster client's slot table lacks the key's slot (its topology is older than the
   * cluster's: a fresh cluster, a failover, a resharding); nothing was sent, and a retry after a
   * topology refresh is safe.
   */
  public static boolean unknownSlot(Throwable t) {
    return unwrap(t) instanceof io.lettuce.core.cluster.PartitionSelectorException;
  }

  /** True for NOSCRIPT: the server lost its script cache (restart, SCRIPT FLUSH). */
  public static boolean noScript(Throwable t) {
    Throwable e = unwrap(t);
    return e instanceof RedisCommandExecutionException && String.valueOf(e.getMessage()).startsWith("NOSCRIPT");
  }

  /** True for "Function not found": the server lost the Functions library (restart, FUNCTION FLUSH, new master). */
  public static boolean noFunction(Throwable t) {
    Throwable e = unwrap(t);
    return e instanceof RedisCommandExecutionException
        && String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("function not found");
  }

  /**
   * True if loading a Functions library failed because the server has no FUNCTION command (before
   * Redis 7), the user may not run it (ACL), or the server is a read-only replica (it gets its
   * primary's functions, but may lack this version's), anywhere in {@code t}'s causes.
   */
  public static boolean functionsUnavailable(Throwable t) {
    for (Throwable e = t; e != null; e = e.getCause() == e ? null : e.getCause()) {
      String m = String.valueOf(e.getMessage());
      if (e instanceof RedisCommandExecutionException
          && (m.startsWith("NOPERM") || m.startsWith("READONLY") || m.contains("unknown command") || m.contains("unknown subcommand"))) {
        return true;
      }
    }
    return false;
  }

  /** True for errors that say nothing was executed (a rejected command, as opposed to a lost reply). */
  public static boolean certainlyNotApplied(Throwable t) {
    Throwable e = unwrap(t);
    return e instanceof RedisCommandExecutionException && !retryable(e);
  }

  /**
   * The store exception for a failure of {@code op} against {@code where}; an illegal job transition
   * reported by a script becomes {@link IllegalJobTransitionException}.
   */
  public static RuntimeException map(Throwable t, String op, String where) {
    Throwable e = unwrap(t);
    if (e instanceof StoreException se) {
      return se;
    }
    String m = String.valueOf(e.getMessage());
    if (e instanceof RedisCommandExecutionException) {
      Matcher im = ILLEGAL.matcher(m);
      if (im.find()) {
        return new IllegalJobTransitionException(im.group(1), JobState.valueOf(im.group(2)),
            JobState.valueOf(im.group(3)));
      }
      if (m.startsWith("OOM")) {
        return new StoreException(Reason.DISK_FULL, "Redis at " + where + " is out of memory (used memory is above "
            + "maxmemory and the eviction policy does not make room): " + op + " was refused and nothing was "
            + "changed. Running jobs still complete; free memory (purge finished jobs, shorten result TTLs) or raise "
            + "maxmemory, then retry.", e);
      }
      if (m.startsWith("READONLY")) {
        return new StoreException(Reason.READ_ONLY, "Redis at " + where + " is a read-only replica: " + op
            + " was refused and nothing was changed. Point the store URL (" + "SPINDLE_REDIS_URL) at the primary.", e);
      }
      if (authRefusal(e) != null) {
        return authFailed(op, where, firstLine(m), e);
      }
      if (m.startsWith("NOPERM")) {
        return new StoreException(Reason.CANNOT_OPEN, "the Redis user lacks a permission Spindle needs at " + where
            + ": " + firstLine(m) + ". Spindle needs scripting (EVAL/EVALSHA), PUBLISH/SUBSCRIBE and the keys of its "
            + "namespace.", e);
      }
      if (m.startsWith("LOADING")) {
        return new StoreException(Reason.UNAVAILABLE, "Redis at " + where + " is still loading its data after a "
            + "restart; " + op + " was not done. Retry shortly.", e);
      }
      if (m.startsWith("BUSY")) {
        return new StoreException(Reason.BUSY, "Redis at " + where + " is busy running a long script; " + op
            + " was not done. Retry shortly.", e);
      }
      if (m.startsWith("MASTERDOWN") || m.startsWith("CLUSTERDOWN") || m.startsWith("TRYAGAIN")) {
        return new StoreException(Reason.UNAVAILABLE, "Redis at " + where + " cannot serve " + op + " now: "
            + firstLine(m), e);
      }
      return new StoreException(Reason.IO, "Redis at " + where + " failed " + op + ": " + firstLine(m), e);
    }
    if (e instanceof RedisCommandTimeoutException || e instanceof TimeoutException) {
      return new StoreException(Reason.UNAVAILABLE, "Redis at " + where + " did not answer " + op
          + " in time; it may or may not have been applied (a retry with the same request is safe)", e);
    }
    if (e instanceof RedisConnectionException || e instanceof IOException || retryable(e)) {
      return new StoreException(Reason.UNAVAILABLE, "cannot reach Redis at " + where + " for " + op + ": "
          + firstLine(m) + " (is redis-server running and reachable?)", e);
    }
    return new StoreException(Reason.IO, "Redis at " + where + " failed " + op + ": " + e, e);
  }

  /**
   * The server's refusal of the credentials (the first line of a NOAUTH or WRONGPASS error) found in
   * the cause chain, or {@code null} if the failure is not about authentication.
   */
  public static @Nullable String authRefusal(Throwable t) {
    for (Throwable e = t; e != null; e = e.getCause() == e ? null : e.getCause()) {
      String m = String.valueOf(e.getMessage());
      int at = Math.max(m.indexOf("NOAUTH"), m.indexOf("WRONGPASS"));
      if (at >= 0) {
        return firstLine(m.substring(at));
      }
      if (m.contains("invalid password") || m.contains("invalid username-password")) {
        return firstLine(m);
      }
    }
    return null;
  }

  /**
   * The exception for a call refused because the server does not accept the credentials (any more):
   * reason CANNOT_OPEN, one line, naming the server by its redacted description.
   */
  public static StoreException authFailed(String op, String where, String refusal, @Nullable Throwable cause) {
    return new StoreException(Reason.CANNOT_OPEN, "authentication failed (NOAUTH/WRONGPASS): Redis at " + where
        + " refused the credentials (" + refusal + "), so " + op + " was not done. Did the password or ACL user "
        + "change? Fix it in the URL, passwordFile or SPINDLE_REDIS_PASSWORD and restart.", cause);
  }

  private static String firstLine(String m) {
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  private static Throwable unwrap(Throwable t) {
    Throwable e = t;
    while ((e instanceof java.util.concurrent.ExecutionException || e instanceof java.util.concurrent.CompletionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }
}
