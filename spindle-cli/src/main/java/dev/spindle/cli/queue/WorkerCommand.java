package dev.spindle.cli.queue;

import dev.spindle.ExecutionModel;
import dev.spindle.TaskRegistry;
import dev.spindle.cli.DurationArgs;
import dev.spindle.metrics.MetricsServer;
import dev.spindle.metrics.SpindleMetrics;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.Worker;
import dev.spindle.queue.spi.StoreBackend;
import io.opentelemetry.api.GlobalOpenTelemetry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ./spindle worker}: consumes the durable queue until SIGTERM or Ctrl-C, then stops
 * gracefully (no more claims; running jobs get the grace period; the rest are handed back).
 */
@Command(name = "worker", mixinStandardHelpOptions = true,
    description = {
        "Runs a queue worker: claims jobs when it has free slots and runs them on a local execution model. "
            + "Any number of workers, in any number of processes, may share one store. Stops gracefully on "
            + "SIGTERM or Ctrl-C.",
        "Example: ./spindle worker --queues emails,default --model threads --concurrency 4"})
public final class WorkerCommand implements Callable<Integer> {
  /** Exit status when an internal thread of the worker died (EX_SOFTWARE). */
  static final int EXIT_FATAL = 70;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Mixin
  QueueSupport.StoreOption store = new QueueSupport.StoreOption();

  @Mixin
  QueueSupport.CatalogOption catalog = new QueueSupport.CatalogOption();

  @Mixin
  AlertOptions alerting = new AlertOptions();

  @Option(names = {"-q", "--queues"}, paramLabel = "QUEUE", split = ",", defaultValue = JobOptions.DEFAULT_QUEUE,
      description = "queues to consume, highest priority first (default: ${DEFAULT-VALUE})")
  List<String> queues = new ArrayList<>();

  @Option(names = "--model", paramLabel = "MODEL", defaultValue = "threads",
      description = "where jobs run: sequential, threads, virtual or processes (default: ${DEFAULT-VALUE})")
  String model;

  @Option(names = {"-c", "--concurrency"}, paramLabel = "N",
      description = "jobs run at once (default: the number of cores)")
  @Nullable Integer concurrency;

  @Option(names = "--prefetch", paramLabel = "N", defaultValue = "0",
      description = "claim up to N jobs beyond the free slots while jobs run shorter than a store call, so a freed "
          + "slot starts its next job at once: faster drains of short jobs; unstarted ones go back to the queue "
          + "after 100 ms or on stop (default: ${DEFAULT-VALUE}, off)")
  int prefetch;

  @Option(names = "--name", paramLabel = "NAME", defaultValue = "worker",
      description = "a readable name shown by ./spindle status (default: ${DEFAULT-VALUE})")
  String name;

  @Option(names = "--limit", paramLabel = "QUEUE=N",
      description = "at most N jobs of QUEUE run at once across all workers (stored; 0 removes the limit)")
  Map<String, Integer> limits = new LinkedHashMap<>();

  @Option(names = "--grace", paramLabel = "DURATION", defaultValue = "30s",
      description = "on SIGTERM, how long running jobs may finish before they are handed back (default: "
          + "${DEFAULT-VALUE})")
  String grace;

  @Option(names = "--lease", paramLabel = "DURATION", defaultValue = "10s",
      description = "how soon jobs of this worker run elsewhere if it dies (default: ${DEFAULT-VALUE})")
  String lease;

  @Option(names = "--heartbeat", paramLabel = "DURATION", defaultValue = "1s",
      description = "lease renewal and cancel-request polling interval (default: ${DEFAULT-VALUE})")
  String heartbeat;

  @Option(names = "--processes", paramLabel = "N", defaultValue = "0",
      description = "run N worker processes under a supervising master: dead ones are respawned (their jobs come "
          + "back through the leases), ./spindle ctl scale queue=N rescales, SIGTERM stops gracefully; "
          + "--concurrency is then per process (default: cores / N). 0 runs one worker in this process "
          + "(default: ${DEFAULT-VALUE})")
  int processes;

  @Option(names = "--metrics-port", paramLabel = "PORT",
      description = "serve Prometheus metrics at http://ADDRESS:PORT/metrics (job counts, wait and run times, queue "
          + "depth and age, slots, executor figures); spans go to the OpenTelemetry SDK set up in this JVM (the "
          + "OpenTelemetry Java agent), if any. Off by default")
  @Nullable Integer metricsPort;

  @Option(names = "--metrics-bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
      description = "address of the metrics server (default: ${DEFAULT-VALUE}); another one needs a bearer token "
          + "in $" + MetricsServer.TOKEN_ENV)
  String metricsBind;

