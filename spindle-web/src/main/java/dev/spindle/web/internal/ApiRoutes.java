package dev.spindle.web.internal;

import dev.spindle.queue.DurableView;
import dev.spindle.queue.JobHandle;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobNotFoundException;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobRequest;
import dev.spindle.queue.JobState;


import dev.spindle.queue.spi.CancelResult;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.queue.spi.JobPage;
import dev.spindle.queue.spi.JobStatistics;
import dev.spindle.queue.spi.SignalResult;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.spi.Durations;
import dev.spindle.web.Credentials;
import dev.spindle.web.Role;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;

import java.time.format.DateTimeParseException;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The {@code /api/v1} routes. Stateless; thread-safe. */
public final class ApiRoutes {
  /** The API prefix. */
  public static final String PREFIX = "/api/v1";
  /** Most jobs one list page returns. */
  public static final int MAX_PAGE = 500;
  /** Most jobs one bulk request changes. */
  public static final int MAX_BULK = 100_000;
  /** The filter fields of list and bulk requests besides state and paging. */
  static final List<String> FILTER_FIELDS = List.of("queue", "task", "q", "createdAfter", "createdBefore",
      "finishedAfter", "finishedBefore");
  private static final String FILTER_NAMES = "state, queue, task, q, createdAfter, createdBefore, finishedAfter,"
      + " finishedBefore";
  /** The most jobs one action on selected jobs takes. */
  static final int MAX_SELECTED = 500;
  private static final String BULK_BODY = "{state: [..], queue, task, q, createdAfter, createdBefore, finishedAfter,"
      + " finishedBefore, max, all}: at least one filter field, or \"all\": true to match every job";
  private static final String EMPTY_FILTER = "a bad filter, or no filter without \"all\": true";

  private final QueueService service;
  private final LiveStats live;
  private final ScheduleRoutes schedules;
  private final IncidentRoutes incidents;
  private final QueueRoutes queues;

  /** Routes over {@code service}, without incidents' detection or webhooks. */
  public ApiRoutes(QueueService service, LiveStats live) {
    this(service, live, Alerting.none(service.admin()));
  }

  /** Routes over {@code service} and {@code alerting}. */
  public ApiRoutes(QueueService service, LiveStats live, Alerting alerting) {
    this.service = service;
    this.live = live;
    this.schedules = new ScheduleRoutes(service);
    this.incidents = new IncidentRoutes(service, alerting);
    this.queues = new QueueRoutes(service, live);
  }

