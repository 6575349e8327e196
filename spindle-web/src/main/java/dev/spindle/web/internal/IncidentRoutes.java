package dev.spindle.web.internal;

import static dev.spindle.web.internal.ApiRoutes.PREFIX;
import static dev.spindle.web.internal.ApiRoutes.intParam;
import static dev.spindle.web.internal.ApiRoutes.json;

import dev.spindle.queue.health.WebhookAlerter;
import dev.spindle.queue.spi.Incident;
import dev.spindle.queue.spi.IncidentLog;
import dev.spindle.web.Credentials;
import dev.spindle.web.Role;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.List;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The incident and alert routes of {@code /api/v1}: the incidents the stall detectors recorded, and
 * a test alert to every configured webhook (audited). Stateless; thread-safe.
 */
final class IncidentRoutes {
  private final QueueService service;
  private final Alerting alerting;

  IncidentRoutes(QueueService service, Alerting alerting) {
    this.service = service;
    this.alerting = alerting;
  }

  /** Adds the incident and alert routes to the table. */
  void register(RouteTable t) {
    t.route(HandlerType.GET, PREFIX + "/incidents", Role.VIEWER,
        "Incidents of stall detectors (stalled queues and workers, latency, failure rate, dead jobs), newest first")
        .query("open", "true: only open ones").query("limit", "at most this many, 1-1000 (default 100)")
        .response(200, "incidents").response(501, "the store keeps no incidents").handle(this::incidents);
    t.route(HandlerType.POST, PREFIX + "/alerts/test", Role.OPERATOR,
        "Post a test alert to every configured webhook now and report each answer (audited)")
        .response(200, "one delivery per webhook: name, ok, status, problem (never its URL)")
        .response(409, "no webhooks are configured").handle(this::testAlert);
  }

  private void incidents(Context ctx) {
    IncidentLog log = alerting.log().orElseThrow(() -> Problem.notImplemented("the store "
        + service.admin().describe() + " keeps no incidents"));
    int limit = intParam(ctx.queryParam("limit"), 100, 1, 1000, "limit");
    String open = ctx.queryParam("open");
    if (open != null && !open.equals("true") && !open.equals("false")) {
      throw Problem.badRequest("open must be true or false: '" + open + "'");
    }
    ArrayNode arr = Json.array();
    for (Incident i : log.incidents("true".equals(open), limit)) {
      arr.add(Alerting.toJson(i));
    }
    ObjectNode o = Json.object();
    o.set("incidents", arr);
    o.put("detecting", alerting.detecting());
    json(ctx, 200, o);
  }

  private void testAlert(Context ctx) {
    WebhookAlerter alerter = alerting.alerter().orElseThrow(() -> Problem.conflict("no webhooks are configured:"
        + " give the dashboard an alerter (see the alerts guide)"));
    Credentials.User who = Auth.user(ctx);
    List<WebhookAlerter.Delivery> sent = alerter.test(who.name());
    ObjectNode o = Alerting.toJson(sent);
    service.audit().record(who, "alerts.test", sent.size() + " webhook(s)", o.get("summary").asString());
    json(ctx, 200, o);
  }
}
