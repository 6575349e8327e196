package dev.spindle.store.jdbc;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.jspecify.annotations.Nullable;

/**
 * The settings a server database's store builder shares (PostgreSQL, MariaDB): where the server is,
 * who connects (the password given here, never in a location), the pool's size, how often other
 * processes' writes are polled for, and driver options; and the JDBC URL and driver properties they
 * make. Setters validate as they are given. Not thread-safe. Credentials never appear in messages.
 *
 * @param <B> the store's builder type, returned by the setters
 */
public abstract class ServerStoreBuilder<B extends ServerStoreBuilder<B>> extends JdbcStoreBuilder<B> {
  private final String host;
  private final int port;
  private final String database;
  private final String user;
  private @Nullable String password;
  private int maxConnections = 8;
  private @Nullable Duration pollInterval;
  private final Map<String, String> options = new LinkedHashMap<>();

  /**
   * The store on {@code host:port/database} as {@code user}.
   *
   * @throws IllegalArgumentException if the port is not within 1..65535
   */
  protected ServerStoreBuilder(String host, int port, String database, String user) {
    this.host = Objects.requireNonNull(host, "host");
    if (port <= 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 1..65535: " + port);
    }
    this.port = port;
    this.database = Objects.requireNonNull(database, "database");
    this.user = Objects.requireNonNull(user, "user");
  }

  /** The password (from the environment or a password file; never put it in a location string). */
  public B password(@Nullable String password) {
    this.password = password;
    return self();
  }

  /**
   * The most pooled connections (1-100; default 8).
   *
   * @throws IllegalArgumentException if outside 1..100
   */
  public B maxConnections(int n) {
    if (n < 1 || n > 100) {
      throw new IllegalArgumentException("maxConnections must be within 1..100: " + n);
    }
    this.maxConnections = n;
    return self();
  }

  /**
   * How often the store looks for other processes' writes (1 ms - 1 s; the default is the store's).
   *
   * @throws IllegalArgumentException if outside 1 ms .. 1 s
   */
  public B pollInterval(Duration interval) {
    Objects.requireNonNull(interval, "interval");
    if (interval.compareTo(Duration.ofMillis(1)) < 0 || interval.compareTo(Duration.ofSeconds(1)) > 0) {
      throw new IllegalArgumentException("pollInterval must be within 1 ms .. 1 s: " + interval);
    }
    this.pollInterval = interval;
    return self();
  }

  /** A JDBC driver's connection property ({@code sslmode}, {@code connectTimeout}, ...). */
  public B option(String key, String value) {
    options.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
    return self();
  }

  /**
   * Reads the schema version at this location and the statements that opening a store would run,
   * without changing anything (for {@code spindle migrate --print}).
   *
   * @throws dev.spindle.queue.StoreException if the server cannot be reached
   */
  public abstract SchemaStatus schemaStatus();

  /** The server's host name or address. */
  protected final String host() {
    return host;
  }

  /** The server's port. */
  protected final int port() {
    return port;
  }

  /** The database's name. */
  protected final String database() {
    return database;
  }

  /** The user. */
  protected final String user() {
    return user;
  }

  /** The password given, or null. */
  protected final @Nullable String password() {
    return password;
  }

  /** The {@link #maxConnections(int)} set. */
  protected final int poolSize() {
    return maxConnections;
  }

  /** The {@link #pollInterval(Duration)} set, or null for the store's default. */
  protected final @Nullable Duration givenPollInterval() {
    return pollInterval;
  }

  /** The driver options given, in order. */
  protected final Map<String, String> options() {
    return Map.copyOf(options);
  }

  /** The location without secrets: {@code scheme://host:port/database}. */
  protected final String location(String scheme) {
    return scheme + "://" + host + ":" + port + "/" + database;
  }

  /** The JDBC URL without credentials: {@code jdbc:subprotocol://host:port/database} (an IPv6 host in brackets). */
  protected final String jdbcUrl(String subprotocol) {
    return "jdbc:" + subprotocol + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/" + database;
  }

  /** The driver's properties: the user, the password if given, then the options. */
  protected final Properties driverProperties() {
    Properties p = new Properties();
    p.setProperty("user", user);
    if (password != null) {
      p.setProperty("password", password);
    }
    p.putAll(options);
    return p;
  }
}