  /** Adds every route to the table. */
  public void register(RouteTable t) {
    t.route(HandlerType.GET, PREFIX + "/status", Role.VIEWER, "Queues, workers and throughput (cached per tick)")
        .handle(this::status);
    t.route(HandlerType.GET, PREFIX + "/jobs", Role.VIEWER, "Jobs, newest first, with filters and cursor paging")
        .query("state", "comma-separated states").query("queue", "queue name").query("task", "task name")
        .query("q", "text in the arguments or the last error (3-200 characters, ASCII case ignored)")
        .query("createdAfter", "enqueued at or after (ISO-8601 instant, or yyyy-MM-ddTHH:mm in UTC)")
        .query("createdBefore", "enqueued before").query("finishedAfter", "finished at or after")
        .query("finishedBefore", "finished before")
        .query("before", "cursor: only jobs with a smaller id (from 'next')")
        .query("limit", "page size, 1-" + MAX_PAGE + " (default 50)")
        .response(200, "a page of jobs and the next page's link").handle(this::listJobs);
    t.route(HandlerType.POST, PREFIX + "/jobs", Role.OPERATOR, "Enqueue a job (Idempotency-Key header honoured: the same key and request return the first job)")
        .body("{task, args, queue, priority, delay (ISO-8601 or 10s/5m/1h), uniqueKey}")
        .response(202, "accepted; Location names the job").response(400, "bad JSON or options")
        .response(413, "payload too large")
        .response(422, "unknown task, or an Idempotency-Key first sent with another task, args, queue or priority").handle(this::enqueue);
    t.route(HandlerType.GET, PREFIX + "/jobs/{id}", Role.VIEWER, "One job (ETag; If-None-Match answers 304)")
        .response(200, "the job").response(304, "unchanged").response(404, "no such job").handle(this::getJob);
    t.route(HandlerType.GET, PREFIX + "/jobs/{id}/result", Role.VIEWER,
        "The job's outcome: 200 once terminal, else 202 with Retry-After")
        .response(200, "terminal: result or error").response(202, "not finished yet").handle(this::result);
    t.route(HandlerType.GET, PREFIX + "/jobs/{id}/dependencies", Role.VIEWER,
        "The job's workflow neighbours: the jobs it waits for and the jobs waiting for it")
        .response(200, "dependsOn and dependents, each with id, task, state, policy, input")
        .response(404, "no such job").handle(this::dependencies);
    t.route(HandlerType.GET, PREFIX + "/workflows/{id}", Role.VIEWER,
        "The whole workflow of a job (any of its jobs): every job (id, task, state, attempt, layer) and edge")
        .response(200, "jobs, edges and whether the walk stopped at its limit").response(404, "no such job")
        .handle(ctx -> json(ctx, 200, WorkflowView.toJson(ctx.pathParam("id"), service.workflow(ctx.pathParam("id")))));
    t.route(HandlerType.POST, PREFIX + "/workflows/{id}/resume", Role.OPERATOR,
        "Resume a failed workflow: retry a FAILED or DEAD node (optionally with new arguments) and re-arm the"
        + " dependents its failure cancelled, atomically; dryRun previews the moves")
        .body("{node (default: the job, or the workflow's only failed node), args (JSON, checked against the task's"
            + " input type), dryRun}")
        .response(200, "the moves: each job with its state before and after").response(400, "bad node or arguments")
        .response(404, "no such job").response(409, "the node is not FAILED or DEAD, or cannot run yet")
        .response(501, "the store cannot resume workflows").handle(this::resumeWorkflow);
    t.route(HandlerType.GET, PREFIX + "/jobs/{id}/steps", Role.VIEWER,
        "A durable job's record: its steps (name, attempt, duration, result), the signals kept for it and what it"
        + " waits for").response(200, "steps, signals and waitingFor (empty for a job that recorded nothing)")
        .response(404, "no such job").handle(this::steps);
    t.route(HandlerType.GET, PREFIX + "/jobs/{id}/attempts", Role.VIEWER,
        "The job's attempts ledger: each attempt (number, worker, host, fence, start, end, outcome, its own error)"
        + " and the writes its fence refused").response(200, "keep, duplicate, attempts and refused, oldest first")
        .response(404, "no such job").response(501, "the store keeps no attempts ledger").handle(this::attempts);
    t.route(HandlerType.GET, PREFIX + "/duplicates", Role.VIEWER,
        "Per task, the jobs in the store whose body may have run twice at once (a lost lease, a refused write)")
        .response(200, "{task: jobs}; empty if none or the store keeps no attempts ledger")
        .handle(ctx -> json(ctx, 200, Json.MAPPER.valueToTree(new java.util.TreeMap<>(service.duplicates()))));
    t.route(HandlerType.GET, PREFIX + "/jobs/{id}/logs", Role.VIEWER,
        "What the job reported while it ran: its latest progress and its kept log lines numbered above `after`"
        + " (0 by default), masked whole for a job with encrypted or sensitive payloads")
        .response(200, "fraction, message, updatedAt, linesTotal and lines (seq, at, level, message)")
        .response(400, "after is not a number >= 0").response(404, "no such job")
        .response(501, "the store keeps no progress reports").handle(this::logs);
    t.route(HandlerType.POST, PREFIX + "/jobs/{id}/signals/{name}", Role.OPERATOR,
        "Send a signal to a durable job: one waiting for it is queued again; one not waiting yet keeps it")
        .body("the signal's payload as JSON (empty body: null)")
        .response(200, "outcome STORED or WOKE").response(400, "bad name or payload")
        .response(404, "no such job").response(409, "the job has finished or holds too many signals")
        .response(501, "the store has no durable execution").handle(this::signal);
    t.route(HandlerType.POST, PREFIX + "/jobs/{id}/retry", Role.OPERATOR, "Requeue a FAILED, DEAD or CANCELLED job")
        .response(200, "the requeued job").response(404, "no such job").response(409, "not in a retryable state")
        .handle(this::retry);
    t.route(HandlerType.POST, PREFIX + "/jobs/{id}/cancel", Role.OPERATOR,
        "Cancel a job (a running one is stopped by its worker)")
        .response(200, "the outcome").response(404, "no such job").handle(this::cancel);
    t.route(HandlerType.DELETE, PREFIX + "/jobs/{id}", Role.OPERATOR, "Delete a finished job")
        .response(204, "deleted").response(404, "no such job").response(409, "not finished")
        .handle(ctx -> {
          service.delete(Auth.user(ctx), ctx.pathParam("id"));
          ctx.status(204);
        });
    t.route(HandlerType.POST, PREFIX + "/jobs/retry", Role.OPERATOR, "Requeue every matching FAILED/DEAD/CANCELLED job")
        .body(BULK_BODY).response(200, "how many").response(400, EMPTY_FILTER).handle(ctx -> bulk(ctx, "retry"));
    t.route(HandlerType.POST, PREFIX + "/jobs/cancel", Role.OPERATOR, "Cancel every matching waiting or running job")
        .body(BULK_BODY).response(200, "how many").response(400, EMPTY_FILTER).handle(ctx -> bulk(ctx, "cancel"));
    t.route(HandlerType.POST, PREFIX + "/jobs/purge", Role.OPERATOR, "Delete every matching finished job")
        .body(BULK_BODY).response(200, "how many").response(400, EMPTY_FILTER)
        .handle(ctx -> bulk(ctx, "purge"));
    t.route(HandlerType.POST, PREFIX + "/jobs/selected", Role.OPERATOR,
        "Retry, cancel or delete the jobs selected by id (each as the single-job action), audited as one entry")
        .body("{action: retry|cancel|delete, ids: [..] (1-" + MAX_SELECTED + "), filter: the list's filter, for the"
            + " audit}")
        .response(200, "done, and skipped: id -> why").response(400, "bad action or ids").handle(this::selected);
    t.route(HandlerType.GET, PREFIX + "/flow-limits", Role.VIEWER,
        "Flow limits and what each key holds now: running and ready jobs, the rule holding it and until when")
        .response(200, "supported, and limits with their keys (a sensitive argument's values masked)")
        .handle(ctx -> json(ctx, 200, FlowLimitsView.toJson(service.flowLimits(FlowLimitsView.MAX_KEYS),
            service.admin().flowAdmin().isPresent())));
    queues.register(t);
    t.route(HandlerType.GET, PREFIX + "/workers", Role.VIEWER, "Registered workers").handle(this::workers);
    t.route(HandlerType.GET, PREFIX + "/supervisors", Role.VIEWER,
        "Supervisor masters on this host and their child processes (pid, RSS, restarts, uptime), read"
        + " through their control sockets").handle(ctx -> json(ctx, 200, Supervisors.toJson(
            service.supervisors().runDirectory(), service.supervisors().read())));
    schedules.register(t);
    t.route(HandlerType.GET, PREFIX + "/stats", Role.VIEWER,
        "Per-minute statistics kept in the store: started, outcomes, wait-time percentiles, oldest waiting job")
        .query("minutes", "how many minutes back, 1-1440 (default 60)").handle(this::stats);
    t.route(HandlerType.GET, PREFIX + "/audit", Role.VIEWER, "Operator actions, newest first")
        .query("limit", "at most this many (default 100)").handle(this::audit);
    incidents.register(t);
  }

