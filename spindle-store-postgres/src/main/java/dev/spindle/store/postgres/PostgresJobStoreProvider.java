package dev.spindle.store.postgres;

import dev.spindle.queue.spi.JobStoreProvider;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.spi.ByteSizes;
import dev.spindle.spi.Durations;
import dev.spindle.spi.Echo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Opens {@code postgres://} locations: {@code postgres://host[:port]/database?user=NAME} (port
 * 5432 by default; {@code user} may also come before the host as {@code NAME@host}), with optional
 * parameters {@code schema=NAME} (the tables' schema, created if missing), {@code notify=on|off}
 * (LISTEN/NOTIFY wake-ups; off behind PgBouncer transaction pooling), {@code poll=1s} (the
 * fallback poll), {@code maxConnections=8}, {@code maxPayloadBytes=16MiB}, {@code archiveAfter=0}
 * (finished jobs move to the partitioned history after this; 0: successes move in their completing
 * statement; {@code off} keeps them in the hot table),
 * {@code passwordFile=PATH}, and pgjdbc's {@code sslmode}, {@code sslrootcert},
 * {@code connectTimeout}, {@code socketTimeout}, {@code options}.
 *
 * <p>The password is never part of the location (a location with {@code user:password@} is
 * refused, so it cannot end up in shell history, process lists or logs): it comes from the file
 * named by {@code passwordFile} (its first line), else the environment variable
 * {@code PGPASSWORD}, else the file named by {@code SPINDLE_PG_PASSWORD_FILE}. Example:
 * {@code PGPASSWORD=... ./spindle worker --store postgres://db.internal/app?user=spindle}.
 */
public class PostgresJobStoreProvider implements JobStoreProvider {
  @Override
  public String scheme() {
    return "postgres";
  }

  @Override
  public StoreBackend open(String location) {
    return builder(location, System.getenv()).open();
  }

  /**
   * The builder a location describes, with the password from {@code env}.
   *
   * @throws IllegalArgumentException if the location is malformed or holds a password
   */
  public static PostgresJobStore.Builder builder(String location, Map<String, String> env) {
    try {
      return parse(location, env);
    } catch (IllegalArgumentException e) {
      if (mayHoldPassword(location)) {
        // a password with '?' ("u:pa?ss@host") is split as a query and fails some other way, and that
        // message (or its cause) would repeat parts of it: say neither
        throw new IllegalArgumentException("the store location is malformed (not repeated here: it may hold a"
            + " password; put that in PGPASSWORD or a password file (passwordFile=PATH), never in the location)");
      }
      throw e;
    }
  }

  /** Whether a {@code ':'} comes before an {@code '@'} after the scheme, as in {@code user:password@host}. */
  private static boolean mayHoldPassword(String location) {
    int start = location.indexOf("://");
    int colon = location.indexOf(':', start < 0 ? 0 : start + 3);
    return colon >= 0 && location.lastIndexOf('@') > colon;
  }

  private static PostgresJobStore.Builder parse(String location, Map<String, String> env) {
    int colon = location.indexOf("://");
    if (colon < 0) {
      throw new IllegalArgumentException("a PostgreSQL store location looks like postgres://host:5432/database?user=NAME,"
          + " not '" + Echo.of(location) + "'");
    }
    String rest = location.substring(colon + 3);
    String query = "";
    int q = rest.indexOf('?');
    if (q >= 0) {
      query = rest.substring(q + 1);
      rest = rest.substring(0, q);
    }
    String user = null;
    int at = rest.lastIndexOf('@');
    if (at >= 0) {
      String who = rest.substring(0, at);
      if (who.contains(":")) {
        throw new IllegalArgumentException("the store location holds a password: put it in PGPASSWORD or a"
            + " password file (passwordFile=PATH), never in the location (it would show in process lists and logs)");
      }
      user = decode(who);
      rest = rest.substring(at + 1);
    }
    int slash = rest.indexOf('/');
    String hostPort = slash < 0 ? rest : rest.substring(0, slash);
    String database = slash < 0 ? "" : decode(rest.substring(slash + 1));
    String host = hostPort;
    int port = 5432;
    int pc = hostPort.lastIndexOf(':');
    if (pc >= 0 && !hostPort.endsWith("]")) {
      host = hostPort.substring(0, pc);
      try {
        port = Integer.parseInt(hostPort.substring(pc + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("the port in '" + Echo.of(location) + "' is not a number", e);
      }
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    if (host.isEmpty()) {
      host = "localhost";
    }
    String schema = null;
    String passwordFile = null;
    Boolean notify = null;
    java.time.Duration poll = null;
    Integer maxConnections = null;
    Integer maxPayload = null;
    java.time.Duration archiveAfter = null;
    boolean archiveOff = false;
    Map<String, String> options = new java.util.LinkedHashMap<>();
    if (!query.isEmpty()) {
      for (String kv : query.split("&")) {
        int eq = kv.indexOf('=');
        if (eq <= 0) {
          throw new IllegalArgumentException("malformed parameter '" + Echo.of(kv) + "' in '" + Echo.of(location)
              + "'");
        }
        String k = kv.substring(0, eq);
        String v = decode(kv.substring(eq + 1));
        switch (k) {
          case "user" -> user = v;
          case "password" -> throw new IllegalArgumentException("the store location holds a password: put it in"
              + " PGPASSWORD or a password file (passwordFile=PATH), never in the location");
          case "schema" -> schema = v;
          case "passwordFile" -> passwordFile = v;
          case "notify" -> notify = onOff(k, v);
          case "poll" -> poll = duration(k, v);
          case "maxConnections" -> maxConnections = number(k, v);
          case "maxPayloadBytes" -> maxPayload = Math.toIntExact(size(k, v));
          case "archiveAfter" -> {
            archiveOff = v.equals("off");
            archiveAfter = archiveOff ? null : duration(k, v);
          }
          case "sslmode", "sslrootcert", "sslcert", "sslkey", "connectTimeout", "socketTimeout", "options",
               "targetServerType", "tcpKeepAlive" -> options.put(k, v);
          default -> throw new IllegalArgumentException("unknown parameter '" + Echo.of(k) + "' in '"
              + Echo.of(location) + "' (known: user, schema, notify, poll, maxConnections, maxPayloadBytes, archiveAfter,"
              + " passwordFile, sslmode, sslrootcert, sslcert, sslkey, connectTimeout, socketTimeout, options,"
              + " targetServerType, tcpKeepAlive)");
        }
      }
    }
    if (database.isEmpty()) {
      throw new IllegalArgumentException("no database in '" + Echo.of(location)
          + "': postgres://host:5432/DATABASE?user=NAME");
    }
    if (user == null || user.isEmpty()) {
      user = env.getOrDefault("PGUSER", System.getProperty("user.name"));
    }
    PostgresJobStore.Builder b = PostgresJobStore.builder(host, port, database, user);
    b.password(password(passwordFile, env));
    b.schema(schema);
    if (notify != null) {
      b.listenNotify(notify);
    }
    if (poll != null) {
      b.pollInterval(poll);
    }
    if (maxConnections != null) {
      b.maxConnections(maxConnections);
    }
    if (maxPayload != null) {
      b.maxPayloadBytes(maxPayload);
    }
    if (archiveOff || archiveAfter != null) {
      b.archiveAfter(archiveAfter);
    }
    options.forEach(b::option);
    return b;
  }

  private static @Nullable String password(@Nullable String file, Map<String, String> env) {
    if (file != null) {
      return firstLine(Path.of(file));
    }
    String pw = env.get("PGPASSWORD");
    if (pw != null) {
      return pw;
    }
    String f = env.get("SPINDLE_PG_PASSWORD_FILE");
    return f == null ? null : firstLine(Path.of(f));
  }

  private static String firstLine(Path file) {
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      int nl = text.indexOf('\n');
      return (nl < 0 ? text : text.substring(0, nl)).strip();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the PostgreSQL password file " + file, e);
    }
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  private static boolean onOff(String k, String v) {
    return switch (v.toLowerCase(java.util.Locale.ROOT)) {
      case "on", "true", "yes" -> true;
      case "off", "false", "no" -> false;
      default -> throw new IllegalArgumentException(k + " must be on or off, not '" + Echo.of(v) + "'");
    };
  }

  private static int number(String k, String v) {
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("parameter " + k + " is not a number: " + Echo.of(v), e);
    }
  }

  private static java.time.Duration duration(String k, String v) {
    try {
      return Durations.parse(v);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("parameter " + k + ": " + e.getMessage(), e);
    }
  }

  private static long size(String k, String v) {
    try {
      return ByteSizes.parse(v);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("parameter " + k + ": " + e.getMessage(), e);
    }
  }
}
