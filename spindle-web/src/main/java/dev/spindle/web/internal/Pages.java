package dev.spindle.web.internal;

import static dev.spindle.web.internal.Html.esc;

import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.QueueSummary;
import dev.spindle.web.Credentials;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The server-rendered pages: every page works without JavaScript for reading; app.js adds live
 * updates (SSE) and the action buttons, which call the API with the session's CSRF token. Every
 * asset comes from the jar. Thread-safe.
 */
public final class Pages {
  /** The page paths (an extra route may not take them). */
  public static final Set<String> PATHS = Set.of("/", "/login", "/logout", "/queues", "/jobs", "/dead",
      "/workers", "/schedules", "/audit");
  private static final Map<String, String> TYPES = Map.of("css", "text/css; charset=utf-8",
      "js", "text/javascript; charset=utf-8", "svg", "image/svg+xml", "png", "image/png");

  private final QueueService service;
  private final LiveStats live;
  private final Auth auth;
  private final Map<String, byte[]> assets = new ConcurrentHashMap<>();

  /** Pages over the service. */
  public Pages(QueueService service, LiveStats live, Auth auth, RouteTable api) {
    this.service = service;
    this.live = live;
    this.auth = auth;
  }

  /** Adds the page routes. */
  public void register(RoutesConfig r) {
    r.get("/assets/{file}", this::asset);
    r.get("/login", this::loginForm);
    r.post("/login", this::login);
    r.post("/logout", ctx -> {
      auth.endSession(ctx);
      ctx.redirect("/login", HttpStatus.SEE_OTHER);
    });
    r.get("/", this::overview);
  }

  /** A small HTML error page. */
  public static String errorPage(int status, String title, String detail) {
    return Html.page(title, "", null, null, "<h1>" + status + " " + esc(title) + "</h1><p class=\"error\">"
        + esc(detail) + "</p><p><a href=\"/\">Back to the overview</a></p>");
  }

