package dev.spindle.web.internal;

import static dev.spindle.web.internal.Html.esc;

import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.Incident;
import dev.spindle.queue.spi.QueueSummary;
import dev.spindle.web.Credentials;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The server-rendered pages: every page works without JavaScript for reading; app.js adds live
 * updates (SSE) and the action buttons, which call the API with the session's CSRF token. Every
 * asset comes from the jar. Thread-safe.
 */
public final class Pages {
  /** The page paths (an extra route may not take them). */
  public static final Set<String> PATHS = Set.of("/", "/login", "/logout", "/queues", "/jobs", "/dead",
      "/workers", "/schedules", "/audit", "/incidents");
  private static final Map<String, String> TYPES = Map.of("css", "text/css; charset=utf-8",
      "js", "text/javascript; charset=utf-8", "svg", "image/svg+xml", "png", "image/png");

  private final QueueService service;
  private final LiveStats live;
  private final Auth auth;
  private final Assets assets = Assets.fromJar();
  private final Alerting alerting;

  /** Pages over the service, without incidents' detection or webhooks. */
  public Pages(QueueService service, LiveStats live, Auth auth, RouteTable api) {
    this(service, live, auth, api, Alerting.none(service.admin()));
  }

  /** Pages over the service and {@code alerting}. */
  public Pages(QueueService service, LiveStats live, Auth auth, RouteTable api, Alerting alerting) {
    this.service = service;
    this.live = live;
    this.auth = auth;
    this.alerting = alerting;
  }

  /** Adds the page routes. */
  public void register(RoutesConfig r) {
    r.get("/assets/{file}", this::asset);
    if (!auth.hosted()) { // a host application has its own log-in and log-out
      r.get("/login", this::loginForm);
      r.post("/login", this::login);
      r.post("/logout", ctx -> {
        auth.endSession(ctx);
        ctx.redirect(ctx.contextPath() + "/login", HttpStatus.SEE_OTHER);
      });
    }
    r.get("/", this::overview);
    r.get("/queues", this::queues);
    r.get("/jobs", ctx -> jobs(ctx, "Jobs", null));
    r.get("/dead", ctx -> jobs(ctx, "Dead letters", "dead"));
    r.get("/jobs/{id}", this::job);
    r.get("/workflows/{id}", ctx -> {
      String id = ctx.pathParam("id");
      html(ctx, frame(ctx, "Workflow of job " + id, "Jobs", WorkflowView.toHtml(id, service.workflow(id),
          Auth.user(ctx).role() == dev.spindle.web.Role.OPERATOR)));
    });
    r.get("/workers", this::workers);
    r.get("/flow", ctx -> html(ctx, frame(ctx, "Flow limits", "Flow limits", FlowLimitsView.toHtml(
        service.flowLimits(FlowLimitsView.MAX_KEYS), service.admin().flowAdmin().isPresent()))));
    r.get("/schedules", this::schedules);
    r.get("/audit", this::audit);
    r.get("/incidents", this::incidents);
  }

  /** A small HTML error page. */
  public static String errorPage(String base, int status, String title, @Nullable String detail) {
    return Html.page(Html.Frame.anonymous(base), title, "", "<h1>" + status + " " + esc(title)
        + "</h1><p class=\"error\">" + esc(detail) + "</p><p><a href=\"./\">Back to the overview</a></p>");
  }

  private void asset(Context ctx) {
    String file = ctx.pathParam("file");
    int dot = file.lastIndexOf('.');
    String type = dot < 0 ? null : TYPES.get(file.substring(dot + 1));
    if (type == null || !file.matches("[a-z0-9-]+\\.[a-z]+")) {
      throw Problem.notFound("no asset " + file);
    }
    byte[] body = assets.get(file).orElseThrow(() -> Problem.notFound("no asset " + file));
    ctx.header("Cache-Control", "public, max-age=300");
    ctx.contentType(type).result(body);
  }