  // ---------------------------------------------------------------- status

  private void status(Context ctx) {
    json(ctx, 200, live.snapshot().toJson());
  }

  // ---------------------------------------------------------------- jobs

  private void listJobs(Context ctx) {
    int limit = intParam(ctx.queryParam("limit"), 50, 1, MAX_PAGE, "limit");
    JobFilter f = filter(ctx::queryParam, ctx.queryParam("state"), limit);
    String before = ctx.queryParam("before");
    if (before != null && !before.isEmpty()) {
      try {
        f = f.withBeforeId(before);
      } catch (IllegalArgumentException e) {
        throw Problem.badRequest("before: " + e.getMessage());
      }
    }
    JobPage page = service.inspector().page(f);
    ObjectNode o = Json.object();
    ArrayNode arr = o.putArray("jobs");
    page.jobs().forEach(j -> arr.add(Json.job(service.shown(j), ctx.contextPath())));
    if (page.nextBeforeId() != null) {
      o.put("next", nextLink(ctx, page.nextBeforeId()));
    } else {
      o.putNull("next");
    }
    if (page.scanned() >= 0) {
      o.put("scanned", page.scanned()); // a bounded scan: fewer than 'limit' jobs and a 'next' mean "go on"
    }
    json(ctx, 200, o);
  }

