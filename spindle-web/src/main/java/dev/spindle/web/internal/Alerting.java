package dev.spindle.web.internal;

import dev.spindle.queue.health.IncidentListener;
import dev.spindle.queue.health.StallDetector;
import dev.spindle.queue.health.StallRules;
import dev.spindle.queue.health.WebhookAlerter;
import dev.spindle.queue.spi.Incident;
import dev.spindle.queue.spi.IncidentLog;
import dev.spindle.queue.spi.StoreAdmin;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The dashboard's side of incidents: the store's {@link IncidentLog} for the incidents page and API,
 * the webhooks' test action, and, if the dashboard was asked to, a {@link StallDetector} evaluated
 * on a thread of its own every {@link StallRules#interval()} on the store's clock, alerting through
 * the webhooks. Thread-safe.
 */
public final class Alerting implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Alerting.class);

  private final @Nullable IncidentLog log;
  private final @Nullable WebhookAlerter alerter;
  private final @Nullable StallDetector detector;
  private final Supplier<java.time.Instant> storeTime;
  private @Nullable ScheduledThreadPoolExecutor thread;

  /**
   * Incidents of {@code admin}; a detector if {@code rules} is given (and the store keeps incidents).
   *
   * @param storeTime the store's clock
   */
  public Alerting(StoreAdmin admin, @Nullable StallRules rules, @Nullable WebhookAlerter alerter,
      Supplier<java.time.Instant> storeTime) {
    this.log = admin.incidents().orElse(null);
    this.alerter = alerter;
    this.storeTime = storeTime;
    IncidentListener listener = alerter != null ? alerter : IncidentListener.NONE;
    this.detector = rules != null && log != null ? StallDetector.of(admin, rules, listener) : null;
    if (rules != null && log == null) {
      LOG.warn("the store {} keeps no incidents: the dashboard detects no stalls", admin.describe());
    }
  }

  /** Nothing: no incidents, no webhooks, no detector. */
  public static Alerting none(StoreAdmin admin) {
    return new Alerting(admin, null, null, java.time.Instant::now);
  }

  /** Starts the detector's thread, if there is a detector. Idempotent. */
  public synchronized void start() {
    StallDetector d = detector;
    if (d == null || thread != null) {
      return;
    }
    ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
      Thread th = new Thread(r, "spindle-stall-detector");
      th.setDaemon(true);
      return th;
    });
    long every = d.rules().interval().toMillis();
    t.scheduleWithFixedDelay(() -> {
      try {
        d.evaluate(storeTime.get());
      } catch (RuntimeException e) {
        LOG.warn("stall detection failed; trying again in {} ms", every, e);
      }
    }, 0, every, TimeUnit.MILLISECONDS);
    thread = t;
  }

  /** The incidents, or empty if the store keeps none. */
  public Optional<IncidentLog> log() {
    return Optional.ofNullable(log);
  }

  /** The webhooks' alerter, if any were configured. */
  public Optional<WebhookAlerter> alerter() {
    return Optional.ofNullable(alerter);
  }

  /** Whether this dashboard runs a detector. */
  public boolean detecting() {
    return detector != null;
  }

  /** An incident as JSON. */
  public static ObjectNode toJson(Incident i) {
    ObjectNode o = Json.object();
    o.put("id", i.id());
    o.put("kind", i.kind().name());
    o.put("queue", i.queue());
    o.put("subject", i.subject());
    o.put("open", i.isOpen());
    o.put("since", i.since().toString());
    o.put("openedAt", i.openedAt().toString());
    o.put("resolvedAt", i.resolvedAt() == null ? null : i.resolvedAt().toString());
    o.put("details", i.details());
    return o;
  }

  /** Deliveries of a test as JSON, with a one-line summary. */
  public static ObjectNode toJson(List<WebhookAlerter.Delivery> deliveries) {
    ObjectNode o = Json.object();
    ArrayNode arr = o.putArray("deliveries");
    StringBuilder summary = new StringBuilder();
    for (WebhookAlerter.Delivery d : deliveries) {
      ObjectNode n = arr.addObject();
      n.put("webhook", d.webhook());
      n.put("ok", d.ok());
      n.put("status", d.status());
      n.put("problem", d.problem());
      summary.append(summary.isEmpty() ? "" : ", ").append(d.webhook()).append(": ")
          .append(d.ok() ? "ok" : d.problem());
    }
    o.put("summary", summary.toString());
    return o;
  }

  /** Stops the detector's thread (the alerter is its owner's to close). Idempotent. */
  @Override
  public synchronized void close() {
    if (thread != null) {
      thread.shutdownNow();
      thread = null;
    }
  }
}
