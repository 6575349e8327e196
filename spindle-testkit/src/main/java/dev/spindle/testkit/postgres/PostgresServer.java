package dev.spindle.testkit.postgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A real PostgreSQL server for tests: Debian's {@code postgresql} binaries, a fresh cluster made by
 * {@code initdb} in a temporary directory, listening on a free loopback port (its unix socket stays
 * in that directory), with one password-authenticated superuser ({@code scram-sha-256}).
 *
 * <p>The binaries are found in {@code $SPINDLE_PG_BIN} if set, else the newest
 * {@code /usr/lib/postgresql/N/bin}; {@code ./run-tests} installs Debian's package when it is
 * missing. A missing binary fails the test with a message saying how to install one. PostgreSQL
 * refuses to run as root: when the JVM runs as root, the cluster belongs to the {@code postgres}
 * system user (created by the Debian package) and its programs run through {@code runuser}.
 *
 * <p>{@link #shared()} is one server per test JVM, started at first use; tests isolate themselves
 * with a schema of their own ({@link #newSchema}). Durability is off ({@code fsync=off}): a test
 * server, not a benchmark of disks. Thread-safe. {@link #close()} stops the server (fast shutdown)
 * and deletes the directory; servers still running when the JVM exits are stopped by a shutdown
 * hook.
 */
public final class PostgresServer implements AutoCloseable {
  /** How long {@link #start} waits for the server to accept connections. */
  public static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final String HOST = "127.0.0.1";
  private static final String USER = "spindle";
  private static final Set<PostgresServer> LIVE = ConcurrentHashMap.newKeySet();
  private static final AtomicInteger SCHEMAS = new AtomicInteger();
  private static @Nullable PostgresServer shared;

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      for (PostgresServer s : LIVE) {
        s.close();
      }
    }, "postgres-fixture-reaper"));
  }

  private final Path bin;
  private final Path dir;
  private final Path data;
  private final String password = UUID.randomUUID().toString();
  private final @Nullable String runAs;
  private volatile int port;
  private volatile @Nullable Process process;
  private volatile boolean closed;

  private PostgresServer() throws IOException {
    this.bin = findBin();
    this.runAs = isRoot() ? "postgres" : null;
    this.dir = Files.createTempDirectory("spindle-pg-");
    this.data = dir.resolve("data");
    if (runAs != null) {
      UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
      UserPrincipal owner;
      try {
        owner = users.lookupPrincipalByName(runAs);
      } catch (IOException e) {
        throw new IllegalStateException("this JVM runs as root and PostgreSQL refuses root: it needs the system user '"
            + runAs + "' (made by Debian's postgresql package: apt-get install -y postgresql)", e);
      }
      Files.setOwner(dir, owner);
    }
  }

  /** Starts a new server (initdb, then the server on a free port). */
  public static PostgresServer start() {
    PostgresServer s;
    try {
      s = new PostgresServer();
      s.initdb();
      LIVE.add(s);
      s.launch();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start a PostgreSQL test server", e);
    }
    return s;
  }

  /** One server shared by every test of this JVM: started at first use, stopped when the JVM exits. */
  public static synchronized PostgresServer shared() {
    PostgresServer s = shared;
    if (s == null || s.closed) {
      s = start();
      shared = s;
    }
    return s;
  }

  /** The loopback port it listens on. */
  public int port() {
    return port;
  }

  /** The host it listens on ({@code 127.0.0.1}). */
  public String host() {
    return HOST;
  }

  /** The superuser's name. */
  public String user() {
    return USER;
  }

  /** The superuser's password (random per server). */
  public String password() {
    return password;
  }

  /** The JDBC URL of database {@code db} (without credentials). */
  public String jdbcUrl(String db) {
    return "jdbc:postgresql://" + HOST + ":" + port + "/" + db;
  }

  /** A store location {@code postgres://127.0.0.1:PORT/postgres?user=spindle} (no password in it). */
  public String location() {
    return "postgres://" + HOST + ":" + port + "/postgres?user=" + USER;
  }

  /** A fresh schema name no other caller of this JVM got ({@code prefix_N}); not created. */
  public static String newSchema(String prefix) {
    return prefix.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_]", "_") + "_"
        + SCHEMAS.incrementAndGet();
  }

  /** Runs SQL with {@code psql} as the superuser on database {@code postgres}; returns its output. */
  public String psql(String sql) {
    return run(List.of(bin.resolve("psql").toString(), "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", HOST,
        "-p", Integer.toString(port), "-U", USER, "-d", "postgres", "-c", sql), true);
  }

  private void initdb() throws IOException {
    Path pw = dir.resolve("pwfile");
    Files.writeString(pw, password + "\n", StandardCharsets.UTF_8);
    chown(pw);
    run(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", USER, "--pwfile=" + pw,
        "--auth=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync"), false);
    Files.delete(pw);
  }

  private void launch() throws IOException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    for (int attempt = 0; ; attempt++) {
      port = freePort();
      List<String> cmd = List.of(bin.resolve("postgres").toString(), "-D", data.toString(), "-p",
          Integer.toString(port), "-k", dir.toString(), "-c", "listen_addresses=" + HOST, "-c", "fsync=off",
          "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=200",
          "-c", "shared_buffers=128MB", "-c", "log_min_messages=warning");
      ProcessBuilder pb = new ProcessBuilder(asUser(cmd)).redirectErrorStream(true)
          .redirectOutput(dir.resolve("server.log").toFile());
      Process p = pb.start();
      process = p;
      while (System.nanoTime() < deadline) {
        if (!p.isAlive()) {
          break;
        }
        if (accepts()) {
          return;
        }
        try {
          p.waitFor(50, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while starting PostgreSQL", e);
        }
      }
      String log = Files.exists(dir.resolve("server.log")) ? Files.readString(dir.resolve("server.log")) : "";
      if (!p.isAlive() && attempt < 3 && log.contains("could not bind")) {
        continue; // the free port was taken meanwhile
      }
      p.destroyForcibly();
      throw new IllegalStateException("PostgreSQL did not start within " + START_TIMEOUT + "; its log:\n" + log);
    }
  }

  /** True once a connection to the port succeeds and the server answers the startup (pg_isready). */
  private boolean accepts() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(HOST, port), 200);
    } catch (IOException e) {
      return false;
    }
    try {
      Process p = new ProcessBuilder(bin.resolve("pg_isready").toString(), "-q", "-h", HOST, "-p",
          Integer.toString(port)).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      return p.waitFor() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Stops the server with a fast shutdown (clients are disconnected), keeping its data, and starts
   * it again on the same port, or on a new one if that port was taken meanwhile.
   */
  public void restart() {
    restartAfter(() -> { });
  }

  /**
   * {@link #restart()}, running {@code whileDown} between the stop and the start (a test holds an
   * outage of its own length there).
   */
  public void restartAfter(Runnable whileDown) {
    stopProcess();
    whileDown.run();
    try {
      int old = port;
      launchOn(old);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void launchOn(int wanted) throws IOException {
    // try the old port first so that clients reconnect to it
    List<String> cmd = List.of(bin.resolve("postgres").toString(), "-D", data.toString(), "-p",
        Integer.toString(wanted), "-k", dir.toString(), "-c", "listen_addresses=" + HOST, "-c", "fsync=off",
        "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=200");
    Process p = new ProcessBuilder(asUser(cmd)).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("server.log").toFile())).start();
    process = p;
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline && p.isAlive()) {
      if (accepts()) {
        return;
      }
      try {
        p.waitFor(50, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    throw new IllegalStateException("PostgreSQL did not restart on port " + wanted + "; see " + dir.resolve(
        "server.log"));
  }

  private void stopProcess() {
    Process p = process;
    if (p == null) {
      return;
    }
    long pid = postmasterPid();
    if (pid > 0) {
      try {
        new ProcessBuilder("kill", "-INT", Long.toString(pid)).start().waitFor(10, TimeUnit.SECONDS);
      } catch (IOException e) {
        // fall through to destroy
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      ProcessHandle.of(pid).ifPresent(h -> h.onExit().orTimeout(30, TimeUnit.SECONDS).exceptionally(t -> h).join());
    }
    p.destroy();
    try {
      p.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private long postmasterPid() {
    Path pidFile = data.resolve("postmaster.pid");
    try {
      List<String> lines = Files.readAllLines(pidFile);
      return lines.isEmpty() ? -1 : Long.parseLong(lines.get(0).trim());
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
  }

  /** Stops the server and deletes its directory. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    LIVE.remove(this);
    stopProcess();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // best effort: a temp directory
    }
  }

  private List<String> asUser(List<String> cmd) {
    if (runAs == null) {
      return cmd;
    }
    List<String> out = new ArrayList<>(List.of("runuser", "-u", runAs, "--"));
    out.addAll(cmd);
    return out;
  }

  private void chown(Path p) throws IOException {
    if (runAs != null) {
      Files.setOwner(p, p.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(runAs));
    }
  }

  private String run(List<String> cmd, boolean withPassword) {
    try {
      ProcessBuilder pb = new ProcessBuilder(withPassword ? cmd : asUser(cmd)).redirectErrorStream(true);
      if (withPassword) {
        pb.environment().put("PGPASSWORD", password);
      }
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(cmd.get(0) + " failed: " + out);
      }
      return out.trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return s.getLocalPort();
    }
  }

  private static Path findBin() {
    String env = System.getenv("SPINDLE_PG_BIN");
    if (env != null && !env.isBlank() && Files.isExecutable(Paths.get(env, "postgres"))) {
      return Paths.get(env);
    }
    Path root = Paths.get("/usr/lib/postgresql");
    if (Files.isDirectory(root)) {
      try (Stream<Path> versions = Files.list(root)) {
        Path best = versions.filter(v -> Files.isExecutable(v.resolve("bin/postgres")))
            .max(Comparator.comparingInt(PostgresServer::versionOf)).orElse(null);
        if (best != null) {
          return best.resolve("bin");
        }
      } catch (IOException e) {
        // fall through to the message
      }
    }
    throw new IllegalStateException("PostgreSQL server binaries not found (looked in $SPINDLE_PG_BIN and "
        + "/usr/lib/postgresql/*/bin): install Debian's package (apt-get install -y postgresql) or run ./run-tests,"
        + " which installs it");
  }

  private static int versionOf(Path p) {
    try {
      return Integer.parseInt(p.getFileName().toString());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  @Override
  public String toString() {
    return "PostgresServer[" + HOST + ":" + port + ", " + dir + "]";
  }
}