  private static String nextLink(Context ctx, String lastId) {
    StringBuilder b = new StringBuilder(ctx.contextPath() + PREFIX + "/jobs?");
    List<String> keys = new java.util.ArrayList<>(FILTER_FIELDS);
    keys.add(0, "state");
    keys.add("limit");
    for (String k : keys) {
      String v = ctx.queryParam(k);
      if (v != null && !v.isEmpty()) {
        b.append(k).append('=').append(java.net.URLEncoder.encode(v, StandardCharsets.UTF_8)).append('&');
      }
    }
    return b.append("before=").append(lastId).toString();
  }

  /**
   * A filter from request values looked up by name ({@link #FILTER_FIELDS}); bad values are a 400
   * that names the field.
   */
  public static JobFilter filter(java.util.function.Function<String, @Nullable String> param, @Nullable String states,
      int limit) {
    JobFilter f = JobFilter.all().withStates(states(states)).withLimit(limit);
    try {
      String queue = param.apply("queue");
      if (queue != null && !queue.isBlank()) {
        f = f.withQueue(JobOptions.validateQueue(queue.trim())); // a name no job can have: 400, no audit line
      }
      String task = param.apply("task");
      if (task != null && !task.isBlank()) {
        f = f.withTask(dev.spindle.Task.validateName(task.trim()));
      }
      String q = param.apply("q");
      if (q != null && !q.isBlank()) {
        f = f.withText(q.strip());
      }
      Instant ca = instant(param.apply("createdAfter"), "createdAfter");
      Instant cb = instant(param.apply("createdBefore"), "createdBefore");
      if (ca != null || cb != null) {
        f = f.withCreated(ca, cb);
      }
      Instant fa = instant(param.apply("finishedAfter"), "finishedAfter");
      if (fa != null) {
        f = f.withFinishedAfter(fa);
      }
      Instant fb = instant(param.apply("finishedBefore"), "finishedBefore");
      if (fb != null) {
        f = f.withFinishedBefore(fb);
      }
    } catch (IllegalArgumentException e) {
      throw Problem.badRequest(e.getMessage());
    }
    return f;
  }

  /** An ISO-8601 instant, or a date and time without zone ({@code yyyy-MM-ddTHH:mm[:ss]}) in UTC. */
  static @Nullable Instant instant(@Nullable String v, String field) {
    if (v == null || v.isBlank()) {
      return null;
    }
    String s = v.strip();
    try {
      return Instant.parse(s);
    } catch (DateTimeParseException e) {
      try {
        return java.time.LocalDateTime.parse(s).toInstant(java.time.ZoneOffset.UTC);
      } catch (DateTimeParseException e2) {
        throw Problem.badRequest(field + ": not a time: '" + dev.spindle.spi.Echo.of(s)
            + "' (an ISO-8601 instant such as 2026-11-23T10:15:00Z, or 2026-11-23T10:15 in UTC)");
      }
    }
  }

