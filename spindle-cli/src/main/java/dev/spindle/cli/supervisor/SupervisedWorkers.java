package dev.spindle.cli.supervisor;

import dev.spindle.ExecutionModel;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.JobStores;
import dev.spindle.supervisor.ServiceConfig;
import dev.spindle.supervisor.ServiceManager;
import dev.spindle.supervisor.Termination;
import dev.spindle.supervisor.queue.QueueWorkerService;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;

/**
 * {@code ./spindle worker --processes N}: the master half. Runs N queue-worker processes (service
 * {@code queue}, titled {@code spindle: queue worker(0)} ...) under a {@link ServiceManager}: dead
 * ones are respawned and their jobs come back through the queue's leases, {@code spindle ctl scale
 * queue=N} rescales, SIGTERM stops gracefully (running jobs get the grace, then are handed back).
 */
public final class SupervisedWorkers {
  /** The service's name. */
  public static final String SERVICE = "queue";

  private SupervisedWorkers() {}

  /**
   * Runs the master until it is stopped.
   *
   * @param concurrency jobs at once per process, or null for cores / processes (at least 1)
   * @param name the workers' name in the store, also the master's name ({@code spindle ctl --name})
   * @param prefetch jobs each worker process may claim beyond its free slots ({@code Worker.Builder#prefetch})
   * @return the exit status
   * @throws CommandLine.ParameterException on invalid settings
   */
  public static int run(CommandLine cl, int processes, String store, TaskRegistry registry, List<String> queues,
      ExecutionModel model, @Nullable Integer concurrency, String name, Duration grace, Duration lease, Duration heartbeat,
      Map<String, Integer> limits, int prefetch) {
    if (processes < 1 || processes > ServiceConfig.MAX_WORKERS) {
      throw new CommandLine.ParameterException(cl, "--processes must be in 1.." + ServiceConfig.MAX_WORKERS + ": "
          + processes);
    }
    if (model == ExecutionModel.PROCESSES || model == ExecutionModel.DISTRIBUTED) {
      throw new CommandLine.ParameterException(cl, "with --processes each worker process runs its jobs on threads: "
          + "use --model threads, virtual or sequential");
    }
    if (!registry.isPortable()) {
      throw new CommandLine.ParameterException(cl, "the task registry must be built from catalogs to cross to the "
          + "worker processes");
    }
    int perProcess = concurrency != null ? concurrency
        : Math.max(1, Runtime.getRuntime().availableProcessors() / processes);
    ServiceManager manager;
    try {
      QueueWorkerService.Settings settings = new QueueWorkerService.Settings(absolute(store),
          registry.catalogClassNames(), queues, model.name(), model == ExecutionModel.SEQUENTIAL ? 1 : perProcess,
          name, grace.toMillis(), lease.toMillis(), heartbeat.toMillis(), limits, prefetch);
      manager = ServiceManager.builder().name(name).handleSignals(true)
          .service(QueueWorkerService.config(SERVICE, processes, settings)).build();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cl, e.getMessage());
    }
    try {
      manager.start();
    } catch (IllegalStateException | IllegalArgumentException e) {
      System.err.println("spindle worker: " + e.getMessage());
      return Termination.START_FAILED;
    }
    long pid = ProcessHandle.current().pid();
    System.err.println("spindle worker: master pid " + pid + " supervises " + processes + " worker process(es) ("
        + model.name().toLowerCase(Locale.ROOT) + " x" + perProcess + " each) consuming " + queues + "; "
        + "./spindle ctl --name " + name + " status | scale " + SERVICE + "=N | stop; Ctrl-C stops gracefully");
    Termination t = manager.run();
    System.err.println("spindle worker: stopped (" + t.reason() + ")"
        + (t.forcedKills() > 0 ? "; " + t.forcedKills() + " process(es) had to be killed" : ""));
    return t.exitCode();
  }

  /** A SQLite location with a relative path is made absolute, so that every process opens the same file. */
  static String absolute(String location) {
    String loc = JobStores.normalize(location);
    if (loc.startsWith("sqlite:")) {
      String path = loc.substring("sqlite:".length());
      if (!path.isEmpty() && !path.startsWith("/") && !path.contains("?") && !path.startsWith(":memory:")) {
        return "sqlite:" + Path.of(path).toAbsolutePath().normalize();
      }
    }
    return loc;
  }
}
