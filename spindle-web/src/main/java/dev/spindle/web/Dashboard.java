package dev.spindle.web;

import dev.spindle.TaskRegistry;
import dev.spindle.queue.IllegalJobTransitionException;
import dev.spindle.queue.JobNotFoundException;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.Redaction;
import dev.spindle.queue.StoreException;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.spi.MonotonicClock;
import dev.spindle.supervisor.RunDirectory;
import dev.spindle.web.internal.Alerting;
import dev.spindle.web.internal.ApiRoutes;
import dev.spindle.web.internal.AuditTrail;
import dev.spindle.web.internal.Auth;
import dev.spindle.web.internal.HostCheck;
import dev.spindle.web.internal.Json;
import dev.spindle.web.internal.LiveStats;
import dev.spindle.web.internal.MountedServlet;
import dev.spindle.web.internal.Pages;
import dev.spindle.web.internal.Problem;
import dev.spindle.web.internal.QueueService;
import dev.spindle.web.internal.RouteTable;
import dev.spindle.web.internal.Supervisors;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The web dashboard and REST API ({@code /api/v1}, described at {@code /api/v1/openapi.json}) over
 * one job store, on an embedded Jetty 12 server (Javalin). Every request needs credentials; the
 * server binds 127.0.0.1 unless told otherwise. Thread-safe; {@link #close()} stops it (the store
 * stays open).
 *
 * <p>Mounted in another application instead ({@link Builder#hostSecurity}), it runs no server of its
 * own: {@link #servlet()} is a servlet to register under a path mapping such as {@code /spindle/*},
 * and the host's authentication decides who may read and change (see {@link HostSecurity}). Every
 * link in the pages is relative to a {@code <base href>}, so it works under any path.
 *
 * <pre>{@code
 * try (Dashboard d = Dashboard.builder(store).port(8075).credentials(Credentials.fromFile(users))
 *     .build().start()) {
 *   System.out.println("dashboard at " + d.url());
 *   ...
 * }
 * }</pre>
 *
 * <table>
 *   <caption>Settings and defaults</caption>
 *   <tr><th>setting</th><th>default</th></tr>
 *   <tr><td>{@link Builder#bind}</td><td>{@code 127.0.0.1}; another address only with {@link
 *     Builder#insecureHttpOnNetwork}</td></tr>
 *   <tr><td>{@link Builder#allowedHosts}</td><td>none: IP addresses, {@code localhost} and the bound
 *     name only (421 for any other {@code Host})</td></tr>
 *   <tr><td>{@link Builder#port}</td><td>{@value #DEFAULT_PORT}; 0 picks a free port</td></tr>
 *   <tr><td>{@link Builder#credentials}</td><td>none: a random operator token is made
 *     ({@link #generatedToken()}), to be shown once like Jupyter's</td></tr>
 *   <tr><td>{@link Builder#registry}</td><td>empty: any task name may be enqueued</td></tr>
 *   <tr><td>{@link Builder#redaction}</td><td>the registry's {@link dev.spindle.Sensitive} fields masked;
 *     encrypted payloads shown as encrypted</td></tr>
 *   <tr><td>{@link Builder#tick}</td><td>1 s: how often live views read the store</td></tr>
 *   <tr><td>{@link Builder#clock}</td><td>{@link Clock#systemUTC()}; sessions on a {@link MonotonicClock}</td></tr>
 *   <tr><td>{@link Builder#sessionLifetime}</td><td>12 h after the login (and 12 h unused)</td></tr>
 *   <tr><td>{@link Builder#hostSecurity}</td><td>none: standalone, on its own server</td></tr>
 * </table>
 */
public final class Dashboard implements AutoCloseable {
  /** The default port. */
  public static final int DEFAULT_PORT = 8075;
  /** The API version in the OpenAPI document. */
  public static final String API_VERSION = "1.0.0";
  private static final Logger LOG = LoggerFactory.getLogger(Dashboard.class);
  private static final String CORRELATION_ID = "spindle.correlationId";

  private final Builder settings;
  private final JobQueue queue;
  private final QueueService service;
  private final LiveStats live;
  private final Auth auth;
  private final @Nullable String generatedToken;
  private final Javalin app;
  private final @Nullable HostSecurity host;
  private final @Nullable MountedServlet servlet;
  private final RouteTable routeTable;
  private final Alerting alerting;

  private Dashboard(Builder b) {
    if (b.hostSecurity == null) {
      requireSafeBind(b); // first: a refused dashboard starts no thread
    }
    this.settings = b;
    Clock clock = b.clock != null ? b.clock : Clock.systemUTC();
    this.queue = JobQueue.builder(b.store).registry(b.registry).clock(clock).name("spindle-web").build();
    AuditTrail audit = new AuditTrail(clock, b.store);
    this.service = new QueueService(queue, b.store, audit, new Supervisors(b.runDirectory),
        b.redaction != null ? b.redaction : Redaction.of(b.registry));
    this.live = new LiveStats(service, b.tick);
    this.alerting = new Alerting(b.store, b.stallRules, b.alerter, b.store::storeTime);
    this.host = b.hostSecurity;
    Credentials creds = b.credentials;
    String token = null;
    RouteTable[] table = new RouteTable[1];
    if (host == null && creds == null) {
      Credentials.Generated g = Credentials.generated();
      creds = g.credentials();
      token = g.token();
    }
    this.generatedToken = token;
    this.auth = new Auth(creds, sessionClock(b), host, b.sessionLifetime);
    // mounted, the host application's server decides which names it answers to
    HostCheck served = host == null ? new HostCheck(b.bind, b.allowedHosts) : null;
    this.app = Javalin.create(cfg -> {
      cfg.jetty.host = b.bind;
      cfg.jetty.port = b.port;
      cfg.http.maxRequestSize = b.maxBodyBytes;
      cfg.startup.showJavalinBanner = false;
      // Jetty caches a filter chain per request path (up to 1,024); paths are chosen by the caller, even
      // unauthenticated, and the chain (Javalin's one servlet, no filters) is cheap to build each time
      cfg.jetty.modifyServletContextHandler(h -> h.getServletHandler().setFilterChainsCached(false));
      if (served != null) {
        cfg.routes.before(served::check); // before authentication: a rebound name reaches not even the login
      }
      cfg.routes.before(auth::before);
      cfg.routes.after(ctx -> {
        int status = ctx.statusCode(); // a 4xx was refused before changing anything (a 5xx may have changed some)
        if (!HandlerType.GET.equals(ctx.method()) && !HandlerType.HEAD.equals(ctx.method())
            && (status < 400 || status >= 500)) {
          live.invalidate(); // the next status read sees this change
        }
      });
      RouteTable t = new RouteTable(cfg.routes);
      new ApiRoutes(service, live, alerting).register(t);
      t.route(HandlerType.GET, ApiRoutes.PREFIX + "/events", Role.VIEWER,
          "Server-Sent Events: 'stats' every tick (totals and at most " + LiveStats.MAX_EVENT_QUEUES + " changed queues,"
          + " with queueCount and queuesOmitted), 'jobs' listing the jobs finished since the last tick")
          .response(200, "text/event-stream").documentOnly();
      cfg.routes.sse(ApiRoutes.PREFIX + "/events", live::add);
      t.route(HandlerType.GET, ApiRoutes.PREFIX + "/openapi.json", Role.VIEWER, "This document")
          .handle(ctx -> ctx.contentType("application/json").result(t.openApi(API_VERSION).toString()));
      table[0] = t;
      new Pages(service, live, auth, t, alerting).register(cfg.routes);
      for (Extra e : b.extras) {
        cfg.routes.get(e.path, ctx -> {
          Auth.require(ctx, e.role);
          RouteResponse r = e.handler.get();
          ctx.status(r.status()).contentType(r.contentType()).result(r.body());
        });
      }
      errors(cfg.routes);
    });
    this.routeTable = Objects.requireNonNull(table[0], "routes"); // Javalin.create runs the config at once
    this.servlet = host == null ? null : new MountedServlet(app.unsafe);
  }

  private record Extra(String path, Role role, Supplier<RouteResponse> handler) {}

  /**
   * Refuses plain HTTP on a network address unless acknowledged ({@link
   * Builder#insecureHttpOnNetwork}); warns when it is.
   */
  private static void requireSafeBind(Builder b) {
    if (isLoopback(b.bind)) {
      return;
    }
    if (!b.insecureHttpOnNetwork) {
      throw new IllegalStateException("refusing to serve the dashboard over plain HTTP on " + b.bind + ", which is"
          + " not a loopback address: passwords, API tokens and session cookies would cross the network"
          + " unencrypted. Bind 127.0.0.1 behind a TLS-terminating reverse proxy (allowing its host name with"
          + " --allowed-host), or, on a network you trust, acknowledge it with --insecure-http-on-network"
          + " (Dashboard.Builder.insecureHttpOnNetwork(true))");
    }
    LOG.warn("the dashboard serves plain HTTP on {}, which is not a loopback address: passwords, API tokens and"
        + " session cookies cross the network unencrypted (acknowledged with insecure-http-on-network)", b.bind);
  }

  private static boolean isLoopback(String address) {
    try {
      return InetAddress.getByName(address).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false; // checked when it was set
    }
  }

  private void errors(io.javalin.config.RoutesConfig r) {
    r.exception(Problem.class, (e, ctx) -> problem(ctx, e.status(), e.title(), e.getMessage()));
    r.exception(JobNotFoundException.class, (e, ctx) -> problem(ctx, 404, "Not found", e.getMessage()));
    r.exception(IllegalJobTransitionException.class, (e, ctx) -> problem(ctx, 409, "Illegal transition",
        e.getMessage()));
    r.exception(dev.spindle.UnknownTaskException.class, (e, ctx) -> problem(ctx, 422, "Unknown task",
        e.getMessage()));
    r.exception(dev.spindle.PayloadException.class, (e, ctx) -> {
      boolean big = e.getMessage() != null && e.getMessage().contains("limit");
      problem(ctx, big ? 413 : 400, big ? "Payload too large" : "Bad payload", e.getMessage());
    });
    r.exception(IllegalArgumentException.class, (e, ctx) -> problem(ctx, 400, "Bad request", e.getMessage()));
    r.exception(UnsupportedOperationException.class, (e, ctx) -> problem(ctx, 501, "Not implemented",
        e.getMessage()));
    r.exception(StoreException.class, (e, ctx) -> {
      // the store's message may name files, hosts or SQL: it goes to the log, the caller gets a reference to it
      String id = correlationId();
      LOG.warn("dashboard request {} {} failed in the store [{}]", ctx.method(), ctx.path(), id, e);
      ctx.attribute(CORRELATION_ID, id);
      problem(ctx, e.isTransient() ? 503 : 500, "Store failure", "the job store failed"
          + (e.isTransient() ? " (it may work if retried)" : "") + "; reference " + id + " in the server log");
    });
    r.exception(HttpResponseException.class, (e, ctx) -> problem(ctx, e.getStatus(),
        e.getStatus() == 413 ? "Payload too large" : "HTTP " + e.getStatus(), e.getMessage()));
    r.exception(Exception.class, (e, ctx) -> {
      String id = correlationId();
      LOG.warn("dashboard request {} {} failed [{}]", ctx.method(), ctx.path(), id, e);
      ctx.attribute(CORRELATION_ID, id);
      problem(ctx, 500, "Internal error", "internal error: " + e.getClass().getSimpleName() + "; reference " + id
          + " in the server log");
    });
    r.error(404, ctx -> {
      if (ctx.result() == null || ctx.result().isEmpty()) {
        problem(ctx, 404, "Not found", "no such resource: " + ctx.method() + " " + ctx.path());
      }
    });
    r.error(405, ctx -> problem(ctx, 405, "Method not allowed", ctx.method() + " is not allowed on " + ctx.path()));
  }

  /** A random id tying an error answer to its log entry. */
  private static String correlationId() {
    return java.util.HexFormat.of().toHexDigits(java.util.concurrent.ThreadLocalRandom.current().nextLong());
  }

  static void problem(Context ctx, int status, String title, @Nullable String detail) {
    ObjectNode o = Json.object();
    o.put("type", "about:blank");
    o.put("title", title);
    o.put("status", status);
    o.put("detail", detail);
    o.put("instance", ctx.path());
    String id = ctx.attribute(CORRELATION_ID);
    if (id != null) {
      o.put("correlationId", id);
    }
    String path = Auth.path(ctx);
    if (status == 401) {
      ctx.header("WWW-Authenticate", "Bearer realm=\"spindle\"");
    }
    if (!path.startsWith("/api/") && (status == 404 || status == 403 || status == 409 || status == 400)) {
      ctx.status(status).contentType("text/html; charset=utf-8").result(Pages.errorPage(Auth.base(ctx), status, title,
          detail));
      return;
    }
    ctx.status(status).contentType("application/problem+json").result(o.toString());
  }

  /**
   * A builder over {@code store}: the dashboard changes jobs through its hot path (a {@code JobQueue})
   * and reads and repairs through its operators' side ({@code StoreAdmin}).
   */
  public static Builder builder(StoreBackend store) {
    return new Builder(store);
  }

  /**
   * Starts the server (only the live updates when {@linkplain Builder#hostSecurity mounted}).
   *
   * @throws IllegalStateException if the address is taken or cannot be bound
   * @return this
   */
  public Dashboard start() {
    if (host != null) {
      live.start();
      alerting.start();
      return this;
    }
    try {
      app.start();
    } catch (RuntimeException e) {
      throw new IllegalStateException("cannot start the dashboard on " + settings.bind + ":" + settings.port + ": "
          + e.getMessage(), e);
    }
    live.start();
    alerting.start();
    return this;
  }

  /**
   * The servlet to register in the host application, e.g. under {@code /spindle/*} (asynchronous
   * support on, for the live updates). Start the dashboard too, for the live updates.
   *
   * @throws IllegalStateException unless built with {@link Builder#hostSecurity}
   */
  public jakarta.servlet.http.HttpServlet servlet() {
    if (servlet == null) {
      throw new IllegalStateException("a standalone dashboard has its own server; build it with hostSecurity(..)"
          + " to mount it as a servlet");
    }
    return servlet;
  }

  /**
   * The port it listens on (the chosen one when started with port 0).
   *
   * @throws IllegalStateException when mounted (the host's server listens)
   */
  public int port() {
    if (host != null) {
      throw new IllegalStateException("a mounted dashboard has no port of its own");
    }
    return app.port();
  }

  /**
   * {@code http://host:port}.
   *
   * @throws IllegalStateException when mounted
   */
  public String url() {
    String host = settings.bind.contains(":") ? "[" + settings.bind + "]" : settings.bind;
    if (host.equals("0.0.0.0")) {
      host = "127.0.0.1";
    }
    return "http://" + host + ":" + port();
  }

  /**
   * The token made up when no credentials were given (show it once, e.g. as
   * {@code url() + "/?token=" + token}); empty when credentials were configured.
   */
  public java.util.Optional<String> generatedToken() {
    return java.util.Optional.ofNullable(generatedToken);
  }

  /** The API routes as {@code METHOD /path}, each described by the OpenAPI document. */
  public List<String> apiRoutes() {
    return routeTable.routes().stream().map(r -> r.method().name() + " " + r.path()).toList();
  }

  /** Store snapshot reads so far (live views share one per tick). */
  public long storeSnapshots() {
    return live.refreshes();
  }

  /** Browser sessions held in memory (for tests). */
  int sessions() {
    return auth.sessions();
  }

  /** Connected live (SSE) viewers. */
  public int liveViewers() {
    return live.viewers();
  }

  /** Stops the server and the live updates. The store stays open. Idempotent. */
  @Override
  public void close() {
    alerting.close();
    live.close();
    if (host == null) {
      app.stop();
    }
    queue.close();
  }

  /**
   * The clock sessions are timed on: the builder's if one was set (tests), else a
   * {@link MonotonicClock}, which a wall-clock step does not move.
   */
  static Clock sessionClock(Builder b) {
    return b.clock != null ? b.clock : new MonotonicClock();
  }

  /** Validates each setting as it is given. Not thread-safe. */
  public static final class Builder {
    private final StoreBackend store;
    private String bind = "127.0.0.1";
    private int port = DEFAULT_PORT;
    private @Nullable Credentials credentials;
    private TaskRegistry registry = TaskRegistry.empty();
    private @Nullable Redaction redaction;
    private Duration tick = Duration.ofSeconds(1);
    /** Null: the system clock, and sessions on a {@link MonotonicClock}. */
    private @Nullable Clock clock;
    private long maxBodyBytes = 2L * 1024 * 1024;
    private final List<Extra> extras = new ArrayList<>();
    private @Nullable Path runDirectory = RunDirectory.defaultPath();
    private @Nullable HostSecurity hostSecurity;
    private Duration sessionLifetime = Auth.SESSION_LIFETIME;
    private final Set<String> allowedHosts = new LinkedHashSet<>();
    private boolean insecureHttpOnNetwork;
    private dev.spindle.queue.health.@Nullable StallRules stallRules;
    private dev.spindle.queue.health.@Nullable WebhookAlerter alerter;

    private Builder(StoreBackend store) {
      this.store = Objects.requireNonNull(store, "store");
    }

    /**
     * The address to listen on.
     *
     * @throws IllegalArgumentException if it is not an IP address or resolvable name
     */
    public Builder bind(String address) {
      try {
        InetAddress.getByName(Objects.requireNonNull(address, "address"));
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException("cannot bind to '" + address + "': unknown host", e);
      }
      this.bind = address;
      return this;
    }

    /**
     * Host names the dashboard answers to besides IP addresses, {@code localhost} and the name it is
     * bound to (e.g. the name of a reverse proxy in front of it); a request naming another host in its
     * {@code Host} header gets 421, so a DNS-rebinding page cannot reach it. Adds to the earlier ones.
     *
     * @throws IllegalArgumentException if a name is not a host name (letters, digits, '-' and '.')
     */
    public Builder allowedHosts(java.util.Collection<String> names) {
      for (String n : Objects.requireNonNull(names, "names")) {
        String h = Objects.requireNonNull(n, "name").strip();
        if (!h.matches("[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*\\.?")) {
          throw new IllegalArgumentException("not a host name: '" + dev.spindle.spi.Echo.of(h) + "'");
        }
        allowedHosts.add(h);
      }
      return this;
    }

    /**
     * Acknowledges serving plain HTTP on a non-loopback {@linkplain #bind address}: without it,
     * {@link #build()} refuses such an address (passwords, tokens and session cookies would cross the
     * network unencrypted); with it, a warning is logged. Default false.
     */
    public Builder insecureHttpOnNetwork(boolean acknowledged) {
      this.insecureHttpOnNetwork = acknowledged;
      return this;
    }

    /**
     * The port; 0 picks a free one.
     *
     * @throws IllegalArgumentException outside 0-65535
     */
    public Builder port(int port) {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("port must be 0-65535: " + port);
      }
      this.port = port;
      return this;
    }

    /** Who may log in. */
    public Builder credentials(Credentials credentials) {
      this.credentials = Objects.requireNonNull(credentials, "credentials");
      return this;
    }

    /**
     * How jobs' arguments and results are shown in pages and the REST API: sensitive fields masked,
     * encrypted payloads shown as encrypted with their key id, never decrypted. Default:
     * {@link Redaction#of} the {@link #registry} (its tasks' {@link dev.spindle.Sensitive} fields).
     */
    public Builder redaction(Redaction redaction) {
      this.redaction = Objects.requireNonNull(redaction, "redaction");
      return this;
    }

    /** Tasks that may be enqueued (unknown names are refused with 422); empty allows any. */
    public Builder registry(TaskRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /**
     * How often live views read the store (one read per tick for all viewers).
     *
     * @throws IllegalArgumentException below 50 ms or above 1 minute
     */
    public Builder tick(Duration tick) {
      if (tick.toMillis() < 50 || tick.compareTo(Duration.ofMinutes(1)) > 0) {
        throw new IllegalArgumentException("tick must be 50 ms - 1 min: " + tick);
      }
      this.tick = tick;
      return this;
    }

    /**
     * The clock (enqueue times, audit, the times shown, and sessions' idle time and lifetime). The
     * login throttle and the live view's ticks are timed on the monotonic clock, which a step of the
     * wall clock does not move; so are sessions unless a clock is set here (by default a
     * {@link MonotonicClock}: a wall clock stepped forward an hour does not end every session).
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * How long a browser session lives after its login, however often it is used (it also ends after
     * 12 hours unused). Default 12 hours.
     *
     * @throws IllegalArgumentException unless between 1 minute and 30 days
     */
    public Builder sessionLifetime(Duration lifetime) {
      if (lifetime.compareTo(Duration.ofMinutes(1)) < 0 || lifetime.compareTo(Duration.ofDays(30)) > 0) {
        throw new IllegalArgumentException("sessionLifetime must be 1 min - 30 days: " + lifetime);
      }
      this.sessionLifetime = lifetime;
      return this;
    }

    /**
     * The largest request body; bigger ones get 413.
     *
     * @throws IllegalArgumentException if below 1 KiB
     */
    public Builder maxBodyBytes(long bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException("maxBodyBytes must be >= 1024: " + bytes);
      }
      this.maxBodyBytes = bytes;
      return this;
    }

    /**
     * Adds a GET route outside {@code /api/v1}, e.g. {@code /metrics}, behind the same
     * authentication.
     *
     * @throws IllegalArgumentException if the path does not start with '/' or is taken by the dashboard
     */
    public Builder route(String path, Role role, Supplier<RouteResponse> handler) {
      Objects.requireNonNull(path, "path");
      if (!path.matches("/[A-Za-z0-9._/-]*") || path.startsWith("/api/") || path.startsWith("/assets/")
          || Pages.PATHS.contains(path)) {
        throw new IllegalArgumentException("an extra route needs its own path outside /api, /assets and the pages: '"
            + path + "'");
      }
      extras.add(new Extra(path, Objects.requireNonNull(role, "role"), Objects.requireNonNull(handler, "handler")));
      return this;
    }

    /**
     * Where the supervisor masters of this host keep their control sockets (default {@link
     * RunDirectory#defaultPath()}, as {@code spindle supervise} and {@code spindle ctl} use): the
     * workers page lists their child processes. {@code null} shows none.
     */
    public Builder supervisorRunDirectory(@Nullable Path dir) {
      this.runDirectory = dir;
      return this;
    }

    /**
     * Mounts the dashboard in a host application instead of running its own server: {@link
     * #servlet()} serves it, and the host's authentication is used instead of {@link #credentials}
     * (bind and port are ignored).
     */
    public Builder hostSecurity(HostSecurity security) {
      this.hostSecurity = Objects.requireNonNull(security, "security");
      return this;
    }

    /**
     * Runs a stall detector in this dashboard, on a thread of its own every {@code rules.interval()}
     * on the store's clock, from {@link Dashboard#start()} to {@link Dashboard#close()}; its
     * incidents go to the {@link #alerts} webhooks. Workers may run detectors too: each incident is
     * still raised and alerted once. None by default (the incidents page then shows what workers'
     * detectors raised).
     */
    public Builder stallDetection(dev.spindle.queue.health.StallRules rules) {
      this.stallRules = Objects.requireNonNull(rules, "rules");
      return this;
    }

    /**
     * The webhooks this dashboard's detector alerts, and that the incidents page's test button (and
     * {@code POST /api/v1/alerts/test}) posts to. The caller closes it after the dashboard.
     */
    public Builder alerts(dev.spindle.queue.health.WebhookAlerter alerter) {
      this.alerter = Objects.requireNonNull(alerter, "alerter");
      return this;
    }

    /**
     * The dashboard, not yet started.
     *
     * @throws IllegalStateException if it would serve plain HTTP on a non-loopback address without
     *     {@link #insecureHttpOnNetwork}
     */
    public Dashboard build() {
      return new Dashboard(this);
    }
  }
}
