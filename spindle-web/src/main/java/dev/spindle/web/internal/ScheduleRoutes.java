package dev.spindle.web.internal;

import static dev.spindle.web.internal.ApiRoutes.PREFIX;
import static dev.spindle.web.internal.ApiRoutes.duration;
import static dev.spindle.web.internal.ApiRoutes.intParam;
import static dev.spindle.web.internal.ApiRoutes.json;
import static dev.spindle.web.internal.ApiRoutes.text;

import dev.spindle.queue.JobHandle;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.Schedule;
import dev.spindle.queue.ScheduleInfo;
import dev.spindle.web.Role;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The schedule routes of {@code /api/v1}: list with the next fire times, add or replace, remove,
 * pause and resume, run now (the changes audited). Stateless; thread-safe.
 */
final class ScheduleRoutes {
  private final QueueService service;

  ScheduleRoutes(QueueService service) {
    this.service = service;
  }

  /** Adds the schedule routes to the table. */
  void register(RouteTable t) {
    t.route(HandlerType.GET, PREFIX + "/schedules", Role.VIEWER, "Schedules with their next fire times")
        .query("next", "how many next fire times (default 5, at most 50)").handle(this::schedules);
    t.route(HandlerType.POST, PREFIX + "/schedules", Role.OPERATOR, "Add or replace a schedule")
        .body("{name, task, args, cron + zone | every (ISO-8601 or 10s/5m), queue}")
        .response(201, "the stored schedule").handle(this::addSchedule);
    t.route(HandlerType.DELETE, PREFIX + "/schedules/{name}", Role.OPERATOR, "Remove a schedule")
        .response(204, "removed").response(404, "no such schedule").handle(this::removeSchedule);
    t.route(HandlerType.POST, PREFIX + "/schedules/{name}/pause", Role.OPERATOR,
        "Pause a schedule: it fires no tick until resumed (kept in the store; missed ticks then follow its"
        + " misfire rule)").response(200, "paused").response(404, "no such schedule")
        .handle(ctx -> pauseSchedule(ctx, true));
    t.route(HandlerType.POST, PREFIX + "/schedules/{name}/resume", Role.OPERATOR, "Resume a paused schedule")
        .response(200, "resumed").response(404, "no such schedule").handle(ctx -> pauseSchedule(ctx, false));
    t.route(HandlerType.POST, PREFIX + "/schedules/{name}/run", Role.OPERATOR, "Enqueue a schedule's job now")
        .response(202, "accepted; Location names the job").handle(this::runSchedule);
  }

  private void schedules(Context ctx) {
    int next = intParam(ctx.queryParam("next"), 5, 0, 50, "next");
    ArrayNode arr = Json.array();
    Set<String> paused = service.pausedSchedules();
    for (ScheduleInfo s : service.queue().schedules()) {
      arr.add(schedule(s, next).put("paused", paused.contains(s.schedule().name())));
    }
    ObjectNode o = Json.object();
    o.set("schedules", arr);
    json(ctx, 200, o);
  }

  static ObjectNode schedule(ScheduleInfo s, int next) {
    ObjectNode o = Json.object();
    Schedule d = s.schedule();
    o.put("name", d.name());
    o.put("task", d.task());
    o.set("args", Json.raw(d.argsJson()));
    o.put("trigger", d.describeTrigger());
    o.put("queue", d.jobOptions().queue());
    o.put("nextFireAt", Json.time(s.nextFireAt()));
    o.put("lastFireAt", Json.time(s.lastFireAt()));
    o.put("version", s.version());
    ArrayNode times = o.putArray("nextFireTimes");
    Instant t = s.nextFireAt();
    for (int i = 0; i < next && t != null; i++) {
      times.add(t.toString());
      t = d.nextTick(t);
    }
    return o;
  }

  private void addSchedule(Context ctx) {
    JsonNode b = Json.parse(ctx.body());
    String name = text(b, "name");
    String task = text(b, "task");
    if (name == null || task == null) {
      throw Problem.badRequest("'name' and 'task' are required");
    }
    String cron = text(b, "cron");
    String every = text(b, "every");
    if ((cron == null) == (every == null)) {
      throw Problem.badRequest("give exactly one of 'cron' (with optional 'zone') or 'every'");
    }
    String zone = text(b, "zone");
    Schedule s;
    try {
      Schedule.Builder sb = cron != null
          ? Schedule.cron(name, cron, ZoneId.of(zone == null ? "UTC" : zone))
          : Schedule.every(name, duration(every, "every"));
      JsonNode args = b.get("args");
      sb.task(task, args == null ? "null" : args.toString());
      String queue = text(b, "queue");
      if (queue != null) {
        sb.options(JobOptions.builder().queue(queue).build());
      }
      s = sb.build();
    } catch (java.time.DateTimeException e) {
      throw Problem.badRequest("zone: " + e.getMessage());
    } catch (IllegalArgumentException e) {
      if (e instanceof dev.spindle.UnknownTaskException) {
        throw e;
      }
      throw Problem.badRequest(e.getMessage());
    }
    ScheduleInfo info = service.queue().addSchedule(s);
    service.audit().record(Auth.user(ctx), "schedule.save", name, s.describeTrigger());
    ctx.header("Location", ctx.contextPath() + PREFIX + "/schedules");
    json(ctx, 201, schedule(info, 5));
  }

  private void pauseSchedule(Context ctx, boolean pause) {
    String name = ctx.pathParam("name");
    service.pauseSchedule(Auth.user(ctx), name, pause);
    ObjectNode o = Json.object();
    o.put("schedule", name);
    o.put("paused", pause);
    json(ctx, 200, o);
  }

  private void removeSchedule(Context ctx) {
    String name = ctx.pathParam("name");
    if (!service.queue().removeSchedule(name)) {
      throw Problem.notFound("no schedule named '" + name + "'");
    }
    service.audit().record(Auth.user(ctx), "schedule.remove", name, null);
    ctx.status(204);
  }

  private void runSchedule(Context ctx) {
    String name = ctx.pathParam("name");
    ScheduleInfo s = service.queue().schedules().stream().filter(i -> i.schedule().name().equals(name)).findFirst()
        .orElseThrow(() -> Problem.notFound("no schedule named '" + name + "'"));
    Schedule d = s.schedule();
    JobOptions so = d.jobOptions();
    JobOptions o = JobOptions.builder().queue(so.queue()).priority(so.priority()).policy(so.policy()).build();
    JobHandle<?> h = service.queue().enqueue(d.task(), d.argsJson(), o);
    service.audit().record(Auth.user(ctx), "schedule.run", name, "job " + h.id());
    ctx.header("Location", ctx.contextPath() + PREFIX + "/jobs/" + h.id());
    ObjectNode out = Json.object();
    out.put("id", h.id());
    out.put("location", ctx.contextPath() + PREFIX + "/jobs/" + h.id());
    json(ctx, 202, out);
  }
}
