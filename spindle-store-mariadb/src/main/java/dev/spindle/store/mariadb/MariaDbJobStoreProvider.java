package dev.spindle.store.mariadb;

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
 * Opens {@code mariadb://} locations: {@code mariadb://host[:port]/database?user=NAME} (port 3306
 * by default), with optional {@code poll=20ms}, {@code maxConnections=8}, {@code
 * maxPayloadBytes=16MiB}, {@code passwordFile=PATH}, and Connector/J's {@code sslMode}, {@code
 * serverSslCert}, {@code connectTimeout}, {@code socketTimeout}. The password is never part of the
 * location (a location holding one is refused and not repeated in the message): it comes from
 * {@code passwordFile} (its first line), else the environment variable {@code MARIADB_PASSWORD},
 * else the file named by {@code SPINDLE_MARIADB_PASSWORD_FILE}. Stateless.
 */
public final class MariaDbJobStoreProvider implements JobStoreProvider {
  private static final String SHAPE = "mariadb://host:3306/database?user=NAME";

  @Override
  public String scheme() {
    return "mariadb";
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
  public static MariaDbJobStore.Builder builder(String location, Map<String, String> env) {
    int start = location.indexOf("://");
    int colon = location.indexOf(':', start < 0 ? 0 : start + 3);
    int at = location.lastIndexOf('@');
    if (at >= 0 && colon >= 0 && at > colon || location.contains("password=")) {
      throw new IllegalArgumentException("the store location holds a password (not repeated here): put it in"
          + " MARIADB_PASSWORD or a password file (passwordFile=PATH), never in the location");
    }
    if (start < 0) {
      throw new IllegalArgumentException("a MariaDB store location looks like " + SHAPE + ", not '"
          + Echo.of(location) + "'");
    }
    String rest = location.substring(start + 3);
    String query = "";
    int q = rest.indexOf('?');
    if (q >= 0) {
      query = rest.substring(q + 1);
      rest = rest.substring(0, q);
    }
    String user = null;
    if (at >= 0) {
      user = decode(rest.substring(0, rest.lastIndexOf('@')));
      rest = rest.substring(rest.lastIndexOf('@') + 1);
    }
    int slash = rest.indexOf('/');
    String hostPort = slash < 0 ? rest : rest.substring(0, slash);
    String database = slash < 0 ? "" : decode(rest.substring(slash + 1));
    String host = hostPort;
    int port = 3306;
    int pc = hostPort.lastIndexOf(':');
    if (pc >= 0 && !hostPort.endsWith("]")) {
      host = hostPort.substring(0, pc);
      port = number("port", hostPort.substring(pc + 1));
    }
    host = host.isEmpty() ? "localhost" : host.replaceAll("^\\[(.*)]$", "$1");
    if (database.isEmpty()) {
      throw new IllegalArgumentException("no database in '" + Echo.of(location) + "': " + SHAPE);
    }
    String passwordFile = null;
    Map<String, String> params = new java.util.LinkedHashMap<>();
    for (String kv : query.isEmpty() ? new String[0] : query.split("&")) {
      int eq = kv.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("malformed parameter '" + Echo.of(kv) + "' in '" + Echo.of(location) + "'");
      }
      String k = kv.substring(0, eq);
      String v = decode(kv.substring(eq + 1));
      switch (k) {
        case "user" -> user = v;
        case "passwordFile" -> passwordFile = v;
        case "poll", "maxConnections", "maxPayloadBytes", "sslMode", "serverSslCert", "connectTimeout",
             "socketTimeout" -> params.put(k, v);
        default -> throw new IllegalArgumentException("unknown parameter '" + Echo.of(k) + "' in '" + Echo.of(location)
            + "' (known: user, poll, maxConnections, maxPayloadBytes, passwordFile, sslMode, serverSslCert,"
            + " connectTimeout, socketTimeout)");
      }
    }
    if (user == null || user.isEmpty()) {
      user = env.getOrDefault("MARIADB_USER", System.getProperty("user.name"));
    }
    MariaDbJobStore.Builder b = MariaDbJobStore.builder(host, port, database, user).password(password(passwordFile, env));
    params.forEach((k, v) -> {
      switch (k) {
        case "poll" -> b.pollInterval(Durations.parse(v));
        case "maxConnections" -> b.maxConnections(number(k, v));
        case "maxPayloadBytes" -> b.maxPayloadBytes(Math.toIntExact(ByteSizes.parse(v)));
        default -> b.option(k, v);
      }
    });
    return b;
  }

  private static @Nullable String password(@Nullable String file, Map<String, String> env) {
    String f = file != null ? file : env.get("MARIADB_PASSWORD") != null ? null : env.get("SPINDLE_MARIADB_PASSWORD_FILE");
    if (f == null) {
      return env.get("MARIADB_PASSWORD");
    }
    try {
      String text = Files.readString(Path.of(f), StandardCharsets.UTF_8);
      int nl = text.indexOf('\n');
      return (nl < 0 ? text : text.substring(0, nl)).strip();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the MariaDB password file " + f, e);
    }
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  private static int number(String k, String v) {
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("parameter " + k + " is not a number: " + Echo.of(v), e);
    }
  }
}