  private void loginForm(Context ctx) {
    String next = safeNext(ctx.queryParam("next"));
    String error = ctx.attribute("login.error");
    html(ctx, Html.page(Html.Frame.anonymous(Auth.base(ctx)), "Log in", "", "<form class=\"login\" method=\"post\" action=\"login\">"
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
    ctx.redirect(ctx.contextPath() + safeNext(ctx.formParam("next")), HttpStatus.SEE_OTHER);
  }

  /**
   * A path on this dashboard, else {@code /}: no {@code //} or backslash that would name another
   * host, and no space or control character (browsers drop tabs and line breaks from a Location, so
   * {@code /<tab>/evil.example} would become {@code //evil.example}).
   */
  static String safeNext(String next) {
    return next != null && next.startsWith("/") && !next.startsWith("//") && !next.contains("\\")
        && next.chars().noneMatch(c -> c <= ' ' || c == 0x7f) ? next : "/";
  }

  static void html(Context ctx, String body) {
    ctx.contentType("text/html; charset=utf-8").result(body);
  }

  private String frame(Context ctx, String title, String active, String body) {
    Credentials.User u = Auth.user(ctx);
    String csrf = Auth.session(ctx).map(Auth.Session::csrf).orElse("");
    return Html.page(new Html.Frame(Auth.base(ctx), u.name() + " (" + u.role().name().toLowerCase(java.util.Locale.ROOT)
        + ")", csrf, auth.csrfHeader(), auth.hostCsrf(ctx).orElse(null), !auth.hosted()), title, active, body);
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
    Overview o = s.overview();
    if (o != null) {
      b.append("<h2>Last hour</h2><section class=\"cards\" id=\"hour\">");
      small(b, "wait-p50", "Wait p50", Overview.millis(o.waitMillis(0.50)));
      small(b, "wait-p95", "Wait p95", Overview.millis(o.waitMillis(0.95)));
      small(b, "wait-p99", "Wait p99", Overview.millis(o.waitMillis(0.99)));
      small(b, "failures", "Failures", Long.toString(o.failures()));
      small(b, "retried", "Retried", Long.toString(o.sum(dev.spindle.queue.spi.MinuteStats::retried)));
      small(b, "oldest", "Oldest waiting", o.oldestWait().map(Html::human).orElse("-"));
      b.append("</section>").append(o.charts());
    }
    b.append("<h2>Queues</h2>").append(queueTable(s));
    b.append("<p class=\"muted\">Store: ").append(esc(s.store())).append(" · counts read ")
        .append(Html.time(s.countsAt())).append("</p>");
    html(ctx, frame(ctx, "Overview", "Overview", b.toString()));
  }

  private void queues(Context ctx) {
    LiveStats.Snapshot s = live.fresh();
    boolean op = Auth.user(ctx).role() == dev.spindle.web.Role.OPERATOR;
    StringBuilder b = new StringBuilder("<h1>Queues</h1><div class=\"wrap\"><table id=\"queue-table\" data-live=\"queues\"><thead><tr>"
        + "<th>Queue</th><th class=\"num\">Waiting</th><th class=\"num\">Running</th><th class=\"num\">Limit</th>"
        + "<th>State</th><th>Why is nothing running?</th>" + (op ? "<th></th>" : "") + "</tr></thead><tbody>");
    for (QueueSummary q : s.queues()) {
      boolean paused = s.paused().contains(q.queue());
      String n = esc(q.queue());
      b.append("<tr data-queue=\"").append(n).append("\"><td><a href=\"jobs?queue=").append(Html.url(q.queue()))
          .append("\">").append(n).append("</a></td><td class=\"num\" data-col=\"waiting\">").append(q.waiting())
          .append("</td><td class=\"num\" data-col=\"running\">").append(q.count(JobState.RUNNING))
          .append("</td><td class=\"num\">").append(q.limit() == 0 ? "-" : q.limit())
          .append("</td><td data-col=\"paused\">").append(paused ? "paused" : "active").append("</td><td>")
          .append(esc(why(s, q, paused))).append("</td>");
      if (op) {
        String api = "api/v1/queues/" + Html.url(q.queue()) + (paused ? "/resume" : "/pause");
        b.append("<td><button type=\"button\" class=\"secondary\" id=\"").append(paused ? "resume-" : "pause-")
            .append(n).append("\" data-api=\"").append(esc(api)).append("\" data-done=\"")
            .append(paused ? "Resumed." : "Paused.").append("\">").append(paused ? "Resume" : "Pause")
            .append("</button></td>");
      }
      b.append("</tr>");
    }
    if (s.queues().isEmpty()) {
      b.append("<tr><td colspan=\"7\" class=\"muted\">No queues yet.</td></tr>");
    }
    b.append("</tbody></table></div>");
    b.append(unroutableTable(service.unroutable()));
    b.append(duplicatesTable(service.duplicates()));
    html(ctx, frame(ctx, "Queues", "Queues", b.toString()));
  }

  /**
   * The waiting jobs no live worker of their queue knows the task of, as a table under a heading;
   * empty if there are none.
   */
  static String unroutableTable(java.util.List<dev.spindle.queue.spi.UnroutableTask> unroutable) {
    if (unroutable.isEmpty()) {
      return "";
    }
    StringBuilder b = new StringBuilder("<h2>Waiting for a worker that knows their task</h2><p class=\"note\">"
        + "Live workers consume these queues, but none of them registered these tasks: the jobs stay queued"
        + " until one does (finish the deploy, or check the task name).</p><div class=\"wrap\">"
        + "<table id=\"unroutable-table\"><thead><tr><th>Queue</th><th>Task</th><th class=\"num\">Waiting</th>"
        + "</tr></thead><tbody>");
    for (dev.spindle.queue.spi.UnroutableTask u : unroutable) {
      b.append("<tr><td><a href=\"jobs?queue=").append(Html.url(u.queue())).append("&amp;task=")
          .append(Html.url(u.task())).append("&amp;state=QUEUED\">").append(esc(u.queue())).append("</a></td><td>")
          .append(esc(u.task())).append("</td><td class=\"num\">").append(u.waiting()).append("</td></tr>");
    }
    return b.append("</tbody></table></div>").toString();
  }

  /**
   * Per task, the jobs whose body may have run twice at once (attempts ledger), as a table under a
   * heading; empty if there are none.
   */
  static String duplicatesTable(java.util.Map<String, Long> duplicates) {
    if (duplicates.isEmpty()) {
      return "";
    }
    StringBuilder b = new StringBuilder("<h2>Duplicate executions</h2><p class=\"note\">A worker lost its lease"
        + " while running these jobs (or the store refused its late writes): their body may have run twice at the"
        + " same time. Each job's page lists its attempts.</p><div class=\"wrap\"><table id=\"duplicates-table\">"
        + "<thead><tr><th>Task</th><th class=\"num\">Jobs</th></tr></thead><tbody>");
    duplicates.forEach((task, n) -> b.append("<tr><td><a href=\"jobs?task=").append(Html.url(task)).append("\">")
        .append(esc(task)).append("</a></td><td class=\"num\">").append(n).append("</td></tr>"));
    return b.append("</tbody></table></div>").toString();
  }

  /** Why a queue with waiting jobs runs none: paused, limit reached, or no live worker listens. */
  static String why(LiveStats.Snapshot s, QueueSummary q, boolean paused) {
    if (paused) {
      return "paused: no worker claims its jobs until it is resumed";
    }
    if (q.count(JobState.QUEUED) == 0) {
      return q.count(JobState.SCHEDULED) > 0 ? "its jobs wait for their run time" : "-";
    }
    if (q.limit() > 0 && q.count(JobState.RUNNING) >= q.limit()) {
      return "limit reached: " + q.count(JobState.RUNNING) + " of " + q.limit() + " running";
    }
    boolean listened = s.workers().stream().anyMatch(w -> w.isAlive(s.at()) && w.queues().contains(q.queue()));
    return listened ? "workers are busy or about to claim" : "no live worker listens to this queue";
  }

  private void jobs(Context ctx, String title, @Nullable String fixedState) {
    String state = fixedState != null ? fixedState : ctx.queryParam("state");
    String queue = ctx.queryParam("queue");
    String task = ctx.queryParam("task");
    int limit = ApiRoutes.intParam(ctx.queryParam("limit"), 50, 1, ApiRoutes.MAX_PAGE, "limit");
    dev.spindle.queue.spi.JobFilter f = ApiRoutes.filter(ctx::queryParam, state, limit);
    String before = ctx.queryParam("before");
    if (before != null && !before.isBlank()) {
      try {
        f = f.withBeforeId(before.trim());
      } catch (IllegalArgumentException e) {
        throw Problem.badRequest("before: " + e.getMessage());
      }
    }
    dev.spindle.queue.spi.JobPage page = service.inspector().page(f);
    java.util.List<dev.spindle.queue.JobInfo> list = page.jobs();
    boolean op = Auth.user(ctx).role() == dev.spindle.web.Role.OPERATOR;
    String path = fixedState != null ? "dead" : "jobs";
    StringBuilder b = new StringBuilder("<h1>").append(esc(title)).append("</h1>");
    b.append("<form class=\"filters\" method=\"get\" action=\"").append(path).append("\">");
    if (fixedState == null) {
      b.append("<label>State <select name=\"state\" id=\"filter-state\"><option value=\"\">any</option>");
      for (JobState st : JobState.values()) {
        String v = st.name().toLowerCase(java.util.Locale.ROOT);
        b.append("<option value=\"").append(v).append("\"").append(v.equalsIgnoreCase(state) ? " selected" : "")
            .append(">").append(v).append("</option>");
      }
      b.append("</select></label>");
    }
    b.append("<label>Queue <input name=\"queue\" id=\"filter-queue\" value=\"").append(esc(queue))
        .append("\"></label><label>Task <input name=\"task\" id=\"filter-task\" value=\"").append(esc(task))
        .append("\"></label><label>Text in arguments or error <input type=\"search\" name=\"q\" id=\"filter-q\""
            + " minlength=\"3\" maxlength=\"200\" value=\"").append(esc(ctx.queryParam("q"))).append("\"></label>");
    timeField(b, ctx, "createdAfter", "Created from (UTC)");
    timeField(b, ctx, "createdBefore", "Created before");
    timeField(b, ctx, "finishedAfter", "Finished from");
    timeField(b, ctx, "finishedBefore", "Finished before");
    b.append("<button type=\"submit\" id=\"filter-apply\">Search</button></form>");
    if (op && ApiRoutes.isUnfiltered(f)) {
      // an empty filter matches every job: the bulk actions need one (the API takes "all": true)
      b.append("<p class=\"note\" id=\"bulk-needs-filter\">Choose a state, queue, task, text or time to retry,"
          + " cancel or delete the matching jobs.</p>");
    } else if (op) {
      b.append("<div class=\"actions\">");
      String body = bulkBody(fixedState != null ? "dead" : state, ctx);
      boolean retryable = state == null || state.isBlank() || java.util.Set.of("failed", "dead", "cancelled")
          .contains(state.toLowerCase(java.util.Locale.ROOT));
      if (retryable) {
        b.append(bulkButton("retry-all", "Retry all matching", "api/v1/jobs/retry", body, "requeued", ""));
      }
      if (fixedState == null) {
        b.append(bulkButton("cancel-all", "Cancel all matching", "api/v1/jobs/cancel", body, "cancelled",
            "secondary"));
      }
      b.append(bulkButton("purge-all", "Delete all matching finished", "api/v1/jobs/purge", body, "purged",
          "danger"));
      b.append("</div>");
    }
    if (op && !list.isEmpty()) {
      String shown = QueueService.describe(f).strip();
      b.append("<div class=\"actions\" id=\"selected-actions\" data-filter=\"").append(esc(shown.isEmpty() ? "none"
          : shown)).append("\"><span class=\"muted\">Selected jobs:</span> <button type=\"button\" data-selected=\"retry\""
          + " id=\"retry-selected\">Retry</button> <button type=\"button\" class=\"secondary\" data-selected=\"cancel\""
          + " id=\"cancel-selected\">Cancel</button> <button type=\"button\" class=\"danger\" data-selected=\"delete\""
          + " id=\"delete-selected\">Delete</button></div>");
    }
    b.append("<div class=\"wrap\"><table class=\"hide-narrow\" id=\"job-table\"><thead><tr>")
        .append(op ? "<th><input type=\"checkbox\" id=\"select-all\" aria-label=\"select every job shown\"></th>" : "")
        .append("<th>ID</th><th>State</th>"
        + "<th>Task</th><th>Queue</th><th class=\"num\">Try</th><th>Created</th><th>Outcome</th>")
        .append(op && fixedState != null ? "<th></th>" : "").append("</tr></thead><tbody>");
    for (dev.spindle.queue.JobInfo j : list) {
      b.append("<tr data-job=\"").append(j.id()).append("\">");
      if (op) {
        b.append("<td><input type=\"checkbox\" class=\"select-job\" value=\"").append(j.id())
            .append("\" aria-label=\"select job ").append(j.id()).append("\"></td>");
      }
      b.append("<td><a href=\"jobs/").append(j.id()).append("\">")
          .append(j.id()).append("</a></td><td><span class=\"state ").append(j.state()).append("\">")
          .append(j.state()).append("</span></td><td>").append(esc(j.task())).append("</td><td>")
          .append(esc(j.queue())).append("</td><td class=\"num\">").append(j.attempt()).append("</td><td>")
          .append(Html.time(j.createdAt())).append("</td><td>").append(esc(cut(outcome(service.shown(j)), 80))).append("</td>");
      if (op && fixedState != null) {
        b.append("<td><button type=\"button\" id=\"retry-").append(j.id()).append("\" data-api=\"api/v1/jobs/")
            .append(j.id()).append("/retry\" data-done=\"Requeued.\" data-reload=\"no\">Retry</button></td>");
      }
      b.append("</tr>");
    }
    if (list.isEmpty()) {
      b.append("<tr><td colspan=\"8\" class=\"muted\">No jobs match.</td></tr>");
    }
    b.append("</tbody></table></div><div class=\"pager\">");
    StringBuilder base = new StringBuilder(path).append('?');
    if (fixedState == null && state != null && !state.isBlank()) {
      base.append("state=").append(Html.url(state)).append('&');
    }
    for (String k : ApiRoutes.FILTER_FIELDS) {
      String v = ctx.queryParam(k);
      if (v != null && !v.isBlank()) {
        base.append(k).append('=').append(Html.url(v)).append('&');
      }
    }
    if (before != null && !before.isBlank()) {
      b.append("<a href=\"").append(esc(base)).append("\" id=\"page-newest\">« Newest</a>");
    }
    if (page.nextBeforeId() != null) {
      b.append("<a href=\"").append(esc(base + "before=" + page.nextBeforeId())).append("\" id=\"page-older\">")
          .append(list.size() < limit ? "Search older jobs »" : "Older »").append("</a>");
    }
    b.append("</div>");
    if (page.scanned() >= 0 && list.size() < limit && page.nextBeforeId() != null) {
      b.append("<p class=\"note\" id=\"scan-note\">Searched the ").append(page.scanned()).append(" jobs newer than "
          + "job ").append(esc(page.nextBeforeId())).append(" (this store searches by walking jobs, a bounded number"
          + " per page); older ones may match too.</p>");
    }
    html(ctx, frame(ctx, title, title, b.toString()));
  }

  private static String bulkBody(String state, Context ctx) {
    tools.jackson.databind.node.ObjectNode o = Json.object();
    if (state != null && !state.isBlank()) {
      o.put("state", state);
    }
    for (String k : ApiRoutes.FILTER_FIELDS) {
      String v = ctx.queryParam(k);
      if (v != null && !v.isBlank()) {
        o.put(k, v);
      }
    }
    return o.toString();
  }

  private static void timeField(StringBuilder b, Context ctx, String name, String label) {
    String v = ctx.queryParam(name);
    b.append("<label>").append(esc(label)).append(" <input type=\"datetime-local\" step=\"1\" name=\"")
        .append(name).append("\" id=\"filter-").append(name).append("\" value=\"")
        .append(esc(v == null ? "" : v.replace("Z", ""))).append("\"></label>");
  }

  private static String bulkButton(String id, String label, String api, String body, String field, String cls) {
    return "<button type=\"button\" id=\"" + id + "\" class=\"" + cls + "\" data-api=\"" + api + "\" data-body=\""
        + esc(body) + "\" data-show=\"" + field + "\" data-done=\"" + esc(label) + ":\" data-confirm=\"" + esc(label)
        + "?\">" + esc(label) + "</button>";
  }

  static String outcome(dev.spindle.queue.JobInfo j) {
    String result = j.resultJson();
    if (j.state() == JobState.SUCCEEDED && result != null) {
      return result;
    }
    if (j.errorJson() != null) {
      String e;
      try {
        e = j.error().map(dev.spindle.queue.JobError::summary).orElse("");
      } catch (RuntimeException ex) {
        e = j.errorJson();
      }
      return (j.deadReason() != null ? "[" + j.deadReason() + "] " : "") + e;
    }
    if (j.state() == JobState.SCHEDULED) {
      return "runs at " + Html.time(j.runAt());
    }
    return j.cancelRequested() ? "(cancel requested)" : "";
  }

  static String cut(String s, int max) {
    if (s == null) {
      return "";
    }
    String one = s.replace('\n', ' ');
    return one.length() <= max ? one : one.substring(0, max - 1) + "…";
  }

  private void job(Context ctx) {
    String id = ctx.pathParam("id");
    dev.spindle.queue.JobInfo j;
    try {
      dev.spindle.queue.spi.JobFilter.parseId(id);
      j = service.find(id).orElse(null);
    } catch (IllegalArgumentException e) {
      j = null;
    }
    if (j == null) {
      throw Problem.notFound("no job " + id);
    }
    dev.spindle.queue.JobInfo stored = j;
    j = service.shown(j);
    java.time.Instant now = service.clock().instant();
    boolean op = Auth.user(ctx).role() == dev.spindle.web.Role.OPERATOR;
    StringBuilder b = new StringBuilder("<h1>Job ").append(esc(j.id())).append("</h1>");
    if (op) {
      b.append("<div class=\"actions\">");
      if (j.state() == JobState.FAILED || j.state() == JobState.DEAD || j.state() == JobState.CANCELLED) {
        b.append("<button type=\"button\" id=\"job-retry\" data-api=\"api/v1/jobs/").append(j.id())
            .append("/retry\" data-done=\"Requeued.\">Retry</button>");
      }
      if (!j.state().isTerminal()) {
        b.append("<button type=\"button\" id=\"job-cancel\" class=\"secondary\" data-api=\"api/v1/jobs/")
            .append(j.id()).append("/cancel\" data-done=\"Cancel sent.\">Cancel</button>");
      } else {
        b.append("<button type=\"button\" id=\"job-delete\" class=\"danger\" data-method=\"DELETE\""
            + " data-api=\"api/v1/jobs/").append(j.id()).append("\" data-confirm=\"Delete job ").append(j.id())
            .append("?\" data-done=\"Deleted.\" data-reload=\"no\">Delete</button>");
      }
      b.append("</div>");
    }
    b.append("<dl class=\"job\" data-job-id=\"").append(j.id()).append("\">");
    dt(b, "State", "<span class=\"state " + j.state() + "\" data-live=\"job-state\" id=\"job-state\">" + j.state()
        + "</span>" + (j.deadReason() != null ? " (" + esc(j.deadReason()) + ")" : "")
        + (j.cancelRequested() ? " (cancel requested)" : ""));
    dt(b, "Task", esc(j.task()));
    dt(b, "Queue", "<a href=\"jobs?queue=" + Html.url(j.queue()) + "\">" + esc(j.queue()) + "</a> · priority "
        + j.priority());
    dt(b, "Attempts", "<span data-live=\"job-attempt\">" + j.attempt() + "</span> started of "
        + j.policy().retry().maxAttempts() + " allowed · " + j.failures() + " failed · " + j.workerLost()
        + " lost with their worker (limit " + j.policy().maxWorkerLost() + ")");
    dt(b, "Worker", "<span data-live=\"job-worker\">" + (j.workerId() == null ? "-" : esc(j.workerId()))
        + "</span> · fencing token " + j.fence());
    dt(b, "Created", Html.time(j.createdAt()));
    dt(b, "Run at", Html.time(j.runAt()));
    dt(b, "Started", Html.time(j.startedAt()));
    dt(b, "Finished", Html.time(j.finishedAt()) + j.runtime(now).map(d -> " · ran " + Html.human(d)).orElse(""));
    dt(b, "Expires", Html.time(j.expiresAt()));
    if (j.uniqueKey() != null) {
      dt(b, "Unique key", esc(j.uniqueKey()));
    }
    dt(b, "Timeout", j.policy().timeout() == null ? "none" : Html.human(j.policy().timeout()));
    b.append("</dl><h2>Arguments</h2><pre id=\"job-args\">").append(esc(pretty(j.argsJson()))).append("</pre>");
    if (j.resultJson() != null) {
      b.append("<h2>Result</h2><pre id=\"job-result\">").append(esc(pretty(j.resultJson()))).append("</pre>");
    }
    if (j.errorJson() != null) {
      b.append("<h2>Error</h2><pre id=\"job-error\">");
      try {
        appendError(b, j.error().orElseThrow(), "");
      } catch (RuntimeException e) {
        b.append(esc(j.errorJson()));
      }
      b.append("</pre>");
    }
    service.attemptsView(stored).ifPresent(a -> b.append(AttemptsHtml.of(a)));
    dev.spindle.queue.JobProgress progress = service.progress(stored).orElse(null);
    if (progress != null && (!progress.isEmpty() || !j.state().isTerminal())) {
      appendProgress(b, progress);
    }
    dev.spindle.queue.DurableView durable = service.durableView(stored).orElse(null);
    if (durable != null) {
      appendSteps(b, durable);
    }
    if (op && !j.state().isTerminal() && durable != null) {
      appendSignalForm(b, j.id(), durable.waitingFor());
    }
    DependencyView deps = DependencyView.of(j.id(), service.inspector().dependencyEdges(j.id()), service::find);
    if (!deps.isEmpty()) {
      b.append(deps.toHtml()).append("<p><a id=\"workflow-link\" href=\"workflows/").append(esc(j.id()))
          .append("\">The whole workflow</a></p>");
    }
    html(ctx, frame(ctx, "Job " + j.id(), "Jobs", b.toString()));
  }

  /**
   * What the job reported: a progress bar with its message and the kept log lines; {@code app.js}
   * keeps both current while the page is live (it reads {@code /logs} for lines above the last shown).
   */
  private static void appendProgress(StringBuilder b, dev.spindle.queue.JobProgress p) {
    Double f = p.fraction();
    b.append("<h2>Progress</h2><div class=\"progress\" id=\"job-progress\"><progress id=\"job-progress-bar\" max=\"1\"");
    if (f != null) {
      b.append(" value=\"").append(f).append('"');
    }
    b.append("></progress> <span id=\"job-progress-pct\">").append(f == null ? "-" : Math.round(f * 100) + "%")
        .append("</span> <span id=\"job-progress-message\">").append(esc(p.message())).append("</span></div>");
    b.append("<h2>Log</h2><p class=\"muted\" id=\"job-log-count\">").append(p.linesTotal()).append(" line(s) logged")
        .append(p.linesTotal() > p.lines().size() ? ", the last " + p.lines().size() + " kept" : "")
        .append("</p><table class=\"log\" id=\"job-log\" data-last-seq=\"")
        .append(p.lines().isEmpty() ? 0 : p.lines().get(p.lines().size() - 1).seq())
        .append("\"><thead><tr><th>#</th><th>Time</th><th>Level</th><th>Message</th></tr></thead><tbody>");
    for (dev.spindle.queue.JobProgress.Line l : p.lines()) {
      b.append("<tr data-seq=\"").append(l.seq()).append("\" class=\"").append(l.level()).append("\"><td>")
          .append(l.seq()).append("</td><td>").append(Html.time(l.at())).append("</td><td>").append(l.level())
          .append("</td><td><code>").append(esc(l.message())).append("</code></td></tr>");
    }
    b.append("</tbody></table>");
  }

  /** A durable job's steps as a timeline (a bar per step for its run time), its wait and signals. */
  private static void appendSteps(StringBuilder b, dev.spindle.queue.DurableView d) {
    long longest = Math.max(1, d.steps().stream().mapToLong(dev.spindle.queue.DurableView.Step::tookMillis).max()
        .orElse(1));
    b.append("<h2>Steps</h2><table class=\"steps\" id=\"job-steps\"><thead><tr><th>#</th><th>Step</th>"
        + "<th>Kind</th><th>Attempt</th><th>Took</th><th>Recorded</th><th>Result</th></tr></thead><tbody>");
    int n = 0;
    for (dev.spindle.queue.DurableView.Step s : d.steps()) {
      String name = s.occurrence() == 0 ? s.name() : s.name() + " #" + (s.occurrence() + 1);
      b.append("<tr data-step=\"").append(esc(s.name() + "#" + s.occurrence())).append("\"><td>").append(++n)
          .append("</td><td>").append(esc(name)).append("</td><td>").append(s.kind()).append("</td><td>")
          .append(s.attempt()).append("</td><td><meter min=\"0\" max=\"").append(longest).append("\" value=\"")
          .append(s.tookMillis()).append("\"></meter> ").append(Html.human(java.time.Duration.ofMillis(
              s.tookMillis()))).append("</td><td>").append(Html.time(s.recordedAt())).append("</td><td><code>")
          .append(esc(s.resultJson() == null ? "null" : s.resultJson())).append("</code></td></tr>");
    }
    b.append("</tbody></table>");
    dev.spindle.queue.DurableView.Wait w = d.waitingFor();
    if (w != null) {
      b.append("<p id=\"job-wait\">Waits for ").append(w.signal() == null ? "its timer"
          : w.kind().equals("JOB") ? "job <a href=\"jobs/" + esc(w.signal()) + "\">" + esc(w.signal()) + "</a> to end"
          : "signal <b>" + esc(w.signal()) + "</b>").append(" until ").append(Html.time(w.until())).append("</p>");
    }
    if (!d.signals().isEmpty()) {
      b.append("<p id=\"job-signals\">Signals kept: ");
      d.signals().forEach((k, v) -> b.append(esc(k)).append(" \u00d7").append(v).append(' '));
      b.append("</p>");
    }
  }

  /** An operator's form to send a signal, named after the one the job waits for if any. */
  private static void appendSignalForm(StringBuilder b, String id, dev.spindle.queue.DurableView.@Nullable Wait w) {
    String name = w == null || w.signal() == null || w.kind().equals("JOB") ? "" : w.signal();
    b.append("<form id=\"signal-form\" class=\"actions\" data-api-base=\"api/v1/jobs/").append(esc(id))
        .append("/signals/\"><label>Signal <input id=\"signal-name\" name=\"name\" required maxlength=\"")
        .append(dev.spindle.queue.DurableRules.MAX_NAME_LENGTH).append("\" value=\"").append(esc(name))
        .append("\"></label> <label>Payload (JSON) <input id=\"signal-payload\" name=\"payload\" value=\"null\">"
            + "</label> <button type=\"submit\" id=\"signal-send\">Send signal</button></form>");
  }

  private static void appendError(StringBuilder b, dev.spindle.queue.JobError e, String prefix) {
    b.append(esc(prefix + e.summary())).append('\n');
    for (String f : e.stack()) {
      String[] p = f.split("\\|", -1);
      b.append("    at ").append(esc(p.length == 4 ? p[0] + "." + p[1] + "(" + p[2] + ":" + p[3] + ")" : f))
          .append('\n');
    }
    if (e.cause() != null) {
      appendError(b, e.cause(), "Caused by: ");
    }
  }

  private static String pretty(String json) {
    try {
      return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(Json.MAPPER.readTree(json));
    } catch (RuntimeException e) {
      return json;
    }
  }

  private static void dt(StringBuilder b, String term, String html) {
    b.append("<dt>").append(term).append("</dt><dd>").append(html).append("</dd>");
  }

  private void workers(Context ctx) {
    java.time.Instant now = service.clock().instant();
    StringBuilder b = new StringBuilder("<h1>Workers</h1><div class=\"wrap\"><table class=\"hide-narrow\" id=\"worker-table\">"
        + "<thead><tr><th>Name</th><th>Host / pid</th><th>Queues</th><th>Slots</th><th>Running</th>"
        + "<th>Processed</th><th>Failed</th><th>Rate</th><th>Up</th><th>Heartbeat</th></tr></thead><tbody>");
    java.util.List<dev.spindle.queue.spi.WorkerRecord> ws = service.inspector().workers();
    for (dev.spindle.queue.spi.WorkerRecord w : ws) {
      b.append("<tr><td title=\"").append(esc(w.id())).append("\">").append(esc(w.name()))
          .append(w.isAlive(now) ? "" : " <span class=\"error\">(lease expired)</span>").append("</td><td>")
          .append(esc(w.host())).append(" / ").append(w.pid()).append("</td><td>").append(esc(String.join(", ",
          w.queues()))).append("</td><td>").append(w.concurrency()).append(" (").append(esc(w.model()))
          .append(")</td><td>").append(w.running()).append("</td><td>").append(w.processed()).append("</td><td>")
          .append(w.failed()).append("</td><td>").append(String.format(java.util.Locale.ROOT, "%.1f/s",
          w.ratePerSecond())).append("</td><td>").append(Html.human(java.time.Duration.between(w.startedAt(), now)))
          .append("</td><td>").append(Html.human(java.time.Duration.between(w.heartbeatAt(), now))).append(" ago</td></tr>");
    }
    if (ws.isEmpty()) {
      b.append("<tr><td colspan=\"10\" class=\"muted\">No worker is registered. Start one with ./spindle worker."
          + "</td></tr>");
    }
    b.append("</tbody></table></div>");
    b.append(Supervisors.html(service.supervisors().runDirectory(), service.supervisors().read()));
    html(ctx, frame(ctx, "Workers", "Workers", b.toString()));
  }

  private void schedules(Context ctx) {
    boolean op = Auth.user(ctx).role() == dev.spindle.web.Role.OPERATOR;
    StringBuilder b = new StringBuilder("<h1>Schedules</h1><div class=\"wrap\"><table id=\"schedule-table\"><thead>"
        + "<tr><th>Name</th><th>Task</th><th>Trigger</th><th>Queue</th><th>Next fire times</th><th>Last</th>")
        .append(op ? "<th></th>" : "").append("</tr></thead><tbody>");
    java.util.List<dev.spindle.queue.ScheduleInfo> list = service.queue().schedules();
    java.util.Set<String> paused = service.pausedSchedules();
    for (dev.spindle.queue.ScheduleInfo s : list) {
      boolean p = paused.contains(s.schedule().name());
      tools.jackson.databind.node.ObjectNode o = ScheduleRoutes.schedule(s, 3);
      String n = esc(s.schedule().name());
      b.append("<tr data-schedule=\"").append(n).append("\"><td>").append(n).append(p ? " <span class=\"state"
          + " CANCELLED\" id=\"paused-" + n + "\">paused</span>" : "").append("</td><td>").append(esc(s.schedule().task()))
          .append("</td><td>").append(esc(s.schedule().describeTrigger())).append("</td><td>").append(esc(s.schedule().jobOptions()
          .queue())).append("</td><td>");
      o.get("nextFireTimes").forEach(t -> b.append(esc(t.asString().replace('T', ' '))).append("<br>"));
      b.append("</td><td>").append(Html.time(s.lastFireAt())).append("</td>");
      if (op) {
        String api = "api/v1/schedules/" + Html.url(s.schedule().name());
        b.append("<td><button type=\"button\" data-api=\"").append(esc(api)).append("/run\" data-done=\"Enqueued.\""
            + " data-reload=\"no\">Run now</button> <button type=\"button\" class=\"secondary\" id=\"")
            .append(p ? "resume-schedule-" : "pause-schedule-").append(n).append("\" data-api=\"").append(esc(api))
            .append(p ? "/resume\" data-done=\"Resumed.\">Resume" : "/pause\" data-done=\"Paused.\">Pause")
            .append("</button> <button type=\"button\" class=\"danger\" data-method=\"DELETE\""
            + " data-api=\"").append(esc(api)).append("\" data-confirm=\"Remove schedule ").append(n)
            .append("?\" data-done=\"Removed.\">Remove</button></td>");
      }
      b.append("</tr>");
    }
    if (list.isEmpty()) {
      b.append("<tr><td colspan=\"7\" class=\"muted\">No schedules.</td></tr>");
    }
    b.append("</tbody></table></div>");
    html(ctx, frame(ctx, "Schedules", "Schedules", b.toString()));
  }

  private void audit(Context ctx) {
    StringBuilder b = new StringBuilder("<h1>Audit log</h1><p class=\"muted\">").append(service.audit().durable()
        ? "Kept in the store." : "Kept in memory (this store has no audit log).")
        .append("</p><div class=\"wrap\"><table id=\"audit-table\"><thead><tr><th>When</th><th>User</th>"
        + "<th>Action</th><th>Target</th><th>Outcome</th></tr></thead><tbody>");
    for (AuditTrail.Entry e : service.audit().recent(200)) {
      b.append("<tr><td>").append(Html.time(e.at())).append("</td><td>").append(esc(e.user())).append("</td><td>")
          .append(esc(e.action())).append("</td><td>").append(esc(e.target())).append("</td><td>")
          .append(esc(e.detail())).append("</td></tr>");
    }
    b.append("</tbody></table></div>");
    html(ctx, frame(ctx, "Audit", "Audit", b.toString()));
  }

  private void incidents(Context ctx) {
    StringBuilder b = new StringBuilder("<h1>Incidents</h1>");
    var log = alerting.log();
    if (log.isEmpty()) {
      b.append("<p class=\"muted\">This store keeps no incidents.</p>");
      html(ctx, frame(ctx, "Incidents", "Incidents", b.toString()));
      return;
    }
    b.append("<p class=\"muted\">").append(alerting.detecting() ? "This dashboard watches the store for stalls."
        : "Raised by the stall detectors of workers (this dashboard runs none).");
    if (alerting.alerter().isPresent()) {
      b.append(" Alerts go to ").append(alerting.alerter().get().webhooks().size()).append(" webhook(s). ")
          .append("<button type=\"button\" id=\"alert-test\" data-api=\"api/v1/alerts/test\" data-done=\"Test alert:\"")
          .append(" data-show=\"summary\" data-reload=\"no\">Send a test alert</button>");
    } else {
      b.append(" No webhooks are configured.");
    }
    b.append("</p><div class=\"wrap\"><table id=\"incidents-table\"><thead><tr><th>#</th><th>State</th>"
        + "<th>Kind</th><th>Queue</th><th>Subject</th><th>Since</th><th>Opened</th><th>Resolved</th>"
        + "<th>Details</th></tr></thead><tbody>");
    for (Incident i : log.get().incidents(false, 200)) {
      b.append("<tr data-incident=\"").append(i.id()).append("\"><td>").append(i.id()).append("</td><td class=\"state ")
          .append(i.isOpen() ? "DEAD\">open" : "SUCCEEDED\">resolved").append("</td><td>").append(esc(i.kind()))
          .append("</td><td>").append(esc(i.queue())).append("</td><td>").append(esc(i.subject())).append("</td><td>")
          .append(Html.time(i.since())).append("</td><td>").append(Html.time(i.openedAt())).append("</td><td>")
          .append(Html.time(i.resolvedAt())).append("</td><td>").append(esc(i.details())).append("</td></tr>");
    }
    b.append("</tbody></table></div>");
    html(ctx, frame(ctx, "Incidents", "Incidents", b.toString()));
  }

  private static void small(StringBuilder b, String key, String label, String value) {
    b.append("<div class=\"card ").append(key).append("\"><span class=\"label\">").append(label)
        .append("</span><span class=\"value small\" data-live=\"").append(key).append("\">").append(esc(value))
        .append("</span></div>");
  }

  private static void card(StringBuilder b, String key, String label, long value) {
    b.append("<div class=\"card ").append(key).append("\"><span class=\"label\">").append(label)
        .append("</span><span class=\"value\" data-live=\"total-").append(key).append("\">").append(value)
        .append("</span></div>");
  }

  static String queueTable(LiveStats.Snapshot s) {
    StringBuilder b = new StringBuilder("<div class=\"wrap\"><table class=\"queues hide-narrow\" id=\"queues\"><thead><tr><th>Queue</th>"
        + "<th>Waiting</th><th>Running</th><th>Succeeded</th><th>Failed</th><th>Dead</th><th>Limit</th>"
        + "<th>State</th></tr></thead><tbody>");
    for (QueueSummary q : s.queues()) {
      String n = esc(q.queue());
      b.append("<tr data-queue=\"").append(n).append("\"><td><a href=\"jobs?queue=").append(Html.url(q.queue()))
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
    return b.append("</tbody></table></div>").toString();
  }
}
