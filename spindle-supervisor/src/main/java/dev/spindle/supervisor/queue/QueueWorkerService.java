package dev.spindle.supervisor.queue;

import dev.spindle.ExecutionModel;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.JobEvent;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobStores;
import dev.spindle.queue.Worker;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.supervisor.Service;
import dev.spindle.supervisor.ServiceConfig;
import dev.spindle.supervisor.ServiceContext;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * A durable-queue {@link Worker} run as a supervised service: what {@code spindle worker
 * --processes N} runs in each child JVM. Each finished execution counts as a job for
 * {@link ServiceConfig#maxJobsPerChild()}.
 *
 * <p>On a stop request the worker stops claiming, lets running jobs finish within the grace
 * period, and hands the rest back to the queue (they run again elsewhere); the service's
 * {@link ServiceConfig#stopTimeout()} is set longer than the grace so that this completes before
 * the master would kill the process. If the process is killed anyway ({@code kill -9}, the
 * master's deadline), its jobs come back when their lease runs out.
 *
 * <pre>{@code
 * ServiceConfig queue = QueueWorkerService.config("queue", 4, QueueWorkerService.Settings
 *     .of("sqlite:spindle-data/spindle.db", TaskRegistry.of(PrimeTasks.class)).withConcurrency(2));
 * ServiceManager.builder().service(queue).handleSignals(true).build().run();
 * }</pre>
 */
public final class QueueWorkerService extends Service {
  private static final Set<JobEvent.Type> EXECUTION_ENDS = EnumSet.of(JobEvent.Type.SUCCEEDED,
      JobEvent.Type.FAILED, JobEvent.Type.RETRY_SCHEDULED, JobEvent.Type.TIMED_OUT);

  /**
   * What each worker process runs. Immutable; crosses to the children as JSON (the store location
   * travels over the master's private socket, never on a command line).
   *
   * @param store the store location ({@code sqlite:PATH}, {@code redis://...}; see {@link JobStores})
   * @param catalogs task catalog class names (the allow-list); empty for {@link TaskRegistry#discover()}
   * @param queues queues to consume, highest priority first
   * @param model where jobs run inside the process: SEQUENTIAL, THREADS or VIRTUAL
   * @param concurrency jobs at once per process
   * @param name the workers' name in the store ({@code -<workerId>} is appended)
   * @param graceMillis how long running jobs may finish after a stop request before they are handed back
   * @param leaseMillis lease duration: how soon jobs of a dead process run elsewhere
   * @param heartbeatMillis lease renewal interval
   * @param limits per-queue limits of running jobs across all workers (stored)
   * @param prefetch jobs each worker may claim beyond its free slots while jobs are short
   *     ({@link Worker.Builder#prefetch}); 0 for none
   */
  public record Settings(String store, List<String> catalogs, List<String> queues, String model, int concurrency,
      String name, long graceMillis, long leaseMillis, long heartbeatMillis, Map<String, Integer> limits,
      int prefetch) {
    /** Validates. */
    public Settings {
      Objects.requireNonNull(store, "store");
      JobStores.normalize(store);
      catalogs = List.copyOf(catalogs);
      queues = List.copyOf(queues);
      if (queues.isEmpty()) {
        throw new IllegalArgumentException("a queue worker needs at least one queue");
      }
      ExecutionModel m = parseModel(model);
      if (m == ExecutionModel.PROCESSES || m == ExecutionModel.DISTRIBUTED) {
        throw new IllegalArgumentException("a supervised queue worker runs jobs with sequential, threads or virtual; "
            + "it is already one process per worker");
      }
      if (concurrency < 1 || concurrency > 10_000) {
        throw new IllegalArgumentException("concurrency must be in 1..10000: " + concurrency);
      }
      Objects.requireNonNull(name, "name");
      if (graceMillis < 0 || leaseMillis < 100 || heartbeatMillis < 10 || heartbeatMillis >= leaseMillis) {
        throw new IllegalArgumentException("need grace >= 0, lease >= 100 ms and 10 ms <= heartbeat < lease: grace "
            + graceMillis + " ms, lease " + leaseMillis + " ms, heartbeat " + heartbeatMillis + " ms");
      }
      limits = Map.copyOf(limits);
      if (prefetch < 0 || prefetch > 10_000) {
        throw new IllegalArgumentException("prefetch must be in 0..10000: " + prefetch);
      }
    }

    /** Defaults: the default queue, threads, one job per core, name {@code worker}, grace 30 s, lease 10 s, heartbeat 1 s, no prefetch. */
    public static Settings of(String store, TaskRegistry registry) {
      return new Settings(store, registry.catalogClassNames(), List.of(JobOptions.DEFAULT_QUEUE), "THREADS",
          Runtime.getRuntime().availableProcessors(), "worker", 30_000, 10_000, 1_000, Map.of(), 0);
    }

    /** With other queues. */
    public Settings withQueues(List<String> queues) {
      return new Settings(store, catalogs, queues, model, concurrency, name, graceMillis, leaseMillis, heartbeatMillis,
          limits, prefetch);
    }

    /** With another model and concurrency. */
    public Settings withConcurrency(String model, int concurrency) {
      return new Settings(store, catalogs, queues, model, concurrency, name, graceMillis, leaseMillis, heartbeatMillis,
          limits, prefetch);
    }

    /** With another worker name. */
    public Settings withName(String name) {
      return new Settings(store, catalogs, queues, model, concurrency, name, graceMillis, leaseMillis, heartbeatMillis,
          limits, prefetch);
    }

    /** With other timings. */
    public Settings withTimings(Duration grace, Duration lease, Duration heartbeat) {
      return new Settings(store, catalogs, queues, model, concurrency, name, grace.toMillis(), lease.toMillis(),
          heartbeat.toMillis(), limits, prefetch);
    }

    /** With per-queue limits. */
    public Settings withLimits(Map<String, Integer> limits) {
      return new Settings(store, catalogs, queues, model, concurrency, name, graceMillis, leaseMillis, heartbeatMillis,
          new LinkedHashMap<>(limits), prefetch);
    }

    /** With another prefetch ({@link Worker.Builder#prefetch}). */
    public Settings withPrefetch(int prefetch) {
      return new Settings(store, catalogs, queues, model, concurrency, name, graceMillis, leaseMillis, heartbeatMillis,
          limits, prefetch);
    }

    ExecutionModel executionModel() {
      return parseModel(model);
    }

    private static ExecutionModel parseModel(String model) {
      try {
        return ExecutionModel.valueOf(Objects.requireNonNull(model, "model").trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("unknown model '" + model + "': use sequential, threads or virtual");
      }
    }
  }

  /** Time the master adds to the grace before it kills a stopping worker: enough to hand jobs back and close the store. */
  public static final Duration STOP_MARGIN = Duration.ofSeconds(5);

  private final Settings settings;
  private volatile @Nullable Worker worker;

  /** Built by the worker runtime. */
  public QueueWorkerService(ServiceContext context) {
    super(context);
    this.settings = context.args(Settings.class);
  }

  /**
   * A service of {@code workers} queue-worker processes. Its stop timeout is the grace plus
   * {@link #STOP_MARGIN}.
   *
   * @throws IllegalArgumentException if the name or count is invalid
   */
  public static ServiceConfig config(String serviceName, int workers, Settings settings) {
    return builder(serviceName, settings).workers(workers).build();
  }

  /** A builder preset for queue workers, to add limits (recycling, memory) before building. */
  public static ServiceConfig.Builder builder(String serviceName, Settings settings) {
    return ServiceConfig.builder(serviceName, QueueWorkerService.class).args(settings)
        .stopTimeout(Duration.ofMillis(settings.graceMillis()).plus(STOP_MARGIN));
  }

  @Override
  public void run() throws Exception {
    TaskRegistry registry = settings.catalogs().isEmpty() ? TaskRegistry.discover()
        : TaskRegistry.fromCatalogClassNames(settings.catalogs());
    StoreBackend store = JobStores.open(settings.store());
    try {
      ExecutionModel m = settings.executionModel();
      Worker.Builder b = Worker.builder(store).registry(registry).queues(settings.queues()).model(m)
          .concurrency(m == ExecutionModel.SEQUENTIAL ? 1 : settings.concurrency()).prefetch(settings.prefetch())
          .name(settings.name() + "-" + workerId())
          .shutdownGrace(Duration.ofMillis(settings.graceMillis()))
          .leaseDuration(Duration.ofMillis(settings.leaseMillis()))
          .heartbeatInterval(Duration.ofMillis(settings.heartbeatMillis()))
          .listener(e -> {
            if (EXECUTION_ENDS.contains(e.type())) {
              jobDone();
            }
          });
      settings.limits().forEach(b::queueLimit);
      Thread runner = Thread.currentThread();
      AtomicReference<Throwable> fatal = new AtomicReference<>();
      b.onFatal(t -> {
        fatal.set(t);
        runner.interrupt(); // run() fails, so the master restarts this worker process
      });
      Worker w = b.start();
      worker = w;
      System.err.println("[spindle] " + this + ": queue worker " + w.id() + " consuming " + settings.queues()
          + " from " + store.describe());
      try {
        context().awaitStop();
      } catch (InterruptedException e) {
        if (fatal.get() != null) {
          w.close();
          throw new IllegalStateException("the queue worker stopped on an internal error", fatal.get());
        }
        throw e;
      }
      w.stop(Duration.ofMillis(settings.graceMillis()));
    } finally {
      store.close();
    }
  }

  @Override
  public void terminate() {
    Worker w = worker;
    if (w != null) {
      w.shutdown(); // stop claiming at once; run() finishes the graceful stop
    }
  }
}