  static Set<JobState> states(@Nullable String csv) {
    Set<JobState> set = EnumSet.noneOf(JobState.class);
    if (csv == null || csv.isBlank()) {
      return set;
    }
    for (String s : csv.split(",")) {
      if (s.isBlank()) {
        continue;
      }
      try {
        set.add(JobState.valueOf(s.trim().toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw Problem.badRequest("unknown state '" + s.trim() + "' (states: " + List.of(JobState.values())
            .toString().toLowerCase(Locale.ROOT) + ")");
      }
    }
    return set;
  }

  private void enqueue(Context ctx) {
    Credentials.User who = Auth.user(ctx);
    JsonNode body = Json.parse(ctx.body());
    if (!body.isObject()) {
      throw Problem.badRequest("the body must be a JSON object {task, args, ...}");
    }
    String task = text(body, "task");
    if (task == null) {
      throw Problem.badRequest("'task' is required");
    }
    JsonNode args = body.get("args");
    String argsJson = args == null ? "null" : args.toString();
    JobOptions.Builder o = service.queue().defaults().toBuilder();
    try {
      String queue = text(body, "queue");
      if (queue != null) {
        o.queue(queue);
      }
      if (body.has("priority")) {
        if (!body.get("priority").isInt()) {
          throw Problem.badRequest("'priority' must be an integer");
        }
        o.priority(body.get("priority").asInt());
      }
      String delay = text(body, "delay");
      if (delay != null) {
        o.delay(duration(delay, "delay"));
      }
      String unique = text(body, "uniqueKey");
      String idem = ctx.header("Idempotency-Key");
      if (idem != null && !idem.isBlank()) {
        if (unique != null && !unique.equals(idem)) {
          throw Problem.badRequest("the Idempotency-Key header and 'uniqueKey' differ; send one");
        }
        unique = idem.trim();
      }
      if (unique != null) {
        o.uniqueKey(unique);
      }
    } catch (IllegalArgumentException e) {
      throw Problem.badRequest(e.getMessage());
    }
    JobOptions options = o.build();
    JobHandle<?> h = service.queue().enqueueAll(List.of(new JobRequest(task, argsJson, options))).get(0);
    String idem = ctx.header("Idempotency-Key");
    if (!h.isNew() && idem != null && !idem.isBlank()) {
      requireSameRequest(h.id(), task, argsJson, options);
    }
    service.audit().record(who, "job.enqueue", h.id(), task);
    ObjectNode out = Json.object();
    out.put("id", h.id());
    out.put("created", h.isNew());
    out.put("location", ctx.contextPath() + PREFIX + "/jobs/" + h.id());
    ctx.header("Location", ctx.contextPath() + PREFIX + "/jobs/" + h.id());
    json(ctx, 202, out);
  }

  /**
   * Checks that a request repeating an {@code Idempotency-Key} asks for the job the key already
   * names (task, arguments, queue and priority; a delay is relative to each request's time, so it is
   * not compared).
   *
   * @throws Problem 422 if it asks for another one: the key was reused by mistake
   */
  private void requireSameRequest(String id, String task, String argsJson, JobOptions options) {
    JobInfo first = service.find(id).orElse(null);
    if (first == null) {
      return; // gone since (purged): nothing to compare with
    }
    List<String> differ = new java.util.ArrayList<>();
    if (!first.task().equals(task)) {
      differ.add("task");
    }
    if (!java.util.Objects.equals(Json.raw(first.argsJson()), Json.raw(argsJson))) {
      differ.add("args");
    }
    if (!first.queue().equals(options.queue())) {
      differ.add("queue");
    }
    if (first.priority() != options.priority()) {
      differ.add("priority");
    }
    if (!differ.isEmpty()) {
      throw new Problem(422, "Idempotency key reused", "this Idempotency-Key was first sent with another request"
          + " (job " + id + "; differs in " + String.join(", ", differ) + "): use a new key for a new job, or"
          + " repeat the first request unchanged to get its job");
    }
  }

  private void getJob(Context ctx) {
    JobInfo j = job(ctx.pathParam("id"));
    ObjectNode o = Json.job(service.shown(j), ctx.contextPath());
    if (j.state() == dev.spindle.queue.JobState.QUEUED) {
      // a store without flow control holds no job
      service.admin().flowAdmin().flatMap(f -> f.holdOf(j.id())).ifPresent(h -> {
        ObjectNode f = o.putObject("flowHold"); // which flow limit holds the waiting job, until when
        f.put("limit", h.limit());
        f.put("key", h.key());
        f.put("rule", h.rule().name());
        f.put("until", h.until() == null ? null : h.until().toString());
        f.put("detail", h.detail());
      });
    }
    service.progress(j).ifPresent(p -> {
      ObjectNode po = p.toJson(); // the lines are read with /logs
      po.remove("lines");
      o.set("progress", po);
    });
    String body = o.toString();
    String etag = etag(body);
    ctx.header("ETag", etag);
    ctx.header("Cache-Control", "private, no-cache");
    String inm = ctx.header("If-None-Match");
    if (inm != null && matches(inm, etag)) {
      ctx.status(304);
      return;
    }
    ctx.status(200).contentType("application/json").result(body);
  }

  static boolean matches(String ifNoneMatch, String etag) {
    for (String t : ifNoneMatch.split(",")) {
      String v = t.trim();
      if (v.equals("*") || v.equals(etag) || v.equals("W/" + etag)) {
        return true;
      }
    }
    return false;
  }

  static String etag(String body) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8));
      return "\"" + HexFormat.of().formatHex(d, 0, 12) + "\"";
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private JobInfo job(String id) {
    try {
      JobFilter.parseId(id);
    } catch (IllegalArgumentException e) {
      throw Problem.notFound("no job " + id + " (job ids are positive numbers)");
    }
    return service.find(id).orElseThrow(() -> new JobNotFoundException(id));
  }

