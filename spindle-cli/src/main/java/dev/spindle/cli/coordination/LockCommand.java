package dev.spindle.cli.coordination;

import dev.spindle.cli.DurationArgs;
import dev.spindle.coordination.CoordinationException;
import dev.spindle.coordination.Coordinator;
import dev.spindle.coordination.FencedLock;
import dev.spindle.coordination.Holder;
import dev.spindle.coordination.Lease;
import dev.spindle.queue.StoreException;
import dev.spindle.spi.Echo;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ./spindle lock NAME -- COMMAND...}: {@code flock(1)} across processes of one host (SQLite)
 * or many hosts (Redis): runs the command while holding the fenced lock, with the fencing token in
 * {@code SPINDLE_FENCING_TOKEN}; releases when it exits.
 */
@Command(name = "lock", mixinStandardHelpOptions = true,
    description = {
        "Runs COMMAND while holding the fenced lock NAME (renewed while the command runs), with the lock's fencing "
            + "token in the environment variable SPINDLE_FENCING_TOKEN; exits with the command's status, or 75 if "
            + "the lock was not free within --timeout. With --holders, prints the current holders instead.",
        "Stores: sqlite:FILE (processes of one host), redis://HOST:PORT[/DB] or rediss:// (many hosts).",
        "Example: ./spindle lock --store sqlite:/tmp/locks.db nightly-report -- ./make-report.sh"})
public final class LockCommand implements Callable<Integer> {
  /** The exit status when the lock was not acquired in time (sysexits EX_TEMPFAIL). */
  public static final int NOT_ACQUIRED = 75;
  /** The exit status when the lock store's file or directory is missing (sysexits EX_NOINPUT). */
  public static final int NO_STORE = 66;
  /** The exit status when the lock store cannot be opened or used (sysexits EX_UNAVAILABLE). */
  public static final int STORE_FAILED = 69;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--store", paramLabel = "STORE", required = true,
      description = "sqlite:FILE, redis://... or rediss://...")
  String store;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "0s",
      description = "how long to wait for the lock (default: ${DEFAULT-VALUE}: fail at once if held)")
  String timeout;

  @Option(names = "--lease", paramLabel = "DURATION", defaultValue = "30s",
      description = "lease duration, renewed every third of it while the command runs (default: ${DEFAULT-VALUE})")
  String lease;

  @Option(names = "--holders", description = "print the lock's current holders and exit")
  boolean holders;

  @Parameters(index = "0", paramLabel = "NAME", description = "the lock's name")
  String name;

  @Parameters(index = "1..*", paramLabel = "COMMAND", description = "the command and its arguments")
  List<String> command = List.of();

  @Override
  public Integer call() throws Exception {
    CommandLine cl = spec.commandLine();
    Duration wait = DurationArgs.parse(cl, timeout);
    Duration leaseDuration = DurationArgs.parse(cl, lease);
    if (leaseDuration.compareTo(Duration.ofMillis(100)) < 0) {
      throw new CommandLine.ParameterException(cl, "--lease must be at least 100ms");
    }
    if (!holders && command.isEmpty()) {
      throw new CommandLine.ParameterException(cl, "give a COMMAND to run (after --), or --holders");
    }
    Coordinator.Builder b = Coordinator.builder();
    if (store.startsWith("sqlite:")) {
      Path file = Path.of(store.substring("sqlite:".length()));
      if (holders) {
        b.sqliteExisting(file); // a read creates nothing
      } else {
        b.sqlite(file);
      }
    } else if (store.startsWith("redis://") || store.startsWith("rediss://")) {
      b.redis(store);
    } else {
      throw new CommandLine.ParameterException(cl, "--store must be sqlite:FILE, redis://... or rediss://...");
    }
    try {
      return run(b.leaseDuration(leaseDuration), wait);
    } catch (CoordinationException e) {
      boolean missing = e.getCause() instanceof StoreException se && se.reason() == StoreException.Reason.NOT_FOUND;
      System.err.println("spindle lock: " + Echo.controls(String.valueOf(e.getMessage())));
      return missing ? NO_STORE : STORE_FAILED;
    }
  }

  private int run(Coordinator.Builder b, Duration wait) throws IOException, InterruptedException {
    PrintStream out = System.out;
    try (Coordinator c = b.build()) {
      FencedLock lock = c.lock(name);
      if (holders) {
        for (Holder h : lock.holders()) {
          out.println(h.holderId() + " token " + h.token() + " expires " + h.expiresAt());
        }
        return 0;
      }
      Optional<Lease> got = wait.isZero() ? lock.tryAcquire() : lock.acquire(wait);
      if (got.isEmpty()) {
        System.err.println("lock " + name + " is held; not acquired within " + timeout);
        return NOT_ACQUIRED;
      }
      try (Lease l = got.get()) {
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT)
            .redirectInput(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("SPINDLE_FENCING_TOKEN", Long.toString(l.token()));
        Process p = pb.start();
        copy(p.getInputStream(), out);
        int code = p.waitFor();
        if (!l.isHeld()) {
          System.err.println("warning: the lease on " + name + " was lost while the command ran");
        }
        return code;
      }
    }
  }

  private static void copy(InputStream in, PrintStream out) throws IOException {
    byte[] buf = new byte[8192];
    for (int n; (n = in.read(buf)) > 0; ) {
      out.write(buf, 0, n);
    }
    out.flush();
  }
}
