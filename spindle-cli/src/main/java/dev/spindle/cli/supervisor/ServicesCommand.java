package dev.spindle.cli.supervisor;

import dev.spindle.metrics.MetricsServer;
import dev.spindle.metrics.SpindleMetrics;
import dev.spindle.process.JoinableQueue;
import dev.spindle.supervisor.ReloadHook;
import dev.spindle.supervisor.RunDirectory;
import dev.spindle.supervisor.ServiceConfig;
import dev.spindle.supervisor.ServiceManager;
import dev.spindle.supervisor.Termination;
import dev.spindle.supervisor.examples.CotyledonExamples;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ./spindle services}: runs a master that supervises services in child JVMs, Cotyledon's
 * examples or any services described in a JSON file.
 */
@Command(name = "services", mixinStandardHelpOptions = true,
    description = {
        "Runs a master process that keeps N worker JVMs of each service running (Cotyledon's ServiceManager): "
            + "killed or crashed workers are respawned (with back-off when they keep dying), SIGHUP or "
            + "'spindle ctl reload' reloads, 'spindle ctl scale SERVICE=N' rescales one service without touching "
            + "the others, SIGTERM or Ctrl-C stops gracefully (twice: at once). Workers exit by themselves if the "
            + "master dies. See them with: ps -eo pid,args | grep 'spindle:'",
        "EXAMPLE is printer (2 workers printing 'Doing stuff' every second) or producer-consumer (a "
            + "ProducerService putting 0, 1, 2, ... on a cross-process queue once a second, and printers printing "
            + "'I am Worker: %%d PID: %%d and I print %%s'; SIGHUP reconfigures printer to 5 workers, as in the text).",
        "Examples: ./spindle services printer",
        "          ./spindle services producer-consumer --on-reload printer=5",
        "          ./spindle services --config services.json      (re-read on every reload)"})
public final class ServicesCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", paramLabel = "EXAMPLE",
      description = "printer or producer-consumer (default: printer; not with --config)")
  @Nullable String example;

  @Option(names = "--config", paramLabel = "FILE",
      description = "a JSON file of services ({\"services\": [{\"name\", \"class\", \"workers\", \"args\", ...}]}), "
          + "read at start and at every reload")
  @Nullable Path config;

  @Option(names = {"-w", "--workers"}, paramLabel = "N",
      description = "printer workers of the example (default: 2)")
  @Nullable Integer workers;

  @Option(names = "--on-reload", paramLabel = "SERVICE=N",
      description = "on reload (SIGHUP, spindle ctl reload) print Reloading and scale SERVICE to N "
          + "(default for producer-consumer: printer=5, like the text)")
  Map<String, Integer> onReload = new LinkedHashMap<>();

  @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "1s",
      description = "how often the example services print or produce (default: ${DEFAULT-VALUE})")
  String interval;

  @Option(names = "--max-jobs-per-child", paramLabel = "N", defaultValue = "0",
      description = "producer-consumer: replace a printer after it printed N items (default: never)")
  long maxJobsPerChild;

  @Option(names = "--name", paramLabel = "NAME", defaultValue = "spindle",
      description = "the master's name: its control socket is NAME.sock (default: ${DEFAULT-VALUE})")
  String name;

  @Option(names = "--run-dir", paramLabel = "DIR",
      description = "where the control socket goes (default: $XDG_RUNTIME_DIR/spindle or ~/.spindle/run; mode 0700)")
  @Nullable Path runDir;

  @Option(names = "--metrics-port", paramLabel = "PORT",
      description = "serve the master's Prometheus metrics (restarts, crash loops, children's RSS) at "
          + "http://127.0.0.1:PORT/metrics. Off by default")
  @Nullable Integer metricsPort;

  @Override
  public Integer call() {
    CommandLine cl = spec.commandLine();
    Duration every = Supervision.duration(cl, interval);
    JoinableQueue<Long> queue = null;
    ServiceManager manager;
    try {
      ServiceManager.Builder b = ServiceManager.builder().name(name).handleSignals(true)
          .runDirectory(runDir != null ? runDir : RunDirectory.defaultPath());
      Map<String, Integer> reload = new LinkedHashMap<>(onReload);
      if (config != null) {
        if (example != null) {
          throw new CommandLine.ParameterException(cl, "give either EXAMPLE or --config, not both");
        }
        b.configFile(config);
      } else {
        String ex = example == null ? "printer" : example.toLowerCase(Locale.ROOT);
        int n = workers == null ? 2 : workers;
        switch (ex) {
          case "printer" -> b.service(CotyledonExamples.printer(n).toBuilder()
              .args(new dev.spindle.supervisor.examples.PrinterService.Args("Doing stuff", every.toMillis())).build());
          case "producer-consumer" -> {
            queue = JoinableQueue.create(Long.class, 0);
            for (ServiceConfig c : CotyledonExamples.producerConsumer(queue, n, every, maxJobsPerChild)) {
              b.service(c);
            }
            if (reload.isEmpty()) {
              reload.put("printer", 5);
            }
          }
          default -> throw new CommandLine.ParameterException(cl, "unknown example '" + example
              + "': use printer or producer-consumer, or --config FILE");
        }
      }
      if (!reload.isEmpty()) {
        b.onReload(hook(reload));
      }
      manager = b.build();
    } catch (IllegalArgumentException e) {
      closeQuietly(queue);
      throw new CommandLine.ParameterException(cl, e.getMessage());
    }
    try {
      manager.start();
    } catch (IllegalStateException | IllegalArgumentException e) {
      closeQuietly(queue);
      System.err.println("spindle services: " + e.getMessage());
      return Termination.START_FAILED;
    }
    MetricsServer metricsServer = null;
    if (metricsPort != null) {
      SpindleMetrics metrics = SpindleMetrics.builder().build();
      metrics.bindSupervisor(manager::status);
      try {
        metricsServer = MetricsServer.start(metrics, "127.0.0.1", metricsPort,
            System.getenv(MetricsServer.TOKEN_ENV));
      } catch (RuntimeException e) {
        manager.stopNow();
        closeQuietly(queue);
        throw new CommandLine.ParameterException(cl, "--metrics-port: " + e.getMessage());
      }
      System.err.println("spindle services: metrics at http://127.0.0.1:" + metricsServer.port() + "/metrics");
    }
    System.err.println("spindle services: master pid " + ProcessHandle.current().pid() + ", control socket "
        + manager.controlSocket().map(Path::toString).orElse("-") + "; ./spindle ctl status | scale SERVICE=N | "
        + "reload | stop; kill -HUP " + ProcessHandle.current().pid() + " reloads, Ctrl-C stops");
    Termination t = manager.run();
    if (metricsServer != null) {
      metricsServer.close();
    }
    closeQuietly(queue);
    System.err.println("spindle services: stopped (" + t.reason() + ")"
        + (t.forcedKills() > 0 ? "; " + t.forcedKills() + " worker(s) had to be killed" : ""));
    return t.exitCode();
  }

  private static ReloadHook hook(Map<String, Integer> scale) {
    return m -> {
      System.out.println("Reloading");
      for (Map.Entry<String, Integer> e : scale.entrySet()) {
        m.scale(e.getKey(), e.getValue());
      }
    };
  }

  private static void closeQuietly(@Nullable JoinableQueue<?> q) {
    if (q != null) {
      try {
        q.close();
      } catch (RuntimeException e) {
        // nothing to add
      }
    }
  }

  /** The services of an example, for tests. */
  static List<String> examples() {
    return List.of("printer", "producer-consumer");
  }
}
