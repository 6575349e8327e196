package dev.spindle.testkit.redis;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * A real {@code redis-server} process for tests: started on a free loopback port with its own
 * temporary data directory, and able to be killed with SIGKILL and restarted on the same port and
 * data (so fault tests see exactly what Redis persisted). Append-only file with
 * {@code appendfsync everysec} by default, no RDB snapshots.
 *
 * <p>The binary is {@code $SPINDLE_REDIS_SERVER} if set, else {@code redis-server} on the
 * {@code PATH} ({@code ./run-tests} installs Debian's package when it is missing). A missing binary
 * fails the test with a message saying how to install one; nothing is skipped.
 *
 * <pre>{@code
 * try (RedisServer redis = RedisServer.builder().maxMemory("4mb").start()) {
 *   store = RedisJobStore.open(redis.url());
 *   redis.kill9();
 *   redis.restart();
 * }
 * }</pre>
 *
 * <p>Thread-safe. {@link #close()} kills the process and deletes the data directory; servers still
 * running when the JVM exits are killed by a shutdown hook.
 */
public final class RedisServer implements AutoCloseable {
  /** How long {@link #start} and {@link #restart} wait for "Ready to accept connections". */
  public static final Duration START_TIMEOUT = Duration.ofSeconds(30);
  private static final String HOST = "127.0.0.1";
  private static final int LOG_LINES = 200;
  private static final Set<RedisServer> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      for (RedisServer s : LIVE) {
        Process p = s.process;
        if (p != null) {
          p.destroyForcibly();
        }
      }
    }, "redis-server-fixture-reaper"));
  }

  private final Builder config;
  private final Path dir;
  private final Deque<String> log = new ArrayDeque<>();
  private volatile int port;
  private volatile int tlsPort;
  private volatile @Nullable Process process;
  private volatile boolean closed;

  private RedisServer(Builder b) throws IOException {
    this.config = b;
    this.dir = Files.createTempDirectory("spindle-redis-");
    if (b.tls) {
      generateCertificate();
    }
  }

  /** A builder with the defaults: AOF everysec, no password, no memory limit, plain TCP. */
  public static Builder builder() {
    return new Builder();
  }

  /** Starts a server with the defaults. */
  public static RedisServer start() {
    return builder().start();
  }

  /**
   * The redis-server binary to run: {@code $SPINDLE_REDIS_SERVER}, else {@code redis-server} on the
   * PATH.
   *
   * @throws IllegalStateException if there is none, saying how to get one
   */
  public static Path binary() {
    String env = System.getenv("SPINDLE_REDIS_SERVER");
    if (env != null && !env.isBlank()) {
      Path p = Paths.get(env);
      if (!Files.isExecutable(p)) {
        throw new IllegalStateException("SPINDLE_REDIS_SERVER=" + env + " is not an executable file");
      }
      return p;
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String d : path.split(java.io.File.pathSeparator)) {
        Path p = Paths.get(d, "redis-server");
        if (Files.isExecutable(p)) {
          return p;
        }
      }
    }
    throw new IllegalStateException("redis-server was not found: the Redis tests start a real redis-server. "
        + "Run ./run-tests (it installs Debian's redis-server package), or 'apt-get install redis-server', "
        + "or set SPINDLE_REDIS_SERVER to the binary's path");
  }

  /** Options for a server. Not thread-safe. */
  public static final class Builder {
    private boolean appendOnly = true;
    private String appendFsync = "everysec";
    private @Nullable String maxMemory;
    private @Nullable String password;
    private @Nullable String aclUser;
    private @Nullable String aclPassword;
    private boolean tls;
    private boolean cluster;
    private final Map<String, String> extra = new LinkedHashMap<>();

    private Builder() {}

    /** Append-only file with fsync every second (default true); false runs without persistence. */
    public Builder appendOnly(boolean on) {
      this.appendOnly = on;
      return this;
    }

    /**
     * The AOF's fsync policy: {@code everysec} (the default, Redis's own), {@code always} or {@code
     * no}. Under {@code everysec} a SIGKILL can lose up to two seconds of acknowledged writes when
     * the disk is busy: while a background fsync is still running, Redis keeps new writes in its own
     * buffer (up to 2 s) and replies to the clients meanwhile. Tests that kill the server and assert
     * that nothing acknowledged is lost use {@code always}.
     *
     * @throws IllegalArgumentException for another value
     */
    public Builder appendFsync(String policy) {
      if (!List.of("always", "everysec", "no").contains(policy)) {
        throw new IllegalArgumentException("appendfsync is always, everysec or no, not " + policy);
      }
      this.appendFsync = policy;
      return this;
    }

    /** A {@code maxmemory} limit (e.g. {@code "4mb"}) with policy {@code noeviction}, as brokers run. */
    public Builder maxMemory(String limit) {
      this.maxMemory = Objects.requireNonNull(limit, "limit");
      return this;
    }

    /** A password for the default user ({@code requirepass}). */
    public Builder password(String password) {
      this.password = Objects.requireNonNull(password, "password");
      return this;
    }

    /** An extra ACL user with every permission and this password. */
    public Builder aclUser(String user, String password) {
      this.aclUser = Objects.requireNonNull(user, "user");
      this.aclPassword = Objects.requireNonNull(password, "password");
      return this;
    }

    /**
     * Also listens with TLS on a second port, with a fresh self-signed certificate for
     * {@code 127.0.0.1} and {@code localhost} (made with the {@code openssl} command).
     */
    public Builder tls(boolean on) {
      this.tls = on;
      return this;
    }

    /** Runs in cluster mode ({@code cluster-enabled yes}); see {@link RedisCluster}. */
    public Builder cluster(boolean on) {
      this.cluster = on;
      return this;
    }

    /** Any other configuration directive, e.g. {@code ("hz", "100")}. */
    public Builder config(String name, String value) {
      extra.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * Starts the server and waits until it accepts connections.
     *
     * @throws IllegalStateException if it cannot start, with its log
     */
    public RedisServer start() {
      RedisServer s;
      try {
        s = new RedisServer(this);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot prepare a redis-server data directory: " + e, e);
      }
      s.firstStart();
      return s;
    }
  }

  private void firstStart() {
    IllegalStateException last = null;
    for (int i = 0; i < 5; i++) {
      port = config.cluster ? freeClusterPort() : freePort();
      tlsPort = config.tls ? freePort() : 0;
      try {
        launch();
        return;
      } catch (IllegalStateException e) {
        last = e;
        String why = e.getMessage();
        if (why == null || !why.contains("Address already in use")) {
          break;
        }
      }
    }
    close();
    throw last;
  }

  /** A free port whose cluster bus port (+10000) is free and valid too. */
  private static int freeClusterPort() {
    for (int attempt = 0; attempt < 100; attempt++) {
      int p = 11000 + java.util.concurrent.ThreadLocalRandom.current().nextInt(11000); // p and p+10000 below the ephemeral range
      try (ServerSocket a = new ServerSocket(p, 1, InetAddress.getByName(HOST));
          ServerSocket b = new ServerSocket(p + 10000, 1, InetAddress.getByName(HOST))) {
        return p;
      } catch (IOException e) {
        // taken: try another
      }
    }
    throw new IllegalStateException("no free loopback port pair (port and port+10000) for a cluster node");
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port: " + e, e);
    }
  }

  private List<String> commandLine() {
    List<String> cmd = new ArrayList<>();
    cmd.add(binary().toString());
    arg(cmd, "port", Integer.toString(port));
    arg(cmd, "bind", HOST);
    arg(cmd, "dir", dir.toString());
    arg(cmd, "daemonize", "no");
    arg(cmd, "logfile", "");
    arg(cmd, "save", "");
    arg(cmd, "appendonly", config.appendOnly ? "yes" : "no");
    arg(cmd, "appendfsync", config.appendFsync);
    if (config.maxMemory != null) {
      arg(cmd, "maxmemory", config.maxMemory);
      arg(cmd, "maxmemory-policy", "noeviction");
    }
    if (config.password != null) {
      arg(cmd, "requirepass", config.password);
    }
    if (config.aclUser != null) {
      cmd.add("--user");
      cmd.add(config.aclUser);
      cmd.add("on");
      cmd.add(">" + config.aclPassword);
      cmd.add("~*");
      cmd.add("&*");
      cmd.add("+@all");
    }
    if (config.tls) {
      arg(cmd, "tls-port", Integer.toString(tlsPort));
      arg(cmd, "tls-cert-file", dir.resolve("tls.crt").toString());
      arg(cmd, "tls-key-file", dir.resolve("tls.key").toString());
      arg(cmd, "tls-ca-cert-file", dir.resolve("tls.crt").toString());
      arg(cmd, "tls-auth-clients", "no");
    }
    if (config.cluster) {
      arg(cmd, "cluster-enabled", "yes");
      arg(cmd, "cluster-config-file", dir.resolve("nodes.conf").toString());
      arg(cmd, "cluster-node-timeout", "2000");
      // a master that is down (no replicas here) takes only its own slots with it: the others keep
      // serving, as a partitioned queue needs (see docs/REDIS-SCALE.md)
      arg(cmd, "cluster-require-full-coverage", "no");
    }
    config.extra.forEach((k, v) -> arg(cmd, k, v));
    return cmd;
  }

  private static void arg(List<String> cmd, String name, String value) {
    cmd.add("--" + name);
    cmd.add(value);
  }

  private void launch() {
    ProcessBuilder pb = new ProcessBuilder(commandLine()).redirectErrorStream(true).directory(dir.toFile());
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + binary() + ": " + e, e);
    }
    CountDownLatch ready = new CountDownLatch(1);
    Thread.ofPlatform().daemon().name("redis-server-" + port + "-log").start(() -> pump(p, ready));
    process = p;
    LIVE.add(this);
    boolean ok;
    try {
      ok = ready.await(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IllegalStateException("interrupted while starting redis-server", e);
    }
    if (!ok || !p.isAlive()) {
      p.destroyForcibly();
      awaitExit(p);
      process = null;
      LIVE.remove(this);
      throw new IllegalStateException("redis-server on port " + port + " did not start"
          + (ok ? "" : " within " + START_TIMEOUT) + "; its log:\n" + log());
    }
  }

  private void pump(Process p, CountDownLatch ready) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        synchronized (log) {
          log.addLast(line);
          if (log.size() > LOG_LINES) {
            log.removeFirst();
          }
        }
        if (line.contains("Ready to accept connections")) {
          ready.countDown();
        }
      }
    } catch (IOException e) {
      // the process ended
    } finally {
      ready.countDown();
    }
  }

  private void generateCertificate() throws IOException {
    List<String> cmd = List.of("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
        "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", dir.resolve("tls.key").toString(), "-out",
        dir.resolve("tls.crt").toString(), "-days", "2", "-subj", "/CN=localhost", "-addext",
        "subjectAltName=IP:127.0.0.1,DNS:localhost");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int code = awaitExit(p);
    if (code != 0) {
      throw new IOException("openssl could not make a test certificate (exit " + code + "): " + out);
    }
  }

  private static int awaitExit(Process p) {
    try {
      return p.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** The loopback address it listens on. */
  public String host() {
    return HOST;
  }

  /** The plain TCP port (the same across restarts). */
  public int port() {
    return port;
  }

  /**
   * The TLS port.
   *
   * @throws IllegalStateException if the server was not built with {@link Builder#tls}
   */
  public int tlsPort() {
    if (!config.tls) {
      throw new IllegalStateException("this redis-server has no TLS port");
    }
    return tlsPort;
  }

  /** {@code redis://127.0.0.1:<port>}, without credentials. */
  public String url() {
    return "redis://" + HOST + ":" + port;
  }

  /** {@code rediss://127.0.0.1:<tlsPort>}, without credentials. */
  public String tlsUrl() {
    return "rediss://" + HOST + ":" + tlsPort();
  }

  /** The PEM certificate clients trust for the TLS port (self-signed, so it is its own CA). */
  public Path caCertificate() {
    tlsPort();
    return dir.resolve("tls.crt");
  }

  /** The data directory (AOF, nodes.conf); kept across restarts, deleted by {@link #close()}. */
  public Path dataDir() {
    return dir;
  }

  /** True while the process runs. */
  public boolean isRunning() {
    Process p = process;
    return p != null && p.isAlive();
  }

  /**
   * The process id.
   *
   * @throws IllegalStateException if it is not running
   */
  public long pid() {
    Process p = process;
    if (p == null) {
      throw new IllegalStateException("redis-server is not running");
    }
    return p.pid();
  }

  /**
   * Kills the process with SIGKILL (no shutdown, no final fsync: what {@code kill -9} does) and waits
   * until it is gone. Idempotent.
   */
  public synchronized void kill9() {
    Process p = process;
    if (p != null) {
      p.destroyForcibly();
      awaitExit(p);
      process = null;
      LIVE.remove(this);
    }
  }

  /**
   * Stops the process with SIGTERM (Redis flushes its AOF and exits) and waits until it is gone.
   * Idempotent.
   */
  public synchronized void stop() {
    Process p = process;
    if (p != null) {
      p.destroy();
      awaitExit(p);
      process = null;
      LIVE.remove(this);
    }
  }

  /**
   * Starts the server again on the same port with the same data directory and configuration, and
   * waits until it has loaded its data and accepts connections. Kills it first if it still runs.
   */
  public synchronized void restart() {
    if (closed) {
      throw new IllegalStateException("this redis-server fixture is closed");
    }
    kill9();
    launch();
  }

  /**
   * Runs a command through a fresh admin connection (authenticated as the default user if a password
   * was set) and returns the reply (see {@link RespClient}).
   */
  public @Nullable Object command(String... args) {
    try (RespClient c = new RespClient(HOST, port, Duration.ofSeconds(10))) {
      if (config.password != null) {
        c.command("AUTH", config.password);
      }
      return c.command(args);
    }
  }

  /** A field of {@code INFO <section>}, or {@code null} if absent. */
  public @Nullable String info(String section, String field) {
    String info = (String) command("INFO", section);
    if (info == null) {
      return null;
    }
    for (String line : info.split("\r\n")) {
      if (line.startsWith(field + ":")) {
        return line.substring(field.length() + 1);
      }
    }
    return null;
  }

  /**
   * Makes this server a read-only replica of {@code primary} ({@code REPLICAOF}) and waits until the
   * initial synchronisation finished.
   */
  public void replicaOf(RedisServer primary) {
    command("REPLICAOF", primary.host(), Integer.toString(primary.port()));
    awaitCondition(() -> "up".equals(info("replication", "master_link_status"))
        && "0".equals(info("replication", "master_sync_in_progress")), "replica of " + primary.port() + " in sync");
  }

  /** Makes this server a primary again ({@code REPLICAOF NO ONE}), keeping its data. */
  public void promote() {
    command("REPLICAOF", "NO", "ONE");
  }

  /**
   * Waits (Awaitility, polling every 5 ms, at most {@link #START_TIMEOUT}) until {@code condition}
   * holds.
   */
  void awaitCondition(java.util.function.BooleanSupplier condition, String what) {
    try {
      Awaitility.await(what).atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(5)).ignoreExceptions()
          .until(condition::getAsBoolean);
    } catch (ConditionTimeoutException e) {
      throw new IllegalStateException("redis-server " + port + ": timed out waiting for " + what + "; log:\n"
          + log(), e);
    }
  }

  /** The last lines of the server's log, for failure messages. */
  public String log() {
    synchronized (log) {
      return String.join("\n", log);
    }
  }

  /** Kills the server and deletes its data directory. Idempotent. */
  @Override
  public synchronized void close() {
    closed = true;
    kill9();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // a temp directory left behind is harmless
    }
  }

  @Override
  public String toString() {
    return "redis-server " + HOST + ":" + port + (isRunning() ? " (running)" : " (stopped)");
  }
}
