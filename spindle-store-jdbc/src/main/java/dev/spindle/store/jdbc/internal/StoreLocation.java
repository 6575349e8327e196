package dev.spindle.store.jdbc.internal;

import dev.spindle.spi.ByteSizes;
import dev.spindle.spi.Durations;
import dev.spindle.spi.Echo;
import dev.spindle.store.jdbc.ServerStoreBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiPredicate;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A SQL store's location as the providers read it. A server database's is {@code
 * scheme://[user@]host[:port]/database?user=NAME&...}: {@link #build} parses it, checks its
 * parameters against the known ones and hands it to the store's builder; the password is never part
 * of it (a location that holds or may hold one is refused without being repeated) and comes from
 * {@code passwordFile=PATH} (its first line), else the database's environment variable, else the file
 * another variable names. The static helpers read query parameters with errors that name the bad
 * parameter (also for {@code sqlite:} locations). Immutable.
 */
public final class StoreLocation {
  private final Server server;
  private final String host;
  private final int port;
  private final String database;
  private final @Nullable String user;
  private final @Nullable String passwordFile;
  private final Map<String, String> params;

  /**
   * What differs between server databases' locations.
   *
   * @param product the database's name in messages ({@code "PostgreSQL"})
   * @param shape an example location, for messages
   * @param defaultPort the port when the location names none
   * @param userEnv the environment variable of the default user (else the system user)
   * @param passwordEnv the environment variable of the password
   * @param passwordFileEnv the environment variable naming a password file
   */
  public record Server(String product, String shape, int defaultPort, String userEnv, String passwordEnv,
      String passwordFileEnv) {}

  private StoreLocation(Server server, String host, int port, String database, @Nullable String user,
      @Nullable String passwordFile, Map<String, String> params) {
    this.server = server;
    this.host = host;
    this.port = port;
    this.database = database;
    this.user = user;
    this.passwordFile = passwordFile;
    this.params = params;
  }

  /**
   * Parses {@code location} and makes a builder of it with {@code builder}; an error of either never
   * repeats a location that may hold a password.
   *
   * @param known the parameters the database takes besides {@code user} and {@code passwordFile}
   * @throws IllegalArgumentException if the location is malformed, holds a password, or names an
   *     unknown parameter or a bad value
   */
  public static <B> B build(String location, Server server, List<String> known, Function<StoreLocation, B> builder) {
    try {
      return builder.apply(parse(location, server, known));
    } catch (IllegalArgumentException e) {
      if (mayHoldPassword(location)) {
        // a password with '?' ("u:pa?ss@host") is split as a query and fails some other way, and that
        // message (or its cause) would repeat parts of it: say neither
        throw new IllegalArgumentException("the store location is malformed (not repeated here: it may hold a"
            + " password; put that in " + server.passwordEnv() + " or a password file (passwordFile=PATH), never"
            + " in the location)");
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

  private static StoreLocation parse(String location, Server server, List<String> known) {
    int start = location.indexOf("://");
    if (start < 0) {
      throw new IllegalArgumentException("a " + server.product() + " store location looks like " + server.shape()
          + ", not '" + Echo.of(location) + "'");
    }
    String rest = location.substring(start + 3);
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
        throw passwordRefused(server);
      }
      user = decode(who);
      rest = rest.substring(at + 1);
    }
    int slash = rest.indexOf('/');
    String hostPort = slash < 0 ? rest : rest.substring(0, slash);
    String database = slash < 0 ? "" : decode(rest.substring(slash + 1));
    String host = hostPort;
    int port = server.defaultPort();
    int pc = hostPort.lastIndexOf(':');
    if (pc >= 0 && !hostPort.endsWith("]")) {
      host = hostPort.substring(0, pc);
      try {
        port = Integer.parseInt(hostPort.substring(pc + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("the port in '" + Echo.of(location) + "' is not a number", e);
      }
    }
    host = host.replaceAll("^\\[(.*)]$", "$1");
    String passwordFile = null;
    Map<String, String> params = new LinkedHashMap<>();
    for (Map.Entry<String, String> p : query(query, location).entrySet()) {
      String k = p.getKey();
      String v = decode(p.getValue());
      if (k.equals("password")) {
        throw passwordRefused(server);
      } else if (k.equals("user")) {
        user = v;
      } else if (k.equals("passwordFile")) {
        passwordFile = v;
      } else if (known.contains(k)) {
        params.put(k, v);
      } else {
        throw new IllegalArgumentException("unknown parameter '" + Echo.of(k) + "' in '" + Echo.of(location)
            + "' (known: user, passwordFile, " + String.join(", ", known) + ")");
      }
    }
    if (database.isEmpty()) {
      throw new IllegalArgumentException("no database in '" + Echo.of(location) + "': " + server.shape());
    }
    return new StoreLocation(server, host.isEmpty() ? "localhost" : host, port, database, user, passwordFile,
        params);
  }

  private static IllegalArgumentException passwordRefused(Server server) {
    return new IllegalArgumentException("the store location holds a password (not repeated here): put it in "
        + server.passwordEnv() + " or a password file (passwordFile=PATH), never in the location (it would show in"
        + " process lists and logs)");
  }

  /** The host ({@code localhost} when the location names none; an IPv6 address without brackets). */
  public String host() {
    return host;
  }

  /** The port (the database's default when the location names none). */
  public int port() {
    return port;
  }

  /** The database's name. */
  public String database() {
    return database;
  }

  /**
   * Sets on {@code b} the password and every parameter given, in order: {@code own} takes the
   * database's own ones (true when it took one), then the shared {@code poll}, {@code
   * maxConnections} and {@code maxPayloadBytes}; any other known parameter is a driver option.
   *
   * @throws IllegalArgumentException if a value is bad (the message names the parameter)
   */
  public <B extends ServerStoreBuilder<B>> B configure(B b, Map<String, String> env, BiPredicate<String, String> own) {
    b.password(password(env));
    params.forEach((k, v) -> {
      if (!own.test(k, v)) {
        switch (k) {
          case "poll" -> b.pollInterval(duration(k, v));
          case "maxConnections" -> b.maxConnections(number(k, v));
          case "maxPayloadBytes" -> b.maxPayloadBytes(intSize(k, v));
          default -> b.option(k, v);
        }
      }
    });
    return b;
  }

  /** The user: the location's, else the database's environment variable, else the system user. */
  public String user(Map<String, String> env) {
    if (user != null && !user.isEmpty()) {
      return user;
    }
    return env.getOrDefault(server.userEnv(), System.getProperty("user.name"));
  }

  /**
   * The password: the first line of {@code passwordFile}, else the database's environment variable,
   * else the first line of the file its file variable names; null if none.
   *
   * @throws UncheckedIOException if the password file cannot be read
   */
  public @Nullable String password(Map<String, String> env) {
    if (passwordFile != null) {
      return firstLine(passwordFile);
    }
    String pw = env.get(server.passwordEnv());
    if (pw != null) {
      return pw;
    }
    String f = env.get(server.passwordFileEnv());
    return f == null ? null : firstLine(f);
  }

  private String firstLine(String file) {
    try {
      String text = Files.readString(Path.of(file), StandardCharsets.UTF_8);
      int nl = text.indexOf('\n');
      return (nl < 0 ? text : text.substring(0, nl)).strip();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the " + server.product() + " password file " + file, e);
    }
  }

  /**
   * The parameters of a location's query ({@code a=1&b=2}, not decoded), in order.
   *
   * @throws IllegalArgumentException for a parameter without a name or {@code =}
   */
  public static Map<String, String> query(String query, String location) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String kv : query.isEmpty() ? new String[0] : query.split("&")) {
      int eq = kv.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("malformed parameter '" + Echo.of(kv) + "' in '" + Echo.of(location) + "'");
      }
      out.put(kv.substring(0, eq), kv.substring(eq + 1));
    }
    return out;
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  /** Parameter {@code k}'s value {@code v} as an int. */
  public static int number(String k, String v) {
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("parameter " + k + " is not a number: " + Echo.of(v), e);
    }
  }

  /** Parameter {@code k}'s value {@code v} as a duration ({@link Durations}' grammar). */
  public static Duration duration(String k, String v) {
    try {
      return Durations.parse(v);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("parameter " + k + ": " + e.getMessage(), e);
    }
  }

  /** Parameter {@code k}'s value {@code v} as a byte size ({@link ByteSizes}' grammar). */
  public static long size(String k, String v) {
    try {
      return ByteSizes.parse(v);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("parameter " + k + ": " + e.getMessage(), e);
    }
  }

  /** Parameter {@code k}'s value {@code v} as an int byte size (a payload limit). */
  public static int intSize(String k, String v) {
    long n = size(k, v);
    if (n > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("parameter " + k + " is too large: " + Echo.of(v));
    }
    return (int) n;
  }

  /** Parameter {@code k}'s value {@code v} as on ({@code on}, {@code true}, {@code yes}) or off. */
  public static boolean onOff(String k, String v) {
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "on", "true", "yes" -> true;
      case "off", "false", "no" -> false;
      default -> throw new IllegalArgumentException(k + " must be on or off, not '" + Echo.of(v) + "'");
    };
  }
}
