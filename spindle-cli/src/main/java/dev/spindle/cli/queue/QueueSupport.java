package dev.spindle.cli.queue;

import dev.spindle.TaskCatalog;
import dev.spindle.TaskRegistry;
import dev.spindle.examples.primes.PrimeTasks;
import dev.spindle.queue.JobStores;
import dev.spindle.queue.StoreException;
import dev.spindle.queue.spi.JobStore;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** Options and helpers shared by the queue commands. */
final class QueueSupport {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
      .withZone(ZoneId.systemDefault());

  private QueueSupport() {}

  /** {@code --store}: where the jobs live. */
  static final class StoreOption {
    @Option(names = "--store", paramLabel = "LOCATION",
        description = "the job store: a SQLite file path, sqlite:PATH, memory:NAME or redis://... "
            + "(default: $SPINDLE_STORE or " + JobStores.DEFAULT_LOCATION + ")")
    String store;

    String location() {
      return store != null ? store : JobStores.defaultLocation();
    }

    /** Opens the store, turning failures into usage-style errors. */
    JobStore open() {
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
  static String time(Instant t) {
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

  /** Prints {@code spindle <cmd>: message} for an operational failure and returns exit code 1. */
  static int fail(String command, RuntimeException e) {
    String what = e instanceof StoreException se ? se.reason() + ": " + se.getMessage() : e.getMessage();
    System.err.println("spindle " + command + ": " + what);
    return 1;
  }
}
