package dev.spindle.store.redis;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Where and how a {@link RedisJobStore} connects: server, database, credentials, TLS, key namespace
 * and timeouts. Immutable and thread-safe; build one with {@link #builder()}, or read a URL with
 * {@link #fromUrl(String)} or the environment with {@link #fromEnvironment()}.
 *
 * <h2>URL form</h2>
 * {@code redis[s]://[[user]:password@]host[:port][/database][?option=value&...]}; {@code rediss}
 * means TLS. Options: {@code namespace} (key namespace, default {@code spindle}), {@code cluster}
 * ({@code true} for Redis Cluster), {@code timeout} (command timeout, default 5s),
 * {@code connectTimeout} (default 5s), {@code retryBudget} (how long a call retries through
 * connection loss, default 10s), {@code watchdog} (connection check interval, default 2s),
 * {@code verifyPeer} ({@code full}, {@code ca} or {@code none}; default full), {@code caCert} (PEM file
 * of the CA to trust, default the JVM's trust store), {@code passwordFile} (a file holding the
 * password), {@code clientName}, {@code eviction} ({@code refuse} or {@code warn}: what to do when
 * the server's {@code maxmemory-policy} is not {@code noeviction}; default refuse), {@code partitions}
 * (one logical queue over N namespaces, see {@link PartitionedRedisJobStore}; default 1) and
 * {@code drainUpTo} (the partition count before N was lowered). Durations are
 * {@code 500ms}, {@code 5s}, {@code 2m} or ISO-8601.
 *
 * <h2>Secrets</h2>
 * The password comes from the URL, else from {@code passwordFile}, else from the environment
 * variable {@value #ENV_PASSWORD}; the user name from the URL, else {@value #ENV_USERNAME}. Keep
 * passwords out of command lines: pass the whole URL in {@value #ENV_URL} (the CLI reads it), or
 * a password-less URL plus {@value #ENV_PASSWORD} or {@code passwordFile}. {@link #describe()} and
 * {@link #toString()} never show the password.
 *
 * <table>
 *   <caption>Defaults</caption>
 *   <tr><th>setting</th><th>default</th></tr>
 *   <tr><td>host, port, database</td><td>127.0.0.1, 6379, 0</td></tr>
 *   <tr><td>namespace</td><td>{@value #DEFAULT_NAMESPACE}: keys {@code {spindle}:...}, all in one cluster slot</td></tr>
 *   <tr><td>commandTimeout / connectTimeout</td><td>5 s / 5 s</td></tr>
 *   <tr><td>retryBudget</td><td>10 s</td></tr>
 *   <tr><td>watchdogInterval</td><td>2 s</td></tr>
 *   <tr><td>TLS</td><td>off; with TLS, peers are verified fully (certificate and host name)</td></tr>
 * </table>
 */
public final class RedisStoreConfig {
  /** Environment variable holding the whole store URL (may include credentials). */
  public static final String ENV_URL = "SPINDLE_REDIS_URL";
  /**
   * System property read when a store opens: {@code eval} runs the store's scripts with EVALSHA
   * even where Redis Functions exist (for comparisons, or a server whose Functions misbehave).
   * Unset: FCALL where the server allows it (see docs/REDIS.md).
   */
  public static final String SCRIPTING_PROPERTY = "spindle.redis.scripting";
  /** Environment variable holding the user name, if the URL has none. */
  public static final String ENV_USERNAME = "SPINDLE_REDIS_USERNAME";
  /** Environment variable holding the password, if the URL and {@code passwordFile} give none. */
  public static final String ENV_PASSWORD = "SPINDLE_REDIS_PASSWORD";
  /** The default key namespace. */
  public static final String DEFAULT_NAMESPACE = "spindle";
  private static final Pattern NAMESPACE = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");


  /**
   * What opening a store does when the server's {@code maxmemory-policy} is not {@code noeviction}
   * (an evicting policy silently deletes jobs when memory runs out).
   */
  public enum EvictionCheck {
    /** Refuse to open the store (the default). */
    REFUSE,
    /** Open it, but log an error saying jobs may be lost. */
    WARN
  }

  /** How a TLS connection checks the server. */
  public enum VerifyPeer {
    /** The certificate chain and the host name (the default). */
    FULL,
    /** Only the certificate chain. */
    CA,
    /** Nothing: encrypted but not authenticated. Only for tests. */
    NONE
  }

  private final String host;
  private final int port;
  private final int database;
  private final boolean tls;
  private final VerifyPeer verifyPeer;
  private final @Nullable Path caCertificate;
  private final @Nullable String username;
  private final char @Nullable [] password;
  private final String namespace;
  private final boolean cluster;
  private final Duration commandTimeout;
  private final Duration connectTimeout;
  private final Duration retryBudget;
  private final Duration watchdogInterval;
  private final @Nullable String clientName;
  private final EvictionCheck evictionCheck;
  private final int partitions;
  private final int drainUpTo;

  private RedisStoreConfig(Builder b) {
    this.host = b.host;
    this.port = b.port;
    this.database = b.database;
    this.tls = b.tls;
    this.verifyPeer = b.verifyPeer;
    this.caCertificate = b.caCertificate;
    this.username = b.username;
    this.password = b.password == null ? null : b.password.clone();
    this.namespace = b.namespace;
    this.cluster = b.cluster;
    this.commandTimeout = b.commandTimeout;
    this.connectTimeout = b.connectTimeout;
    this.retryBudget = b.retryBudget;
    this.watchdogInterval = b.watchdogInterval;
    this.clientName = b.clientName;
    this.evictionCheck = b.evictionCheck;
    this.partitions = b.partitions;
    this.drainUpTo = Math.max(b.partitions, b.drainUpTo);
  }

  private RedisStoreConfig(RedisStoreConfig c, String namespace) {
    this.host = c.host;
    this.port = c.port;
    this.database = c.database;
    this.tls = c.tls;
    this.verifyPeer = c.verifyPeer;
    this.caCertificate = c.caCertificate;
    this.username = c.username;
    this.password = c.password == null ? null : c.password.clone();
    this.namespace = namespace;
    this.cluster = c.cluster;
    this.commandTimeout = c.commandTimeout;
    this.connectTimeout = c.connectTimeout;
    this.retryBudget = c.retryBudget;
    this.watchdogInterval = c.watchdogInterval;
    this.clientName = c.clientName;
    this.evictionCheck = c.evictionCheck;
    this.partitions = 1;
    this.drainUpTo = 1;
  }

  /**
   * This configuration for one partition of a partitioned queue: the same connection settings, the
   * key namespace {@code namespace}, one partition.
   *
   * @throws IllegalArgumentException if the namespace is invalid
   */
  public RedisStoreConfig forPartition(String namespace) {
    if (!NAMESPACE.matcher(Objects.requireNonNull(namespace, "namespace")).matches()) {
      throw new IllegalArgumentException("invalid Redis namespace '" + namespace + "'");
    }
    return new RedisStoreConfig(this, namespace);
  }

  /**
   * How many partitions new jobs are spread over (default 1: an ordinary store). More than one opens
   * a {@link PartitionedRedisJobStore} (see docs/REDIS-SCALE.md).
   */
  public int partitions() {
    return partitions;
  }

  /**
   * How many partitions workers claim from: at least {@link #partitions()}; more while the
   * partitions {@code partitions() .. drainUpTo()-1}, no longer enqueued to, are drained after N
   * was lowered.
   */
  public int drainUpTo() {
    return drainUpTo;
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Reads a {@code redis://} or {@code rediss://} URL, taking missing credentials from the process
   * environment.
   *
   * @throws IllegalArgumentException if the URL is malformed, saying what is wrong (never echoing
   *     a password)
   */
  public static RedisStoreConfig fromUrl(String url) {
    return fromUrl(url, System.getenv());
  }

  /** {@link #fromUrl(String)} with the given environment instead of the process's. */
  public static RedisStoreConfig fromUrl(String url, Map<String, String> env) {
    return RedisUrlParser.parse(url, env).build();
  }

  /**
   * Reads {@value #ENV_URL} from the process environment.
   *
   * @throws IllegalArgumentException if it is not set or malformed
   */
  public static RedisStoreConfig fromEnvironment() {
    return fromEnvironment(System.getenv());
  }

  /** {@link #fromEnvironment()} with the given environment. */
  public static RedisStoreConfig fromEnvironment(Map<String, String> env) {
    String url = env.get(ENV_URL);
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException("no Redis URL: set " + ENV_URL
          + " (e.g. redis://127.0.0.1:6379/0, or rediss://user:password@host:6380/0 for TLS with a password)");
    }
    return fromUrl(url.strip(), env);
  }

  /**
   * Reads a store location as given to {@link RedisJobStoreProvider}: a URL, or just the scheme
   * ({@code redis:} or {@code redis://}), which means "the URL in {@value #ENV_URL}".
   */
  public static RedisStoreConfig fromLocation(String location, Map<String, String> env) {
    return RedisUrlParser.location(location, env);
  }

  /** True if the URL carries a password in its user info ({@code redis://user:password@host}). */
  public static boolean hasInlinePassword(String url) {
    return RedisUrlParser.hasInlinePassword(url);
  }

  /** The host name or address. */
  public String host() {
    return host;
  }

  /** The port. */
  public int port() {
    return port;
  }

  /** The database index (always 0 in cluster mode). */
  public int database() {
    return database;
  }

  /** True for TLS. */
  public boolean tls() {
    return tls;
  }

  /** How TLS checks the server. */
  public VerifyPeer verifyPeer() {
    return verifyPeer;
  }

  /** The PEM file of the CA to trust, or {@code null} for the JVM's trust store. */
  public @Nullable Path caCertificate() {
    return caCertificate;
  }

  /** The ACL user name, or {@code null} for the default user. */
  public @Nullable String username() {
    return username;
  }

  /** A copy of the password, or {@code null} if none. Callers should clear it after use. */
  public char @Nullable [] password() {
    return password == null ? null : password.clone();
  }

  /** True if a password is configured. */
  public boolean hasPassword() {
    return password != null;
  }

  /** The key namespace. */
  public String namespace() {
    return namespace;
  }

  /** The prefix of every key: {@code {namespace}:}, whose hash tag puts them all in one cluster slot. */
  public String keyPrefix() {
    return "{" + namespace + "}:";
  }

  /** True to connect to a Redis Cluster. */
  public boolean cluster() {
    return cluster;
  }

  /** How long one command may take before it counts as failed. */
  public Duration commandTimeout() {
    return commandTimeout;
  }

  /** How long connecting may take. */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** How long one store call keeps retrying through lost connections and restarts before it fails. */
  public Duration retryBudget() {
    return retryBudget;
  }

  /** How often the connection watchdog checks the connections. */
  public Duration watchdogInterval() {
    return watchdogInterval;
  }

  /** The client name shown by {@code CLIENT LIST}, or {@code null}. */
  public @Nullable String clientName() {
    return clientName;
  }

  /** What opening does when the server may evict keys (default {@link EvictionCheck#REFUSE}). */
  public EvictionCheck evictionCheck() {
    return evictionCheck;
  }

  /**
   * A description for messages and logs, with the password replaced by {@code ***}, e.g.
   * {@code redis://alice:***@10.0.0.5:6379/2 (namespace spindle)}.
   */
  public String describe() {
    StringBuilder sb = new StringBuilder(tls ? "rediss://" : "redis://");
    if (username != null || password != null) {
      if (username != null) {
        sb.append(username);
      }
      if (password != null) {
        sb.append(":***");
      }
      sb.append('@');
    }
    sb.append(host.indexOf(':') >= 0 ? "[" + host + "]" : host).append(':').append(port).append('/').append(database);
    sb.append(" (namespace ").append(namespace);
    if (cluster) {
      sb.append(", cluster");
    }
    if (drainUpTo > 1) {
      sb.append(", ").append(partitions).append(" partitions");
      if (drainUpTo > partitions) {
        sb.append(", draining up to ").append(drainUpTo);
      }
    }
    return sb.append(')').toString();
  }

  @Override
  public String toString() {
    return describe();
  }

  /** Validates each setting as it is given; {@link #build()} checks the combination. Not thread-safe. */
  public static final class Builder {
    private String host = "127.0.0.1";
    private int port = 6379;
    private int database;
    private boolean tls;
    private VerifyPeer verifyPeer = VerifyPeer.FULL;
    private @Nullable Path caCertificate;
    private @Nullable String username;
    private char @Nullable [] password;
    private String namespace = DEFAULT_NAMESPACE;
    private boolean cluster;
    private Duration commandTimeout = Duration.ofSeconds(5);
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration retryBudget = Duration.ofSeconds(10);
    private Duration watchdogInterval = Duration.ofSeconds(2);
    private @Nullable String clientName;
    private int partitions = 1;
    private int drainUpTo = 1;
    private EvictionCheck evictionCheck = EvictionCheck.REFUSE;

    private Builder() {}

    /** True once a password was given. */
    boolean hasPassword() {
      return password != null;
    }

    /** True once a user name was given. */
    boolean hasUsername() {
      return username != null;
    }

    /** The server's host name or address. */
    public Builder host(String host) {
      if (Objects.requireNonNull(host, "host").isBlank()) {
        throw new IllegalArgumentException("the Redis host is empty");
      }
      this.host = host;
      return this;
    }

    /** The server's port (1-65535). */
    public Builder port(int port) {
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("the Redis port must be 1-65535: " + port);
      }
      this.port = port;
      return this;
    }

    /** The database index (0 or more). */
    public Builder database(int database) {
      if (database < 0) {
        throw new IllegalArgumentException("the Redis database index must be >= 0: " + database);
      }
      this.database = database;
      return this;
    }

    /** Connect with TLS. */
    public Builder tls(boolean tls) {
      this.tls = tls;
      return this;
    }

    /** How TLS checks the server (default {@link VerifyPeer#FULL}). */
    public Builder verifyPeer(VerifyPeer mode) {
      this.verifyPeer = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /** A PEM file with the CA certificate(s) to trust for TLS. */
    public Builder caCertificate(Path pemFile) {
      this.caCertificate = Objects.requireNonNull(pemFile, "pemFile");
      return this;
    }

    /** The ACL user name ({@code null}: the default user). */
    public Builder username(String username) {
      this.username = username;
      return this;
    }

    /** The password; the array is copied ({@code null}: none). */
    public Builder password(char @Nullable [] password) {
      this.password = password == null ? null : password.clone();
      return this;
    }

    /** The key namespace: 1-64 letters, digits and {@code _ . : -}. Stores with different ones are independent. */
    public Builder namespace(String namespace) {
      if (!NAMESPACE.matcher(Objects.requireNonNull(namespace, "namespace")).matches()) {
        throw new IllegalArgumentException("invalid Redis namespace '" + namespace
            + "': use 1-64 letters, digits and _ . : -");
      }
      this.namespace = namespace;
      return this;
    }

    /** Connect to a Redis Cluster (the host is a seed node). */
    public Builder cluster(boolean cluster) {
      this.cluster = cluster;
      return this;
    }

    /** How long one command may take (positive). */
    public Builder commandTimeout(Duration timeout) {
      this.commandTimeout = positive("commandTimeout", timeout);
      return this;
    }

    /** How long connecting may take (positive). */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive("connectTimeout", timeout);
      return this;
    }

    /** How long a call retries through connection loss (zero: no retries). */
    public Builder retryBudget(Duration budget) {
      Objects.requireNonNull(budget, "retryBudget");
      if (budget.isNegative()) {
        throw new IllegalArgumentException("retryBudget must be >= 0: " + budget);
      }
      this.retryBudget = budget;
      return this;
    }

    /** How often the watchdog checks the connections (positive). */
    public Builder watchdogInterval(Duration interval) {
      this.watchdogInterval = positive("watchdog", interval);
      return this;
    }

    /** The client name shown in {@code CLIENT LIST}. */
    public Builder clientName(String name) {
      this.clientName = name;
      return this;
    }

    /** What opening does when the server's maxmemory-policy is not noeviction (default refuse). */
    public Builder evictionCheck(EvictionCheck check) {
      this.evictionCheck = Objects.requireNonNull(check, "check");
      return this;
    }

    private static Duration positive(String what, Duration d) {
      Objects.requireNonNull(d, what);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be positive: " + d);
      }
      return d;
    }

    /**
     * Spreads one logical queue over {@code n} partitions (1..{@value PartitionedRedisJobStore#MAX_PARTITIONS},
     * default 1), each its own namespace and cluster slot; see {@link PartitionedRedisJobStore}.
     */
    public Builder partitions(int n) {
      if (n < 1 || n > PartitionedRedisJobStore.MAX_PARTITIONS) {
        throw new IllegalArgumentException("partitions must be 1.." + PartitionedRedisJobStore.MAX_PARTITIONS
            + ", not " + n);
      }
      this.partitions = n;
      return this;
    }

    /**
     * After lowering {@link #partitions(int)}: workers still claim from the partitions below
     * {@code n} (the old count) until they are empty; default none.
     */
    public Builder drainUpTo(int n) {
      if (n < 1 || n > PartitionedRedisJobStore.MAX_PARTITIONS) {
        throw new IllegalArgumentException("drainUpTo must be 1.." + PartitionedRedisJobStore.MAX_PARTITIONS
            + ", not " + n);
      }
      this.drainUpTo = n;
      return this;
    }

    /**
     * The configuration.
     *
     * @throws IllegalArgumentException if the settings do not fit together
     */
    public RedisStoreConfig build() {
      if (cluster && database != 0) {
        throw new IllegalArgumentException("Redis Cluster has only database 0, not " + database);
      }
      if (caCertificate != null && !tls) {
        throw new IllegalArgumentException("caCert is for TLS connections: use a rediss:// URL");
      }
      if (caCertificate != null) {
        CaCertificates.check(caCertificate);
      }
      return new RedisStoreConfig(this);
    }
  }
}
