package dev.spindle.coordination;

import dev.spindle.testkit.postgres.PostgresServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * The child JVM of the multi-process tests. Modes:
 * <ul>
 *   <li>{@code file-lock <path>}: takes the file lock, prints {@code locked <token>}, releases it
 *       when a line arrives on stdin, prints {@code released} and exits.</li>
 *   <li>{@code member <store> <group> <id> <heartbeat-ms>}: joins, prints {@code joined}, runs
 *       until killed.</li>
 *   <li>{@code counter <store> <lock> <register> <target> <lease-ms>}: increments the register
 *       through the lock until it reaches the target; prints {@code rejected <token>} for every
 *       fenced write refused and finally {@code done <accepted> <rejected>}.</li>
 * </ul>
 * A store is {@code sqlite:<file>}, {@code redis:<url>} or {@code postgres:<jdbc url>|<schema>} (user and
 * password in {@code COORD_PG_USER} and {@code COORD_PG_PASSWORD}).
 */
public final class CoordChild {
  private CoordChild() {}

  static Coordinator.Builder store(String spec) {
    if (spec.startsWith("sqlite:")) {
      return Coordinator.builder().sqlite(Path.of(spec.substring("sqlite:".length())));
    }
    if (spec.startsWith("postgres:")) {
      // jdbc URL and schema in the spec; the credentials in the environment (never on a command line)
      String[] f = spec.substring("postgres:".length()).split("\\|");
      String user = System.getenv("COORD_PG_USER");
      String password = System.getenv("COORD_PG_PASSWORD");
      if (user == null) { // the test JVM itself
        user = PostgresServer.shared().user();
        password = PostgresServer.shared().password();
      }
      return Coordinator.builder().schema(f[1]).postgres(f[0], user, password);
    }
    if (spec.startsWith("redis:")) {
      return Coordinator.builder().namespace("child").redis(spec.substring("redis:".length()));
    }
    throw new IllegalArgumentException("store: " + spec);
  }

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "file-lock" -> {
        FileLock lock = FileLock.at(Path.of(args[1]));
        try (FileLock.Guard g = lock.acquire(Duration.ofSeconds(30)).orElseThrow()) {
          System.out.println("locked " + g.token());
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        }
        System.out.println("released");
      }
      case "member" -> {
        Coordinator c = store(args[1]).heartbeatInterval(Duration.ofMillis(Long.parseLong(args[4]))).build();
        c.join(args[2], args[3], "{\"pid\":" + ProcessHandle.current().pid() + "}");
        System.out.println("joined");
        while (true) {
          LockSupport.park();
        }
      }
      case "counter" -> counter(args);
      default -> throw new IllegalArgumentException(args[0]);
    }
  }

  private static void counter(String[] args) throws InterruptedException {
    long target = Long.parseLong(args[4]);
    try (Coordinator c = store(args[1]).leaseDuration(Duration.ofMillis(Long.parseLong(args[5]))).build()) {
      FencedLock lock = c.lock(args[2]);
      FencedRegister register = c.register(args[3]);
      long accepted = 0;
      long rejected = 0;
      System.out.println("ready");
      while (true) {
        try (Lease lease = lock.acquire()) {
          long n = register.read(lease).map(v -> Long.parseLong(v.value())).orElse(0L);
          if (n >= target) {
            break;
          }
          if (register.write(lease, Long.toString(n + 1))) {
            accepted++;
          } else {
            rejected++;
            System.out.println("rejected " + lease.token());
          }
        }
      }
      System.out.println("done " + accepted + " " + rejected);
    }
  }
}
