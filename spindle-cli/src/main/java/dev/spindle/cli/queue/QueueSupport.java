package dev.spindle.cli.queue;

import dev.spindle.TaskCatalog;
import dev.spindle.TaskRegistry;
import dev.spindle.cli.ExitCode;
import dev.spindle.examples.primes.PrimeTasks;
import dev.spindle.queue.JobNotFoundException;
import dev.spindle.queue.JobStores;
import dev.spindle.queue.StoreException;
import dev.spindle.queue.spi.StoreBackend;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** Options and helpers shared by the queue commands. */
final class QueueSupport {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
      .withZone(ZoneId.systemDefault());

  private QueueSupport() {}

  /** {@code --store}: where the jobs live. */
  static final class StoreOption {
    @Nullable String store;

    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec mixee;

    /** Checked as it is parsed, so a process-local store is a usage error before anything runs. */
    @Option(names = "--store", paramLabel = "LOCATION",
        description = "the job store: a SQLite file path, sqlite:PATH, redis://..., postgres://HOST/DB?user=NAME or mariadb://HOST/DB?user=NAME"
            + " (password from PGPASSWORD, MARIADB_PASSWORD or passwordFile=PATH) "
            + "(default: $SPINDLE_STORE or " + JobStores.DEFAULT_LOCATION + ")")
    void setStore(String location) {
      this.store = location;
      location();
    }

    /**
     * The location; a process-local store ({@code memory:}) is refused: every command runs in its
     * own process, so jobs put there would vanish when it exits and no worker could see them.
     */
    String location() {
      String loc = store != null ? store : JobStores.defaultLocation();
      if (loc.strip().regionMatches(true, 0, "memory:", 0, 7)) {
        String msg = "--store " + dev.spindle.spi.Echo.of(loc) + " is a store inside this one process: what "
            + "this command does there vanishes when it exits and no other process sees it; use a SQLite file "
            + "(sqlite:PATH) or redis://... (memory: is for tests and ./spindle demo)";
        if (mixee != null) {
          throw new CommandLine.ParameterException(mixee.commandLine(), msg);
        }
        throw new IllegalArgumentException(msg);
      }
      return loc;
    }

    /**
     * Opens an existing store, creating nothing: what every command that is not meant to create a
     * store uses (status, jobs, schedules list, flow, dashboard, ...).
     *
     * @throws dev.spindle.queue.StoreException NOT_FOUND if there is none at the location
     */
    StoreBackend open() {
      return JobStores.openExisting(location());
    }

    /** Opens the store, creating it if missing: only for commands that add work (enqueue, worker, ...). */
    StoreBackend openOrCreate() {
      return JobStores.open(location());
    }
  }

  /** {@code --catalog}: the task catalogs to allow. */
  static final class CatalogOption {
    @Option(names = "--catalog", paramLabel = "CLASS", split = ",",
        description = "task catalog classes (TaskCatalog) whose tasks are allowed; default: the demo and prime "
            + "tasks plus every catalog listed in META-INF/services/dev.spindle.TaskCatalog")
    List<String> catalogs = new ArrayList<>();

    TaskRegistry registry() {
      if (!catalogs.isEmpty()) {
        return TaskRegistry.fromCatalogClassNames(catalogs);
      }
      return defaultRegistry();
    }
  }

  /**
   * How {@code jobs list|show} show arguments and results: the {@link dev.spindle.Sensitive} fields
   * of the catalogs' tasks and the {@code --redact} names masked, encrypted payloads shown as
   * encrypted with their key id.
   */
  static final class RedactOption {
    @Option(names = "--catalog", paramLabel = "CLASS", split = ",",
        description = "task catalog classes whose @Sensitive fields are masked; default: the demo and prime tasks"
            + " plus every catalog listed in META-INF/services/dev.spindle.TaskCatalog")
    List<String> catalogs = new ArrayList<>();

    @Option(names = "--redact", paramLabel = "FIELD", split = ",",
        description = "also mask these argument and result fields, at any depth, in every task")
    List<String> fields = new ArrayList<>();

    dev.spindle.queue.Redaction redaction() {
      TaskRegistry r = catalogs.isEmpty() ? defaultRegistry() : TaskRegistry.fromCatalogClassNames(catalogs);
      return dev.spindle.queue.Redaction.of(r).withFields(fields);
    }
  }

  /** The demo and prime tasks plus every discovered catalog. */
  static TaskRegistry defaultRegistry() {
    TaskRegistry.Builder b = TaskRegistry.builder().addCatalog(DemoTasks.class).addCatalog(PrimeTasks.class);
    for (ServiceLoader.Provider<TaskCatalog> p : ServiceLoader.load(TaskCatalog.class).stream().toList()) {
      b.addCatalog(p.type());
    }
    return b.build();
  }

  /** A short human form of a duration: 850ms, 12.3s, 4m05s, 3h02m, 2d04h. */
  static String human(Duration d) {
    long ms = d.toMillis();
    if (ms < 0) {
      return "-" + human(d.negated());
    }
    if (ms < 1000) {
      return ms + "ms";
    }
    if (ms < 60_000) {
      return String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
    }
    long s = ms / 1000;
    if (s < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
    if (s < 86_400) {
      return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
    }
    return String.format(Locale.ROOT, "%dd%02dh", s / 86_400, (s % 86_400) / 3600);
  }

  /** Local date and time, or "-". */
  static String time(@Nullable Instant t) {
    return t == null ? "-" : TIME.format(t);
  }

  /** Cuts {@code s} to {@code max} characters with an ellipsis. */
  static String cut(String s, int max) {
    if (s == null) {
      return "";
    }
    String one = s.replace('\n', ' ');
    return one.length() <= max ? one : one.substring(0, Math.max(0, max - 3)) + "...";
  }

  /**
   * Prints {@code spindle <cmd>: message} for an operational failure and returns its exit status:
   * {@link ExitCode#STORE_UNAVAILABLE} if the store cannot be reached or opened,
   * {@link ExitCode#NO_STORE} if there is no store at the location (a command that only reads),
   * {@link ExitCode#NOT_FOUND} for a missing job, else {@link ExitCode#ERROR}.
   */
  static int fail(String command, RuntimeException e) {
    return failure(command, e).code();
  }

  /** As {@link #fail}, as an {@link ExitCode}. */
  static ExitCode failure(String command, RuntimeException e) {
    System.err.println("spindle " + command + ": " + message(e));
    return exitCode(e);
  }

  /** The message of a failure, with its store reason if any, control characters escaped. */
  static String message(RuntimeException e) {
    String what = e instanceof StoreException se ? se.reason() + ": " + se.getMessage() : e.getMessage();
    return dev.spindle.spi.Echo.controls(String.valueOf(what));
  }

  /** The exit status of a failure (see {@link #fail}). */
  static ExitCode exitCode(RuntimeException e) {
    if (e instanceof JobNotFoundException) {
      return ExitCode.NOT_FOUND;
    }
    if (e instanceof StoreException se) {
      return switch (se.reason()) {
        case UNAVAILABLE, CANNOT_OPEN, BUSY, CLOSED, REPLACED -> ExitCode.STORE_UNAVAILABLE;
        case NOT_FOUND -> ExitCode.NO_STORE;
        case DISK_FULL, READ_ONLY, CORRUPT, IO -> ExitCode.ERROR;
      };
    }
    return ExitCode.ERROR;
  }
}