  private void dependencies(Context ctx) {
    JobInfo j = job(ctx.pathParam("id"));
    json(ctx, 200, DependencyView.of(j.id(), service.inspector().dependencyEdges(j.id()), service::find)
        .toJson(j.id()));
  }

  private void resumeWorkflow(Context ctx) {
    String id = ctx.pathParam("id");
    JsonNode body = ctx.body().isBlank() ? Json.object() : Json.parse(ctx.body());
    if (!body.isObject()) {
      throw Problem.badRequest("the body must be a JSON object {node, args, dryRun}");
    }
    String node = text(body, "node");
    JsonNode args = body.get("args");
    JsonNode dry = body.get("dryRun");
    if (dry != null && !dry.isBoolean()) {
      throw Problem.badRequest("dryRun must be true or false");
    }
    String argsJson = args == null || args.isNull() ? null : args.toString();
    dev.spindle.queue.ResumePlan plan = service.resumeWorkflow(Auth.user(ctx), id, node == null || node.isBlank()
        ? null : node.trim(), argsJson, dry != null && dry.asBoolean());
    json(ctx, 200, WorkflowView.planJson(plan, service.workflow(id)));
  }

  private void selected(Context ctx) {
    JsonNode body = Json.parse(ctx.body());
    if (!body.isObject() || !body.path("ids").isArray()) {
      throw Problem.badRequest("the body must be a JSON object {action, ids: [..], filter}");
    }
    List<String> ids = new java.util.ArrayList<>();
    for (JsonNode n : body.get("ids")) {
      String id = n.isValueNode() ? n.asString() : "";
      if (!id.matches("[0-9A-Za-z:._-]{1,40}")) {
        throw Problem.badRequest("ids are job ids, not '" + dev.spindle.spi.Echo.of(n.toString()) + "'");
      }
      ids.add(id);
    }
    if (ids.isEmpty() || ids.size() > MAX_SELECTED) {
      throw Problem.badRequest("select 1 to " + MAX_SELECTED + " jobs, not " + ids.size());
    }
    String action = text(body, "action");
    String filter = text(body, "filter");
    QueueService.Selected r = service.actOnSelected(Auth.user(ctx), action == null ? "" : action,
        List.copyOf(new java.util.LinkedHashSet<>(ids)), filter == null ? "" : cut(filter, 300));
    ObjectNode o = Json.object();
    o.put("done", r.done());
    ObjectNode skipped = o.putObject("skipped");
    r.skipped().forEach(skipped::put);
    json(ctx, 200, o);
  }

