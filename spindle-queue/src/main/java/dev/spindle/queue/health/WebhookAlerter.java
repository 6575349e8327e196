package dev.spindle.queue.health;

import dev.spindle.queue.spi.Incident;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Posts an alert to each {@link Webhook} when a {@link StallDetector} opens an incident (and, unless
 * turned off, when it resolves one): the detector tells one listener per incident across all
 * detectors on the store, so each incident is alerted once. Bodies are {@link Webhook.Format#JSON}
 * or Slack's {@code {"text": ...}}; they name queues, workers and counts, never job data.
 *
 * <p>Delivery never blocks the caller: alerts go to a bounded queue ({@link Builder#capacity},
 * default 1000; beyond it they are dropped and counted) served by one daemon thread with the JDK
 * {@link HttpClient}. Each POST has a timeout (default 5 s); a failure (no answer, a 5xx or 429)
 * is retried up to {@link Builder#attempts} times in all (default 3), after a backoff that doubles
 * from {@link Builder#backoff} (default 2 s). A webhook's URL is never logged or shown: messages
 * name the webhook. Thread-safe.
 */
public final class WebhookAlerter implements IncidentListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookAlerter.class);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final List<Webhook> hooks;
  private final Duration timeout;
  private final int attempts;
  private final Duration backoff;
  private final int capacity;
  private final boolean resolvedAlerts;
  private final String source;
  private final HttpClient http;
  private final ScheduledThreadPoolExecutor sender;
  private final AtomicInteger pending = new AtomicInteger();
  /** Notified whenever an alert stops waiting ({@link #awaitSent}). */
  private final Object settled = new Object();
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();

  /** The outcome of posting to one webhook: its name, the HTTP status (0 if none) and what went wrong. */
  public record Delivery(String webhook, int status, @Nullable String problem) {
    /** True if the receiver answered 2xx. */
    public boolean ok() {
      return problem == null;
    }
  }

  private WebhookAlerter(Builder b) {
    this.hooks = List.copyOf(b.hooks);
    this.timeout = b.timeout;
    this.attempts = b.attempts;
    this.backoff = b.backoff;
    this.capacity = b.capacity;
    this.resolvedAlerts = b.resolvedAlerts;
    this.source = b.source;
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout)
        .followRedirects(HttpClient.Redirect.NEVER).build();
    this.sender = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "spindle-alerts");
      t.setDaemon(true);
      return t;
    });
    sender.setRemoveOnCancelPolicy(true);
  }

  /** A builder; add at least one webhook. */
  public static Builder builder() {
    return new Builder();
  }

  /** The webhooks it posts to. */
  public List<Webhook> webhooks() {
    return hooks;
  }

  @Override
  public void opened(Incident incident) {
    post("incident.opened", incident);
  }

  @Override
  public void resolved(Incident incident) {
    if (resolvedAlerts) {
      post("incident.resolved", incident);
    }
  }

  /** Alerts posted successfully (a 2xx answer). */
  public long delivered() {
    return delivered.get();
  }

  /** Alerts that failed every attempt. */
  public long failed() {
    return failed.get();
  }

  /** Alerts dropped because {@link Builder#capacity} alerts were waiting already. */
  public long dropped() {
    return dropped.get();
  }

  /**
   * Waits until every alert posted so far was delivered, failed for good or dropped: for a process
   * that alerts and then exits ({@code spindle incidents check}).
   *
   * @return true if none is waiting any more, false if {@code timeout} ran out first
   * @throws InterruptedException if interrupted while waiting
   */
  public boolean awaitSent(Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    synchronized (settled) {
      while (pending.get() > 0) {
        long left = end - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(settled, left);
      }
    }
    return true;
  }

  /** One alert is no longer waiting: wakes {@link #awaitSent}. */
  private void settle() {
    pending.decrementAndGet();
    synchronized (settled) {
      settled.notifyAll();
    }
  }

  /**
   * Posts a test alert to every webhook now, once each (no retry), and waits for the answers: at
   * most the timeout per webhook. For the dashboard's and the API's "test" action.
   *
   * @param requestedBy who asked (a user name, shown in the message)
   */
  public List<Delivery> test(String requestedBy) {
    String text = "[" + source + "] test alert requested by " + requestedBy + ": webhooks reach this channel";
    List<Delivery> out = new ArrayList<>();
    for (Webhook h : hooks) {
      out.add(send(h, body(h, "test", text, null)));
    }
    return out;
  }

  private void post(String event, Incident incident) {
    String text = text(event, incident);
    for (Webhook h : hooks) {
      if (pending.incrementAndGet() > capacity) {
        pending.decrementAndGet();
        dropped.incrementAndGet();
        LOG.warn("alert for incident {} to webhook '{}' dropped: {} alerts are waiting already", incident.id(),
            h.name(), capacity);
        continue;
      }
      String body = body(h, event, text, incident);
      try {
        sender.execute(() -> attempt(h, body, incident.id(), 1));
      } catch (java.util.concurrent.RejectedExecutionException e) {
        dropped.incrementAndGet();
        settle();
      }
    }
  }

  private void attempt(Webhook h, String body, long incident, int n) {
    Delivery d = send(h, body);
    if (d.ok()) {
      delivered.incrementAndGet();
      settle();
      return;
    }
    boolean retryable = d.status == 0 || d.status == 429 || d.status >= 500;
    if (retryable && n < attempts && !sender.isShutdown()) {
      long delay = backoff.toMillis() << Math.min(n - 1, 10);
      LOG.info("alert for incident {} to webhook '{}' failed ({}); attempt {} of {} in {} ms", incident, h.name(),
          d.problem(), n + 1, attempts, delay);
      try {
        sender.schedule(() -> attempt(h, body, incident, n + 1), delay, TimeUnit.MILLISECONDS);
        return;
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // closing: counted as failed below
      }
    }
    failed.incrementAndGet();
    settle();
    LOG.warn("alert for incident {} to webhook '{}' failed for good after {} attempt(s): {}", incident, h.name(), n,
        d.problem());
  }

  /** One POST; never throws, never names the URL. */
  private Delivery send(Webhook h, String body) {
    HttpRequest req = HttpRequest.newBuilder(h.url()).timeout(timeout).header("Content-Type", "application/json")
        .header("User-Agent", "spindle-alerts").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    try {
      HttpResponse<Void> r = http.send(req, HttpResponse.BodyHandlers.discarding());
      int s = r.statusCode();
      return s >= 200 && s < 300 ? new Delivery(h.name(), s, null) : new Delivery(h.name(), s, "HTTP " + s);
    } catch (IOException e) {
      return new Delivery(h.name(), 0, "no answer (" + e.getClass().getSimpleName() + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Delivery(h.name(), 0, "interrupted");
    }
  }

  private String text(String event, Incident i) {
    String what = event.equals("incident.opened") ? "opened" : "resolved";
    String where = Incident.ALL_QUEUES.equals(i.queue()) ? "all queues" : "queue " + i.queue();
    return "[" + source + "] incident #" + i.id() + " " + what + ": " + i.kind().name().toLowerCase(Locale.ROOT)
        .replace('_', ' ') + " on " + where + (i.subject().isEmpty() ? "" : " (" + i.subject() + ")") + " - "
        + i.details();
  }

  private static String body(Webhook h, String event, String text, @Nullable Incident i) {
    ObjectNode o = JSON.createObjectNode();
    if (h.format() == Webhook.Format.SLACK) {
      o.put("text", text);
      return o.toString();
    }
    o.put("event", event);
    o.put("text", text);
    if (i != null) {
      ObjectNode n = o.putObject("incident");
      n.put("id", i.id());
      n.put("kind", i.kind().name());
      n.put("queue", i.queue());
      n.put("subject", i.subject());
      n.put("since", i.since().toString());
      n.put("openedAt", i.openedAt().toString());
      n.put("resolvedAt", i.resolvedAt() == null ? null : i.resolvedAt().toString());
      n.put("details", i.details());
    }
    return o.toString();
  }

  /** Stops sending; alerts still waiting or retrying are dropped. Idempotent. */
  @Override
  public void close() {
    sender.shutdownNow();
    http.shutdownNow();
  }

  /** Builds a {@link WebhookAlerter}. Not thread-safe. */
  public static final class Builder {
    private final List<Webhook> hooks = new ArrayList<>();
    private Duration timeout = Duration.ofSeconds(5);
    private int attempts = 3;
    private Duration backoff = Duration.ofSeconds(2);
    private int capacity = 1000;
    private boolean resolvedAlerts = true;
    private String source = "spindle";

    private Builder() {}

    /** Adds a webhook. */
    public Builder webhook(Webhook hook) {
      hooks.add(Objects.requireNonNull(hook, "hook"));
      return this;
    }

    /** Adds webhooks (e.g. {@link AlertConfig#load}'s). */
    public Builder webhooks(List<Webhook> list) {
      list.forEach(this::webhook);
      return this;
    }

    /** The timeout of one POST, connecting included (default 5 s); at most a minute. */
    public Builder timeout(Duration d) {
      if (d.isNegative() || d.isZero() || d.compareTo(Duration.ofMinutes(1)) > 0) {
        throw new IllegalArgumentException("the timeout must be positive and at most a minute: " + d);
      }
      this.timeout = d;
      return this;
    }

    /** Attempts per alert, the first included (default 3); 1 to 10. */
    public Builder attempts(int n) {
      if (n < 1 || n > 10) {
        throw new IllegalArgumentException("attempts must be 1 to 10: " + n);
      }
      this.attempts = n;
      return this;
    }

    /** The pause before the second attempt, doubled for each later one (default 2 s); at most 10 minutes. */
    public Builder backoff(Duration d) {
      if (d.isNegative() || d.isZero() || d.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new IllegalArgumentException("the backoff must be positive and at most 10 minutes: " + d);
      }
      this.backoff = d;
      return this;
    }

    /** The most alerts waiting to be sent (default 1000); more are dropped and counted. */
    public Builder capacity(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("the capacity must be positive: " + n);
      }
      this.capacity = n;
      return this;
    }

    /** Whether resolving an incident posts an alert too (default true). */
    public Builder resolvedAlerts(boolean on) {
      this.resolvedAlerts = on;
      return this;
    }

    /** The name alerts start with, e.g. the deployment's (default {@code spindle}). */
    public Builder source(String name) {
      if (name.isBlank() || name.length() > 100) {
        throw new IllegalArgumentException("the source must be 1 to 100 characters");
      }
      this.source = name;
      return this;
    }

    /**
     * The alerter; its sending thread starts now.
     *
     * @throws IllegalStateException if no webhook was added
     */
    public WebhookAlerter build() {
      if (hooks.isEmpty()) {
        throw new IllegalStateException("an alerter needs at least one webhook");
      }
      return new WebhookAlerter(this);
    }
  }
}