  @Override
  public Integer call() throws InterruptedException {
    CommandLine cl = spec.commandLine();
    ExecutionModel m;
    try {
      m = ExecutionModel.valueOf(model.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cl, "unknown model '" + model
          + "': use sequential, threads, virtual or processes");
    }
    Duration graceD = DurationArgs.parse(cl, grace);
    Worker.Builder b;
    TaskRegistry registry;
    try {
      registry = catalog.registry();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cl, e.getMessage());
    }
    if (metricsPort != null && (metricsPort < 0 || metricsPort > 65_535)) {
      throw new CommandLine.ParameterException(cl, "--metrics-port must be 0-65535: " + metricsPort);
    }
    if (alerting.alerts != null && !alerting.detect) {
      throw new CommandLine.ParameterException(cl, "--alerts names where a stall detector's incidents go: add "
          + "--detect-stalls");
    }
    if (processes != 0) {
      if (alerting.detect) {
        throw new CommandLine.ParameterException(cl, "--detect-stalls runs in one worker process; with --processes "
            + "run it in the dashboard (spindle dashboard --detect-stalls) or from cron (spindle incidents check)");
      }
      if (metricsPort != null) {
        throw new CommandLine.ParameterException(cl, "--metrics-port serves one worker process; with --processes "
            + "run each supervised worker's metrics elsewhere (not supported yet)");
      }
      return dev.spindle.cli.supervisor.SupervisedWorkers.run(cl, processes, store.location(), registry, queues, m,
          concurrency, name, graceD, DurationArgs.parse(cl, lease), DurationArgs.parse(cl, heartbeat), limits,
          prefetch);
    }
    dev.spindle.queue.health.WebhookAlerter alerter = alerting.detect ? alerting.alerter("spindle worker " + name)
        : null;
    StoreBackend s;
    try {
      s = store.openOrCreate();
    } catch (RuntimeException e) {
      return QueueSupport.fail("worker", e);
    }
    Worker worker;
    SpindleMetrics metrics = metricsPort == null ? null
        : SpindleMetrics.builder().tracing(GlobalOpenTelemetry.get()).build();
    CountDownLatch stopped = new CountDownLatch(1);
    AtomicReference<Throwable> fatal = new AtomicReference<>();
    try {
      b = Worker.builder(s).registry(registry).queues(queues).model(m).name(name).shutdownGrace(graceD)
          .leaseDuration(DurationArgs.parse(cl, lease)).heartbeatInterval(DurationArgs.parse(cl, heartbeat));
      b.concurrency(concurrency != null ? concurrency
          : m == ExecutionModel.SEQUENTIAL ? 1 : Runtime.getRuntime().availableProcessors());
      b.prefetch(prefetch);
      limits.forEach(b::queueLimit);
      if (alerting.detect) {
        b.stallDetector(dev.spindle.queue.health.StallDetector.of(s, alerting.rules(),
            alerter != null ? alerter : dev.spindle.queue.health.IncidentListener.NONE));
      }
      if (metrics != null) {
        b.observer(metrics.observer());
      }
      b.onFatal(t -> {
        fatal.set(t);
        stopped.countDown();
      });
      worker = b.start();
    } catch (IllegalArgumentException | IllegalStateException e) {
      s.close();
      throw new CommandLine.ParameterException(cl, e.getMessage());
    } catch (RuntimeException e) {
      s.close();
      return QueueSupport.fail("worker", e);
    }
    MetricsServer server = null;
    if (metrics != null) {
      metrics.bindStore(s).bindExecutor(() -> worker.executorStats().orElse(null));
      try {
        server = MetricsServer.start(metrics, metricsBind, Objects.requireNonNull(metricsPort, "metrics come with a port"),
            System.getenv(MetricsServer.TOKEN_ENV));
      } catch (RuntimeException e) {
        worker.close();
        s.close();
        if (e instanceof IllegalArgumentException) {
          throw new CommandLine.ParameterException(cl, e.getMessage());
        }
        return QueueSupport.fail("worker", e);
      }
      System.err.println("spindle worker: metrics at http://" + metricsBind + ":" + server.port() + "/metrics");
    }
    MetricsServer metricsServer = server;
    Thread hook = new Thread(() -> {
      System.err.println("spindle worker: stopping (grace " + QueueSupport.human(graceD) + ")...");
      worker.close();
      if (metricsServer != null) {
        metricsServer.close();
      }
      if (alerter != null) {
        alerter.close();
      }
      s.close();
      stopped.countDown();
    }, "spindle-worker-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    System.err.println("spindle worker: " + worker.id() + " consuming " + queues + " from " + s.describe() + " ("
        + m.name().toLowerCase(Locale.ROOT) + "; tasks: " + String.join(", ", registry.names()) + ")");
    stopped.await();
    Throwable t = fatal.get();
    if (t != null) {
      // a worker that cannot claim must not linger: exit non-zero so that a supervisor restarts it
      System.err.println("spindle worker: stopped on an internal error (" + t + "); exiting with status "
          + EXIT_FATAL);
      return EXIT_FATAL;
    }
    return 0;
  }
}
