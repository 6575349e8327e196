package dev.spindle.testkit.mariadb;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A real MariaDB server for tests: Debian's {@code mariadb-server} binaries, a fresh data directory
 * made by {@code mariadb-install-db} in a temporary directory, listening on a free loopback port with
 * its own unix socket there, run as the current user. It has one database {@code spindle} and one
 * user {@code spindle} with a random password and every privilege (so tests may create databases
 * of their own, {@link #newDatabase}); {@code root} logs in only through the socket as the OS user.
 *
 * <p>The binaries are found in {@code $SPINDLE_MARIADB_BIN} (the directory of {@code mariadbd}) if
 * set, else {@code /usr/sbin} and {@code /usr/bin}; {@code ./run-tests} installs Debian's package
 * ({@code bin/ensure-mariadb.sh}) when it is missing. A missing binary fails the test with a message
 * saying how to install one.
 *
 * <p>{@link #shared()} is one server per test JVM, started at first use. Commits reach the OS at
 * each commit but are not flushed to disk ({@code innodb_flush_log_at_trx_commit=2}): they survive
 * {@link #kill()}, not a power cut. Thread-safe. {@link #close()} stops the server and deletes the
 * directory; servers still running when the JVM exits are stopped by a shutdown hook.
 */
public final class MariaDbServer implements AutoCloseable {
  /** How long {@link #start} waits for the server to accept connections. */
  public static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  /** The database made at start, owned by {@link #user()}. */
  public static final String DATABASE = "spindle";
  private static final String HOST = "127.0.0.1";
  private static final String USER = "spindle";
  private static final Set<MariaDbServer> LIVE = ConcurrentHashMap.newKeySet();
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static @Nullable MariaDbServer shared;

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      for (MariaDbServer s : LIVE) {
        s.close();
      }
    }, "mariadb-fixture-reaper"));
  }

  private final Path bin;
  private final Path dir;
  private final Path data;
  private final String osUser = System.getProperty("user.name");
  private final String password = UUID.randomUUID().toString().replace("-", "");
  private volatile int port;
  private volatile @Nullable Process process;
  private volatile boolean closed;

  private MariaDbServer() throws IOException {
    this.bin = findBin();
    this.dir = Files.createTempDirectory("spindle-mariadb-", PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rwx------")));
    this.data = dir.resolve("data");
  }

  /** Starts a new server: a new data directory, then the server on a free port. */
  public static MariaDbServer start() {
    MariaDbServer s;
    try {
      s = new MariaDbServer();
      LIVE.add(s);
      s.installDb();
      s.launch(-1);
    } catch (IOException e) {
      throw new UncheckedIOException("could not start a MariaDB test server", e);
    }
    return s;
  }

  /** One server shared by every test of this JVM: started at first use, stopped when the JVM exits. */
  public static synchronized MariaDbServer shared() {
    MariaDbServer s = shared;
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

  /** The user's name ({@code spindle}). */
  public String user() {
    return USER;
  }

  /** The user's password (random per server). */
  public String password() {
    return password;
  }

  /** The server's unix socket (in its temporary directory). */
  public Path socket() {
    return dir.resolve("mariadb.sock");
  }

  /**
   * The JDBC URL of database {@code db}, without credentials. It turns TLS off ({@code
   * sslMode=disable}, which Connector/J otherwise requires): a loopback server has no certificate.
   */
  public String jdbcUrl(String db) {
    return "jdbc:mariadb://" + HOST + ":" + port + "/" + db + "?sslMode=disable";
  }

  /** A store location {@code mariadb://127.0.0.1:PORT/spindle?user=spindle} (no password in it). */
  public String location() {
    return "mariadb://" + HOST + ":" + port + "/" + DATABASE + "?user=" + USER;
  }

  /** Creates a database {@code prefix_N} no other caller of this JVM got, and returns its name. */
  public String newDatabase(String prefix) {
    String name = prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_") + "_" + DATABASES.incrementAndGet();
    sql("CREATE DATABASE " + name);
    return name;
  }

  /**
   * Runs SQL with the {@code mariadb} client as {@link #user()} on database {@link #DATABASE} (tab
   * separated, no column names) and returns its output. The password goes through the environment,
   * never the command line.
   */
  public String sql(String sql) {
    List<String> cmd = List.of(client().toString(), "--no-defaults", "--protocol=SOCKET", "--socket=" + socket(),
        "--user=" + USER, "--batch", "--skip-column-names", "--database=" + DATABASE, "--execute=" + sql);
    return run(cmd, true);
  }

  /**
   * Kills the server with {@code SIGKILL} (no shutdown, as a crash would), keeping its data; {@link
   * #restart()} starts it again. Idempotent.
   */
  public void kill() {
    Process p = process;
    if (p != null) {
      p.destroyForcibly();
      waitFor(p);
    }
  }

  /** Stops the server cleanly if it runs, then starts it on its port (or a new one if that was taken). */
  public void restart() {
    stopProcess();
    try {
      launch(port);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
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
      // best effort: a temporary directory
    }
  }

  private void installDb() throws IOException {
    Path init = dir.resolve("init.sql");
    Files.createFile(init, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    // the installer runs the server without grant tables until a FLUSH PRIVILEGES loads them
    Files.writeString(init, "FLUSH PRIVILEGES;\nCREATE DATABASE " + DATABASE + ";\n"
        + "CREATE USER '" + USER + "'@'%' IDENTIFIED BY '" + password + "';\n"
        + "GRANT ALL PRIVILEGES ON *.* TO '" + USER + "'@'%' WITH GRANT OPTION;\n", StandardCharsets.UTF_8);
    try {
      Path installer = sibling("mariadb-install-db");
      run(List.of(installer.toString(), "--no-defaults", "--datadir=" + data, "--user=" + osUser,
          "--auth-root-authentication-method=socket", "--auth-root-socket-user=" + osUser, "--skip-test-db",
          "--skip-name-resolve", "--extra-file=" + init), false);
    } finally {
      Files.deleteIfExists(init);
    }
  }

  private void launch(int wanted) throws IOException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    Path log = dir.resolve("server.log");
    for (int attempt = 0; ; attempt++) {
      port = attempt == 0 && wanted > 0 ? wanted : freePort();
      Files.deleteIfExists(log);
      Process p = new ProcessBuilder(serverCommand()).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      process = p;
      while (System.nanoTime() < deadline && p.isAlive()) {
        if (accepts()) {
          return;
        }
        waitFor(p, 50);
      }
      String text = Files.exists(log) ? Files.readString(log) : "";
      if (!p.isAlive() && attempt < 3 && (text.contains("Address already in use") || text.contains("Bind on"))) {
        continue; // the free port was taken meanwhile
      }
      p.destroyForcibly();
      throw new IllegalStateException("MariaDB did not start within " + START_TIMEOUT + "; its log:\n" + text);
    }
  }

  private List<String> serverCommand() {
    return List.of(bin.resolve("mariadbd").toString(), "--no-defaults", "--user=" + osUser, "--datadir=" + data,
        "--socket=" + socket(), "--pid-file=" + dir.resolve("mariadb.pid"), "--port=" + port,
        "--bind-address=" + HOST, "--log-error=" + dir.resolve("server.log"), "--tmpdir=" + dir,
        "--skip-name-resolve", "--skip-log-bin", "--max-connections=200", "--innodb-buffer-pool-size=128M",
        "--innodb-flush-log-at-trx-commit=2", "--innodb-doublewrite=0", "--character-set-server=utf8mb4",
        "--collation-server=utf8mb4_bin", "--default-time-zone=+00:00", "--innodb-lock-wait-timeout=20");
  }

  /** True once the port answers with the server's greeting (a packet of protocol version 10). */
  private boolean accepts() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(HOST, port), 200);
      s.setSoTimeout(1000);
      InputStream in = s.getInputStream();
      byte[] head = in.readNBytes(5);
      return head.length == 5 && head[4] == 10;
    } catch (IOException e) {
      return false;
    }
  }

  private void stopProcess() {
    Process p = process;
    if (p == null || !p.isAlive()) {
      return;
    }
    p.destroy(); // SIGTERM: a clean shutdown
    try {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        waitFor(p);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
    }
  }

  private static void waitFor(Process p) {
    waitFor(p, 30_000);
  }

  private static void waitFor(Process p, long millis) {
    try {
      p.waitFor(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for mariadbd", e);
    }
  }

  private String run(List<String> cmd, boolean withPassword) {
    try {
      ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(cmd)).redirectErrorStream(true);
      if (withPassword) {
        pb.environment().put("MYSQL_PWD", password);
      }
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(Paths.get(cmd.get(0)).getFileName() + " failed: " + out);
      }
      return out.strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private Path client() {
    return sibling("mariadb");
  }

  /** A MariaDB program in the server's directory, else in {@code /usr/bin}. */
  private Path sibling(String name) {
    for (Path dirOf : List.of(bin, Paths.get("/usr/bin"), Paths.get("/usr/local/bin"))) {
      if (Files.isExecutable(dirOf.resolve(name))) {
        return dirOf.resolve(name);
      }
    }
    throw notInstalled(name);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return s.getLocalPort();
    }
  }

  private static Path findBin() {
    String env = System.getenv("SPINDLE_MARIADB_BIN");
    List<Path> dirs = new ArrayList<>();
    if (env != null && !env.isBlank()) {
      dirs.add(Paths.get(env));
    }
    dirs.addAll(List.of(Paths.get("/usr/sbin"), Paths.get("/usr/bin"), Paths.get("/usr/local/sbin"),
        Paths.get("/usr/local/bin")));
    for (Path d : dirs) {
      if (Files.isExecutable(d.resolve("mariadbd"))) {
        return d;
      }
    }
    throw notInstalled("mariadbd");
  }

  private static IllegalStateException notInstalled(String program) {
    return new IllegalStateException("MariaDB's " + program + " not found (looked in $SPINDLE_MARIADB_BIN, "
        + "/usr/sbin and /usr/bin): install Debian's package (apt-get install -y mariadb-server) or run ./run-tests,"
        + " which installs it (bin/ensure-mariadb.sh)");
  }

  @Override
  public String toString() {
    return "MariaDbServer[" + HOST + ":" + port + ", " + dir + "]";
  }
}