  private static String cut(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max);
  }

  private void steps(Context ctx) {
    JobInfo j = job(ctx.pathParam("id"));
    json(ctx, 200, service.durableView(j).orElseGet(() -> new DurableView(List.of(), Map.of(), null)).toJson());
  }

  private void attempts(Context ctx) {
    JobInfo j = job(ctx.pathParam("id"));
    if (service.admin().attempts().isEmpty()) {
      throw Problem.notImplemented("the store " + service.describe() + " keeps no attempts ledger");
    }
    json(ctx, 200, service.attemptsView(j).orElseThrow(() -> new JobNotFoundException(j.id())).toJson());
  }

  private void logs(Context ctx) {
    JobInfo j = job(ctx.pathParam("id"));
    long after = 0;
    String a = ctx.queryParam("after");
    if (a != null) {
      try {
        after = Long.parseLong(a.strip());
      } catch (NumberFormatException e) {
        after = -1;
      }
      if (after < 0) {
        throw Problem.badRequest("after must be a whole number >= 0, got '" + a + "'");
      }
    }
    if (!service.keepsProgress()) {
      throw Problem.notImplemented("the store " + service.admin().describe() + " keeps no progress reports");
    }
    dev.spindle.queue.JobProgress p = service.progress(j).orElseThrow(() -> new JobNotFoundException(j.id()));
    ObjectNode o = new dev.spindle.queue.JobProgress(p.fraction(), p.message(), p.updatedAt(), p.linesAfter(after),
        p.linesTotal()).toJson();
    o.put("id", j.id());
    o.put("state", j.state().name());
    json(ctx, 200, o);
  }

  private void signal(Context ctx) {
    String id = ctx.pathParam("id");
    String body = ctx.body();
    String payload = body.isBlank() ? "null" : Json.parse(body).toString();
    SignalResult r = service.signal(Auth.user(ctx), id, ctx.pathParam("name"), payload);
    ObjectNode o = Json.object();
    o.put("id", id);
    o.put("outcome", r.name());
    json(ctx, 200, o);
  }

  private void result(Context ctx) {
    JobInfo j = job(ctx.pathParam("id"));
    ObjectNode o = Json.object();
    o.put("id", j.id());
    o.put("state", j.state().name());
    if (!j.state().isTerminal()) {
      ctx.header("Retry-After", "1");
      ctx.header("Location", ctx.contextPath() + PREFIX + "/jobs/" + j.id() + "/result");
      json(ctx, 202, o);
      return;
    }
    ObjectNode full = Json.job(service.shown(j), ctx.contextPath());
    o.set("result", full.get("result"));
    o.set("error", full.get("error"));
    o.put("deadReason", j.deadReason());
    json(ctx, 200, o);
  }

  private void retry(Context ctx) {
    JobInfo j = service.retry(Auth.user(ctx), ctx.pathParam("id"));
    json(ctx, 200, Json.job(service.shown(j), ctx.contextPath()));
  }

  private void cancel(Context ctx) {
    String id = ctx.pathParam("id");
    job(id);
    CancelResult r = service.cancel(Auth.user(ctx), id);
    ObjectNode o = Json.object();
    o.put("id", id);
    o.put("outcome", r.name());
    json(ctx, 200, o);
  }

  private void bulk(Context ctx, String what) {
    JsonNode body = Json.parse(ctx.body());
    if (!body.isObject()) {
      throw Problem.badRequest("the body must be a JSON object {state, queue, task, max}");
    }
    String states = body.has("state") ? csv(body.get("state")) : null;
    JobFilter f = filter(k -> text(body, k), states, 1);
    JsonNode m = body.get("max");
    int max = m == null ? MAX_BULK : intParam(m.isValueNode() ? m.asString() : m.toString(), MAX_BULK, 1, MAX_BULK,
        "max");
    requireFilterOrAll(body, f, what);
    Credentials.User who = Auth.user(ctx);
    long n = switch (what) {
      case "retry" -> service.retryMatching(who, f, max);
      case "cancel" -> service.cancelMatching(who, f, max);
      default -> service.purgeMatching(who, f, max);
    };
    ObjectNode o = Json.object();
    o.put(what.equals("retry") ? "requeued" : what.equals("cancel") ? "cancelled" : "purged", n);
    json(ctx, 200, o);
  }

  /**
   * Refuses a bulk request whose filter matches every job unless it says {@code "all": true}: an
   * empty body must not cancel, requeue or delete everything.
   */
  static void requireFilterOrAll(JsonNode body, JobFilter f, String what) {
    JsonNode all = body.get("all");
    if (all != null && !all.isNull() && !all.isBoolean()) {
      throw Problem.badRequest("'all' must be true or false");
    }
    boolean everything = all != null && all.asBoolean();
    if (!everything && isUnfiltered(f)) {
      throw Problem.badRequest("refusing to " + what + " every job: give a filter (" + FILTER_NAMES
          + ") or \"all\": true");
    }
  }

  /** True if the filter has no condition: it matches every job. */
  static boolean isUnfiltered(JobFilter f) {
    return f.states().isEmpty() && f.queue() == null && f.task() == null && f.text() == null
        && f.createdAfter() == null && f.createdBefore() == null && f.finishedAfter() == null
        && f.finishedBefore() == null;
  }

  private static String csv(JsonNode n) {
    if (n.isString()) {
      return n.asString();
    }
    if (n.isArray()) {
      StringBuilder b = new StringBuilder();
      for (JsonNode e : n) {
        if (!e.isString()) {
          throw Problem.badRequest("'state' must be a string or an array of strings");
        }
        b.append(e.asString()).append(',');
      }
      return b.toString();
    }
    throw Problem.badRequest("'state' must be a string or an array of strings");
  }

  // ---------------------------------------------------------------- workers

  private void workers(Context ctx) {
    Instant now = service.clock().instant();
    ArrayNode arr = Json.array();
    for (WorkerRecord w : service.inspector().workers()) {
      arr.add(Json.worker(w, now));
    }
    ObjectNode o = Json.object();
    o.set("workers", arr);
    json(ctx, 200, o);
  }

  // ---------------------------------------------------------------- statistics

  private void stats(Context ctx) {
    int minutes = intParam(ctx.queryParam("minutes"), 60, 1, 1440, "minutes");
    JobStatistics st = service.statistics();
    if (st == null) {
      throw Problem.notImplemented("the store " + service.describe() + " keeps no statistics");
    }
    Instant now = service.clock().instant();
    json(ctx, 200, Overview.read(st, now, Duration.ofMinutes(minutes)).toJson());
  }

  // ---------------------------------------------------------------- audit

  private void audit(Context ctx) {
    int limit = intParam(ctx.queryParam("limit"), 100, 1, 1000, "limit");
    ArrayNode arr = Json.array();
    for (AuditTrail.Entry e : service.audit().recent(limit)) {
      ObjectNode o = arr.addObject();
      o.put("at", e.at().toString());
      o.put("user", e.user());
      o.put("action", e.action());
      o.put("target", e.target());
      o.put("detail", e.detail());
    }
    ObjectNode o = Json.object();
    o.set("entries", arr);
    json(ctx, 200, o);
  }

  // ---------------------------------------------------------------- helpers

  static void json(Context ctx, int status, JsonNode body) {
    ctx.status(status).contentType("application/json").result(body.toString());
  }

  static @Nullable String text(JsonNode body, String field) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isString()) {
      throw Problem.badRequest("'" + field + "' must be a string");
    }
    return n.asString();
  }

  static int intParam(String v, int dflt, int min, int max, String name) {
    if (v == null || v.isBlank()) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(v.trim());
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw Problem.badRequest(name + " must be a whole number from " + min + " to " + max + ": '" + v + "'");
  }

  /** A duration in {@link Durations}' grammar: {@code PT10S}, {@code 10s}, {@code 1h30m}, ... */
  static Duration duration(String v, String name) {
    try {
      return Durations.parse(v);
    } catch (IllegalArgumentException e) {
      throw Problem.badRequest(name + ": " + e.getMessage());
    }
  }

}
