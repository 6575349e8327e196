package dev.spindle.web.internal;

import static dev.spindle.web.internal.ApiRoutes.PREFIX;
import static dev.spindle.web.internal.ApiRoutes.json;

import dev.spindle.queue.JobOptions;
import dev.spindle.queue.spi.QueueSummary;
import dev.spindle.web.Role;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The queue routes of {@code /api/v1}: queues with their counts, limits and pause state (and the
 * tasks no live worker of a queue knows), a queue's running limit, pause and resume (audited).
 * Stateless; thread-safe.
 */
final class QueueRoutes {
  private final QueueService service;
  private final LiveStats live;

  QueueRoutes(QueueService service, LiveStats live) {
    this.service = service;
    this.live = live;
  }

  /** Adds the queue routes to the table. */
  void register(RouteTable t) {
    t.route(HandlerType.GET, PREFIX + "/queues", Role.VIEWER, "Queues: counts by state, limit, paused")
        .handle(this::queues);
    t.route(HandlerType.PUT, PREFIX + "/queues/{name}/limit", Role.OPERATOR, "Set a queue's running limit (0 = none)")
        .body("{limit}").handle(this::setLimit);
    t.route(HandlerType.POST, PREFIX + "/queues/{name}/pause", Role.OPERATOR,
        "Pause a queue: no worker claims its jobs until resumed (kept in the store)")
        .response(200, "paused").response(501, "the store cannot pause queues").handle(ctx -> {
          service.pause(Auth.user(ctx), queueName(ctx));
          queueState(ctx, true);
        });
    t.route(HandlerType.POST, PREFIX + "/queues/{name}/resume", Role.OPERATOR, "Resume a paused queue")
        .response(200, "resumed").response(501, "the store cannot pause queues").handle(ctx -> {
          service.resume(Auth.user(ctx), queueName(ctx));
          queueState(ctx, false);
        });
  }

  private void queues(Context ctx) {
    LiveStats.Snapshot s = live.fresh();
    ArrayNode arr = Json.array();
    for (QueueSummary q : s.queues()) {
      arr.add(Json.queue(q, s.paused().contains(q.queue())));
    }
    ObjectNode o = Json.object();
    o.set("queues", arr);
    ArrayNode unroutable = o.putArray("unroutable");
    for (dev.spindle.queue.spi.UnroutableTask u : service.unroutable()) {
      ObjectNode n = unroutable.addObject();
      n.put("queue", u.queue());
      n.put("task", u.task());
      n.put("waiting", u.waiting());
    }
    json(ctx, 200, o);
  }

  private void setLimit(Context ctx) {
    JsonNode body = Json.parse(ctx.body());
    JsonNode l = body.get("limit");
    if (l == null || !l.isInt() || l.asInt() < 0) {
      throw Problem.badRequest("'limit' must be an integer >= 0 (0 = no limit)");
    }
    String name = ctx.pathParam("name");
    try {
      service.setLimit(Auth.user(ctx), name, l.asInt());
    } catch (IllegalArgumentException e) {
      throw Problem.badRequest(e.getMessage());
    }
    live.invalidate();
    ObjectNode o = Json.object();
    o.put("queue", name);
    o.put("limit", l.asInt());
    json(ctx, 200, o);
  }

  private static String queueName(Context ctx) {
    String name = ctx.pathParam("name");
    try {
      JobOptions.validateQueue(name);
    } catch (IllegalArgumentException e) {
      throw Problem.badRequest(e.getMessage());
    }
    return name;
  }

  private void queueState(Context ctx, boolean paused) {
    live.invalidate();
    ObjectNode o = Json.object();
    o.put("queue", ctx.pathParam("name"));
    o.put("paused", paused);
    json(ctx, 200, o);
  }
}
