package dev.spindle.cli.queue;

import dev.spindle.TaskRegistry;
import dev.spindle.metrics.SpindleMetrics;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.web.Credentials;
import dev.spindle.web.Dashboard;
import dev.spindle.web.Role;
import dev.spindle.web.RouteResponse;
import java.io.Console;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ./spindle dashboard}: the web dashboard and REST API over a store, until Ctrl-C. Secrets
 * never come from the command line: a users file ({@code --users-file} or
 * {@code $SPINDLE_DASHBOARD_USERS}), a token in {@code $SPINDLE_DASHBOARD_TOKEN}, or a random token
 * printed once with the URL.
 */
@Command(name = "dashboard", mixinStandardHelpOptions = true,
    description = {"Serves the web dashboard and the REST API (/api/v1) over a job store until Ctrl-C.",
        "Credentials: --users-file FILE (lines 'name viewer|operator hash'), $SPINDLE_DASHBOARD_USERS, or "
            + "$SPINDLE_DASHBOARD_TOKEN; with none, a random operator token is printed in the URL.",
        "Examples: ./spindle dashboard   ./spindle dashboard --store redis://127.0.0.1:6379/0 --port 9000",
        "          ./spindle dashboard --hash-password < pw.txt   ./spindle dashboard --new-token"})
public final class DashboardCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Mixin
  QueueSupport.StoreOption store = new QueueSupport.StoreOption();

  @Mixin
  QueueSupport.CatalogOption catalog = new QueueSupport.CatalogOption();

  @Option(names = "--port", paramLabel = "PORT", defaultValue = "8075", description = "port (default: ${DEFAULT-VALUE})")
  int port;

  @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
      description = "address to listen on (default: ${DEFAULT-VALUE}; another one, such as 0.0.0.0, serves plain"
          + " HTTP to the network and needs --insecure-http-on-network)")
  String bind;

  @Option(names = "--allowed-host", paramLabel = "NAME", description = "a host name the dashboard answers to"
      + " besides IP addresses, localhost and the --bind name, e.g. a reverse proxy's (repeatable); requests"
      + " naming another host get 421 (DNS rebinding)")
  List<String> allowedHosts = new ArrayList<>();

  @Option(names = "--insecure-http-on-network", description = "serve plain HTTP on a non-loopback --bind address"
      + " (passwords and tokens cross the network unencrypted; prefer a TLS reverse proxy)")
  boolean insecureHttpOnNetwork;

  @Option(names = "--users-file", paramLabel = "FILE", description = "users and hashed secrets")
  @Nullable Path usersFile;

  @Option(names = "--allow-any-task", description = "let the API enqueue any task name (default: only the catalogs')")
  boolean anyTask;

  @Option(names = "--hash-password", description = "read a password from the terminal or stdin, print its hash, exit")
  boolean hashPassword;

  @Option(names = "--new-token", description = "print a new random API token and its hash for a users file, exit")
  boolean newToken;

  @Mixin
  AlertOptions alerting = new AlertOptions();

  @Option(names = {"-v", "--verbose"}, description = "also print the store, the API's addresses and the web "
      + "server's start-up log (by default only the URL is printed, and warnings and errors)")
  boolean verbose;

  /** The loggers of the web server whose start-up lines only {@code --verbose} shows. */
  static final java.util.List<String> SERVER_LOGGERS = java.util.List.of("org.eclipse.jetty", "io.javalin");

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    if (hashPassword) {
      char[] pw = readPassword();
      if (pw.length < 8) {
        throw new CommandLine.ParameterException(spec.commandLine(), "a password needs at least 8 characters");
      }
      out.println(Credentials.hashPassword(pw));
      return 0;
    }
    if (newToken) {
      String t = Credentials.newToken();
      out.println("token " + t);
      out.println("hash  " + Credentials.hashToken(t));
      return 0;
    }
    Credentials creds;
    try {
      creds = usersFile != null ? Credentials.fromFile(usersFile)
          : Credentials.fromEnvironment(System.getenv()).orElse(null);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    TaskRegistry registry = anyTask ? TaskRegistry.empty() : catalog.registry();
    if (verbose) {
      // slf4j-simple reads a logger's level when it is created: before the server exists
      SERVER_LOGGERS.forEach(l -> System.setProperty("org.slf4j.simpleLogger.log." + l, "info"));
    }
    Network network = new Network(bind, allowedHosts, insecureHttpOnNetwork);
    dev.spindle.queue.health.StallRules rules = alerting.rules();
    dev.spindle.queue.health.WebhookAlerter alerter = alerting.alerter("spindle dashboard");
    try (StoreBackend s = store.open()) {
      serve(out, s, network, port, creds, registry, verbose, b -> {
        if (alerting.detect) {
          b.stallDetection(rules);
        }
        if (alerter != null) {
          b.alerts(alerter);
        }
      });
      return 0;
    } catch (dev.spindle.queue.StoreException e) {
      return QueueSupport.fail("dashboard", e);
    } catch (IllegalStateException e) {
      System.err.println("spindle dashboard: " + e.getMessage());
      return 1;
    } finally {
      if (alerter != null) {
        alerter.close();
      }
    }
  }

  private static char[] readPassword() throws IOException {
    Console c = System.console();
    if (c != null) {
      char[] pw = c.readPassword("password: ");
      return pw == null ? new char[0] : pw;
    }
    String line = new String(System.in.readAllBytes(), StandardCharsets.UTF_8).strip();
    return line.toCharArray();
  }

  /**
   * Where a dashboard listens and which host names it answers to.
   *
   * @param bind the address to listen on
   * @param allowedHosts host names served besides IP addresses, localhost and the bound name
   * @param insecureHttpOnNetwork whether plain HTTP on a non-loopback address was acknowledged
   */
  record Network(String bind, List<String> allowedHosts, boolean insecureHttpOnNetwork) {
    /** Loopback only, no further names. */
    static Network loopback() {
      return new Network("127.0.0.1", List.of(), false);
    }
  }

  /**
   * Runs a dashboard on {@code store} until the JVM is asked to stop (Ctrl-C), printing its URL.
   *
   * @param creds the credentials, or {@code null} for a random token printed once in the URL
   * @throws IllegalStateException if it cannot start, or would serve plain HTTP on the network unacknowledged
   */
  static void serve(PrintStream out, StoreBackend store, Network network, int port, @Nullable Credentials creds,
      TaskRegistry registry) throws InterruptedException {
    serve(out, store, network, port, creds, registry, true);
  }

  /**
   * As {@link #serve(PrintStream, StoreBackend, Network, int, Credentials, TaskRegistry)}; unless
   * {@code verbose}, prints only the URL to open (with the generated token if any), one line.
   */
  static void serve(PrintStream out, StoreBackend store, Network network, int port, @Nullable Credentials creds,
      TaskRegistry registry, boolean verbose) throws InterruptedException {
    serve(out, store, network, port, creds, registry, verbose, b -> { });
  }

  /**
   * As {@link #serve(PrintStream, StoreBackend, Network, int, Credentials, TaskRegistry, boolean)},
   * with {@code extra} applied to the dashboard's builder (stall detection, alerts).
   */
  static void serve(PrintStream out, StoreBackend store, Network network, int port, @Nullable Credentials creds,
      TaskRegistry registry, boolean verbose, java.util.function.Consumer<Dashboard.Builder> extra)
      throws InterruptedException {
    Dashboard.Builder b = Dashboard.builder(store).port(port).registry(registry);
    extra.accept(b);
    try {
      b.bind(network.bind()).allowedHosts(network.allowedHosts())
          .insecureHttpOnNetwork(network.insecureHttpOnNetwork());
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
    // Prometheus text of the store's queue gauges at /metrics, behind the dashboard's authentication
    SpindleMetrics metrics = SpindleMetrics.builder().build()
        .bindStore(store);
    b.route("/metrics", Role.VIEWER, () -> RouteResponse.ok(
        SpindleMetrics.contentType(), metrics.scrape()));
    if (creds != null) {
      b.credentials(creds);
    }
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch stopped = new CountDownLatch(1);
    try (Dashboard d = b.build().start()) {
      Thread hook = new Thread(() -> {
        stop.countDown();
        try {
          stopped.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "spindle-dashboard-stop");
      Runtime.getRuntime().addShutdownHook(hook);
      Optional<String> token = d.generatedToken();
      if (!verbose) {
        out.println(d.url() + "/" + token.map(t -> "?token=" + t).orElse(""));
        out.flush();
        stop.await();
        return;
      }
      out.println("Spindle dashboard on " + store.describe());
      if (token.isPresent()) {
        // Shown once, like Jupyter's: whoever started the server may open it.
        out.println("  open " + d.url() + "/?token=" + token.get());
        out.println("  API: curl -H 'Authorization: Bearer <the token above>' " + d.url() + "/api/v1/status");
      } else {
        out.println("  open " + d.url() + "/  (log in with a configured user)");
      }
      out.println("  OpenAPI: " + d.url() + "/api/v1/openapi.json   Ctrl-C stops it.");
      out.flush();
      stop.await();
    } finally {
      stopped.countDown();
    }
  }
}
