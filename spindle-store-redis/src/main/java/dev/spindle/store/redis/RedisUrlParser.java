package dev.spindle.store.redis;

import dev.spindle.spi.Durations;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Reads a {@code redis[s]://[[user]:password@]host[:port][/database][?options]} URL into a
 * {@link RedisStoreConfig.Builder}, strictly: every part and option is checked and a mistake is
 * named (never echoing a password). Lettuce's {@code RedisURI.create} is not used for this: it
 * accepts malformed options silently ({@code timeout=soon}), answers {@code /zero} with a bare
 * {@code NumberFormatException}, and knows none of Spindle's options. Stateless.
 */
final class RedisUrlParser {
  /** The URL's options, as documented (they are matched ignoring case). */
  private static final Set<String> OPTION_NAMES = Collections.unmodifiableSortedSet(new TreeSet<>(Set.of(
      "namespace", "cluster", "timeout", "connectTimeout", "retryBudget", "watchdog", "verifyPeer", "caCert",
      "passwordFile", "clientName", "database", "eviction", "partitions", "drainUpTo")));
  private static final Set<String> OPTIONS =
      OPTION_NAMES.stream().map(o -> o.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());

  private RedisUrlParser() {}

  /**
   * {@link RedisStoreConfig#fromLocation}: a URL, or just the scheme ({@code redis:} or
   * {@code redis://}), which means "the URL in {@value RedisStoreConfig#ENV_URL}".
   */
  static RedisStoreConfig location(String location, Map<String, String> env) {
    String l = location.strip();
    String lower = l.toLowerCase(Locale.ROOT);
    if (lower.equals("redis:") || lower.equals("redis://") || lower.equals("rediss:") || lower.equals("rediss://")
        || lower.equals("redis") || lower.equals("redis:env")) {
      RedisStoreConfig c = RedisStoreConfig.fromEnvironment(env);
      if (lower.startsWith("rediss") && !c.tls()) {
        throw new IllegalArgumentException("the location asks for TLS (rediss:) but " + RedisStoreConfig.ENV_URL
            + " is a redis:// URL; make it rediss://");
      }
      return c;
    }
    return RedisStoreConfig.fromUrl(l, env);
  }

  /** {@link RedisStoreConfig#hasInlinePassword}. */
  static boolean hasInlinePassword(String url) {
    try {
      String ui = new URI(url.strip()).getRawUserInfo();
      return ui != null && ui.indexOf(':') >= 0 && ui.indexOf(':') < ui.length() - 1;
    } catch (URISyntaxException e) {
      return false;
    }
  }

  /** Reads {@code url} into a builder, taking a missing password and user name from {@code env}. */

  static RedisStoreConfig.Builder parse(String url, Map<String, String> env) {
    Objects.requireNonNull(url, "url");
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("malformed Redis URL (expected redis[s]://[[user]:password@]host[:port]"
          + "[/database][?options]): " + e.getReason() + " at index " + e.getIndex());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("redis") && !scheme.equals("rediss")) {
      throw new IllegalArgumentException("a Redis URL starts with redis:// or rediss:// (TLS), not '"
          + (scheme.isEmpty() ? "(no scheme)" : scheme + ":") + "'");
    }
    RedisStoreConfig.Builder b = RedisStoreConfig.builder().tls(scheme.equals("rediss"));
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("the Redis URL has no host; expected redis[s]://host[:port][/database]");
    }
    String h = uri.getHost();
    b.host(h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h);
    if (uri.getPort() != -1) {
      b.port(uri.getPort());
    }
    String path = uri.getRawPath();
    if (path != null && !path.isEmpty() && !path.equals("/")) {
      b.database(parseDatabase(path.substring(1)));
    }
    String userInfo = uri.getRawUserInfo();
    if (userInfo != null) {
      int colon = userInfo.indexOf(':');
      String user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
      if (!user.isEmpty()) {
        b.username(user);
      }
      if (colon >= 0) {
        b.password(decode(userInfo.substring(colon + 1)).toCharArray());
      }
    }
    String passwordFile = null;
    String query = uri.getRawQuery();
    if (query != null && !query.isEmpty()) {
      for (String pair : query.split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String key = decode(eq < 0 ? pair : pair.substring(0, eq));
        String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
        String k = key.toLowerCase(Locale.ROOT);
        if (!OPTIONS.contains(k)) {
          throw new IllegalArgumentException("unknown Redis URL option '" + key + "'; known: " + OPTION_NAMES);
        }
        switch (k) {
          case "namespace" -> b.namespace(value);
          case "cluster" -> b.cluster(parseBoolean(key, value));
          case "timeout" -> b.commandTimeout(parseDuration(key, value));
          case "connecttimeout" -> b.connectTimeout(parseDuration(key, value));
          case "retrybudget" -> b.retryBudget(parseDuration(key, value));
          case "watchdog" -> b.watchdogInterval(parseDuration(key, value));
          case "verifypeer" -> b.verifyPeer(parseVerify(value));
          case "cacert" -> b.caCertificate(Path.of(value));
          case "passwordfile" -> passwordFile = value;
          case "clientname" -> b.clientName(value);
          case "database" -> b.database(parseDatabase(value));
          case "eviction" -> b.evictionCheck(parseEviction(value));
          case "partitions" -> b.partitions(parseCount(key, value));
          case "drainupto" -> b.drainUpTo(parseCount(key, value));
          default -> throw new AssertionError(k);
        }
      }
    }
    if (!b.hasPassword() && passwordFile != null) {
      b.password(readPasswordFile(passwordFile));
    }
    if (!b.hasPassword() && env.get(RedisStoreConfig.ENV_PASSWORD) != null && !env.get(RedisStoreConfig.ENV_PASSWORD).isEmpty()) {
      b.password(env.get(RedisStoreConfig.ENV_PASSWORD).toCharArray());
    }
    if (!b.hasUsername() && env.get(RedisStoreConfig.ENV_USERNAME) != null && !env.get(RedisStoreConfig.ENV_USERNAME).isEmpty()) {
      b.username(env.get(RedisStoreConfig.ENV_USERNAME));
    }
    return b;
  }

  private static int parseDatabase(String s) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("the Redis database must be a number (the URL path /0, /1, ...), not '"
          + s + "'");
    }
  }

  private static int parseCount(String key, String v) {
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("Redis URL option " + key + " must be a number, not '" + v + "'");
    }
  }

  private static boolean parseBoolean(String key, String v) {
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "true", "yes", "1", "" -> true;
      case "false", "no", "0" -> false;
      default -> throw new IllegalArgumentException("Redis URL option " + key + " must be true or false, not '" + v
          + "'");
    };
  }

  private static RedisStoreConfig.EvictionCheck parseEviction(String v) {
    try {
      return RedisStoreConfig.EvictionCheck.valueOf(v.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Redis URL option eviction must be refuse or warn, not '" + v + "'");
    }
  }

  private static RedisStoreConfig.VerifyPeer parseVerify(String v) {
    try {
      return RedisStoreConfig.VerifyPeer.valueOf(v.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Redis URL option verifyPeer must be full, ca or none, not '" + v + "'");
    }
  }

  /**
   * Parses a duration in {@link Durations}' grammar ({@code 500ms}, {@code 5s}, {@code 2m},
   * {@code 1h}, ISO-8601).
   *
   * @throws IllegalArgumentException if malformed
   */
  static Duration parseDuration(String key, String v) {
    try {
      return Durations.parse(v);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Redis URL option " + key + " must be a duration such as 500ms, 5s or 2m: "
          + e.getMessage(), e);
    }
  }

  private static char[] readPasswordFile(String file) {
    try {
      String s = Files.readString(Path.of(file), StandardCharsets.UTF_8);
      int end = s.length();
      while (end > 0 && (s.charAt(end - 1) == '\n' || s.charAt(end - 1) == '\r')) {
        end--;
      }
      if (end == 0) {
        throw new IllegalArgumentException("the Redis password file " + file + " is empty");
      }
      return s.substring(0, end).toCharArray();
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the Redis password file " + file + ": " + e.getMessage());
    }
  }

  /** Decodes %XX escapes (UTF-8); '+' stays '+'. */
  private static String decode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(s.length());
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 3 > s.length()) {
          throw new IllegalArgumentException("malformed %-escape in the Redis URL");
        }
        try {
          out.write(Integer.parseInt(s, i + 1, i + 3, 16));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("malformed %-escape in the Redis URL");
        }
        i += 3;
      } else {
        int cp = s.codePointAt(i);
        out.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
        i += Character.charCount(cp);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