  private void asset(Context ctx) {
    String file = ctx.pathParam("file");
    int dot = file.lastIndexOf('.');
    String type = dot < 0 ? null : TYPES.get(file.substring(dot + 1));
    if (type == null || !file.matches("[a-z0-9-]+\\.[a-z]+")) {
      throw Problem.notFound("no asset " + file);
    }
    byte[] body = assets.computeIfAbsent(file, f -> {
      try (InputStream in = Pages.class.getResourceAsStream("/dev/spindle/web/assets/" + f)) {
        return in == null ? new byte[0] : in.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    if (body.length == 0) {
      throw Problem.notFound("no asset " + file);
    }
    ctx.header("Cache-Control", "public, max-age=300");
    ctx.contentType(type).result(body);
  }

  private void loginForm(Context ctx) {
    String next = safeNext(ctx.queryParam("next"));
    String error = ctx.attribute("login.error");
    html(ctx, Html.page("Log in", "", null, null, "<form class=\"login\" method=\"post\" action=\"/login\">"
        + "<h1>Spindle dashboard</h1>" + (error != null ? "<p class=\"error\" id=\"login-error\">" + esc(error)
        + "</p>" : "") + "<input type=\"hidden\" name=\"next\" value=\"" + esc(next) + "\">"
        + "<label>User <input name=\"user\" id=\"user\" autocomplete=\"username\" required></label>"
        + "<label>Password <input type=\"password\" name=\"password\" id=\"password\""
        + " autocomplete=\"current-password\" required></label>"
        + "<button type=\"submit\" id=\"login\">Log in</button></form>"));
  }

  private void login(Context ctx) {
    if (!Auth.sameOrigin(ctx)) {
      throw Problem.forbidden("cross-site login refused");
    }
    String user = ctx.formParam("user");
    String pw = ctx.formParam("password");
    var u = auth.login(user, pw == null ? new char[0] : pw.toCharArray(), ctx.ip());
    if (u.isEmpty()) {
      ctx.status(401);
      ctx.attribute("login.error", "Wrong user name or password.");
      loginForm(ctx);
      return;
    }
    auth.startSession(ctx, u.get());
    ctx.redirect(safeNext(ctx.formParam("next")), HttpStatus.SEE_OTHER);
  }

  static String safeNext(String next) {
    return next != null && next.startsWith("/") && !next.startsWith("//") && !next.contains("\\") ? next : "/";
  }

  static void html(Context ctx, String body) {
    ctx.contentType("text/html; charset=utf-8").result(body);
  }

  private String frame(Context ctx, String title, String active, String body) {
    Credentials.User u = Auth.user(ctx);
    String csrf = Auth.session(ctx).map(Auth.Session::csrf).orElse("");
    return Html.page(title, active, u.name() + " (" + u.role().name().toLowerCase() + ")", csrf, body);
  }

  private void overview(Context ctx) {
    LiveStats.Snapshot s = live.snapshot();
    StringBuilder b = new StringBuilder("<h1>Overview</h1><section class=\"cards\">");
    card(b, "waiting", "Waiting", s.total(JobState.QUEUED) + s.total(JobState.SCHEDULED));
    card(b, "running", "Running", s.total(JobState.RUNNING));
    card(b, "succeeded", "Succeeded", s.total(JobState.SUCCEEDED));
    card(b, "failed", "Failed", s.total(JobState.FAILED));
    card(b, "dead", "Dead", s.total(JobState.DEAD));
    b.append("<div class=\"card\"><span class=\"label\">Throughput</span><span class=\"value\" data-live=\"throughput\">")
        .append(String.format(java.util.Locale.ROOT, "%.1f", s.throughput())).append("</span> jobs/s</div>");
    b.append("<div class=\"card\"><span class=\"label\">Workers</span><span class=\"value\" data-live=\"workers\">")
        .append(s.aliveWorkers()).append("</span></div></section>");
    b.append("<h2>Queues</h2>").append(queueTable(s));
    b.append("<p class=\"muted\">Store: ").append(esc(s.store())).append(" · read ")
        .append(Html.time(s.at())).append("</p>");
    html(ctx, frame(ctx, "Overview", "Overview", b.toString()));
  }

  private static void card(StringBuilder b, String key, String label, long value) {
    b.append("<div class=\"card ").append(key).append("\"><span class=\"label\">").append(label)
        .append("</span><span class=\"value\" data-live=\"total-").append(key).append("\">").append(value)
        .append("</span></div>");
  }

  static String queueTable(LiveStats.Snapshot s) {
    StringBuilder b = new StringBuilder("<table class=\"queues\" id=\"queues\"><thead><tr><th>Queue</th>"
        + "<th>Waiting</th><th>Running</th><th>Succeeded</th><th>Failed</th><th>Dead</th><th>Limit</th>"
        + "<th>State</th></tr></thead><tbody>");
    for (QueueSummary q : s.queues()) {
      String n = esc(q.queue());
      b.append("<tr data-queue=\"").append(n).append("\"><td><a href=\"/jobs?queue=").append(Html.url(q.queue()))
          .append("\">").append(n).append("</a></td><td data-col=\"waiting\">").append(q.waiting())
          .append("</td><td data-col=\"running\">").append(q.count(JobState.RUNNING))
          .append("</td><td data-col=\"succeeded\">").append(q.count(JobState.SUCCEEDED))
          .append("</td><td data-col=\"failed\">").append(q.count(JobState.FAILED))
          .append("</td><td data-col=\"dead\">").append(q.count(JobState.DEAD))
          .append("</td><td>").append(q.limit() == 0 ? "-" : q.limit())
          .append("</td><td data-col=\"paused\">").append(s.paused().contains(q.queue()) ? "paused" : "active")
          .append("</td></tr>");
    }
    if (s.queues().isEmpty()) {
      b.append("<tr><td colspan=\"8\" class=\"muted\">No jobs yet.</td></tr>");
    }
    return b.append("</tbody></table>").toString();
  }
}
