package dev.spindle.coordination;

import dev.spindle.process.supervise.ChildSpec;
import dev.spindle.process.supervise.JvmLauncher;
import dev.spindle.testkit.postgres.PostgresServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A {@link CoordChild} JVM whose output lines the test reads from a queue. */
final class Children implements AutoCloseable {
  final Process process;
  final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  /** Every line so far, in order. */
  final List<String> all = new java.util.concurrent.CopyOnWriteArrayList<>();

  private Children(Process process) {
    this.process = process;
    Thread.ofPlatform().daemon().start(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          all.add(line);
          lines.add(line);
        }
      } catch (IOException e) {
        // the child went away
      }
    });
  }

  static Children start(Path stderr, String... args) {
    ChildSpec.Builder b = ChildSpec.builder("coord-child", CoordChild.class.getName()).args(List.of(args))
        .jvmOptions(JvmLauncher.withDefaultGc(List.of("--enable-native-access=ALL-UNNAMED", "-Xmx96m")))
        .stderr(ProcessBuilder.Redirect.appendTo(stderr.toFile()));
    if (args.length > 1 && args[1].startsWith("postgres:")) {
      PostgresServer pg = PostgresServer.shared();
      b.env("COORD_PG_USER", pg.user()).env("COORD_PG_PASSWORD", pg.password());
    }
    ChildSpec spec = b.build();
    try {
      return new Children(JvmLauncher.processBuilder(spec).start());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The store spec of {@code kind} (sqlite, redis or postgres) for child JVMs; SQLite files in {@code dir}. */
  static String store(String kind, Path dir) {
    return switch (kind) {
      case "sqlite" -> "sqlite:" + dir.resolve("coord.db");
      case "redis" -> "redis:" + SharedRedis.server().url();
      case "postgres" -> "postgres:" + PostgresServer.shared().jdbcUrl("postgres") + "|"
          + PostgresServer.newSchema("coord_child");
      default -> throw new IllegalArgumentException(kind);
    };
  }

  /** The next line starting with {@code prefix}, waiting at most {@code seconds}. */
  String expect(String prefix, long seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (true) {
      String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (line == null) {
        throw new AssertionError("no '" + prefix + "' from child " + process.pid() + " within " + seconds + " s");
      }
      if (line.startsWith(prefix)) {
        return line;
      }
    }
  }

  void send(String line) throws IOException {
    process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
    process.getOutputStream().flush();
  }

  static void signal(long pid, String signal) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
      if (kill.waitFor() != 0) {
        throw new IllegalStateException("kill -" + signal + " " + pid + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Sends signals through one long-lived bash (its {@code kill} is a builtin): tens of microseconds
   * per signal instead of a fork of {@code kill}, so a stop lands while the holder is still in its
   * critical section. Not thread-safe.
   */
  static final class Signaller implements AutoCloseable {
    private final Process bash;
    private final BufferedReader out;

    Signaller() throws IOException {
      bash = new ProcessBuilder("bash").redirectErrorStream(true).start();
      out = new BufferedReader(new InputStreamReader(bash.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Sends {@code signal} to {@code pid}; true if delivered (false: no such process). */
    boolean send(long pid, String signal) throws IOException {
      bash.getOutputStream().write(("kill -" + signal + " " + pid + " 2>/dev/null; echo $?\n")
          .getBytes(StandardCharsets.UTF_8));
      bash.getOutputStream().flush();
      return "0".equals(out.readLine());
    }

    @Override
    public void close() {
      bash.destroyForcibly();
    }
  }

  /** The process state letter from /proc (R, S, T for stopped, ...). */
  static char state(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      return stat.charAt(stat.lastIndexOf(')') + 2);
    } catch (IOException e) {
      return '?';
    }
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
