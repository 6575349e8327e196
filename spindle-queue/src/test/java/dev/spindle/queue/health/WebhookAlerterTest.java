package dev.spindle.queue.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.spindle.queue.memory.InMemoryJobStore;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.WorkerRecord;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Alerts reach a real HTTP receiver the test starts on 127.0.0.1: once per incident however many
 * detectors see it, retried after a 5xx, in the JSON and the Slack format; a receiver that never
 * answers blocks nobody; a webhook's URL never shows in errors.
 */
class WebhookAlerterTest {
  private static final Instant T0 = Instant.parse("2031-02-03T04:00:00Z");
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private HttpServer server;
  private final List<String> jsonBodies = new CopyOnWriteArrayList<>();
  private final List<String> slackBodies = new CopyOnWriteArrayList<>();
  private final AtomicInteger failFirst = new AtomicInteger();
  private final CountDownLatch release = new CountDownLatch(1);
  private final AtomicReference<Clock> clock = new AtomicReference<>(Clock.fixed(T0, ZoneOffset.UTC));

  @BeforeEach
  void startReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/hooks/json/secret-token-123", ex -> take(ex, jsonBodies));
    server.createContext("/hooks/slack", ex -> take(ex, slackBodies));
    server.createContext("/hooks/hang", ex -> {
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      ex.sendResponseHeaders(200, -1);
      ex.close();
    });
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.start();
  }

  @AfterEach
  void stopReceiver() {
    release.countDown();
    server.stop(0);
  }

  private void take(HttpExchange ex, List<String> into) throws IOException {
    String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    if (failFirst.getAndDecrement() > 0) {
      ex.sendResponseHeaders(503, -1);
    } else {
      into.add(body);
      ex.sendResponseHeaders(204, -1);
    }
    ex.close();
  }

  private String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  /** A store whose queue "mail" has a ready job and a live worker with free slots that never claims. */
  private InMemoryJobStore stalledStore() {
    InMemoryJobStore store = new InMemoryJobStore("alerts", new Clock() {
      @Override
      public Instant instant() {
        return clock.get().instant();
      }

      @Override
      public java.time.ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(java.time.ZoneId zone) {
        return this;
      }
    });
    store.heartbeat(new WorkerRecord("w1@h:1#a", "w1", "h", 1, List.of("mail"), 4, "THREADS", "RUNNING", T0, T0,
        T0.plus(Duration.ofDays(1)), 0, 0, 0, 0));
    store.enqueue(List.of(new NewJob("t.mail", "{}", "mail", 0, T0, null, dev.spindle.queue.JobPolicy.defaults(),
        T0)));
    return store;
  }

  private void at(Duration sinceT0) {
    clock.set(Clock.fixed(T0.plus(sinceT0), ZoneOffset.UTC));
  }

  @Test
  void eachIncidentIsPostedOnceToEveryWebhookInItsFormat() throws Exception {
    StallRules rules = StallRules.defaults().withClaimStall(Duration.ofMinutes(1));
    try (InMemoryJobStore store = stalledStore();
         WebhookAlerter alerter = WebhookAlerter.builder().source("prod")
             .webhook(Webhook.of("ops", url("/hooks/json/secret-token-123"), Webhook.Format.JSON))
             .webhook(Webhook.of("chat", url("/hooks/slack"), Webhook.Format.SLACK))
             .backoff(Duration.ofMillis(10)).build()) {
      StallDetector a = StallDetector.of(store, rules, alerter);
      StallDetector b = StallDetector.of(store, rules, alerter);
      at(Duration.ofMinutes(1));
      for (int i = 0; i < 3; i++) { // three evaluations by each of two detectors: one incident
        a.evaluate(store.storeTime());
        b.evaluate(store.storeTime());
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> jsonBodies.size() >= 1 && slackBodies.size() >= 1);

      store.control().pauseQueue("mail"); // the condition ends: resolved once, alerted once
      at(Duration.ofMinutes(2));
      a.evaluate(store.storeTime());
      b.evaluate(store.storeTime());
      await().atMost(Duration.ofSeconds(30)).until(() -> jsonBodies.size() >= 2 && slackBodies.size() >= 2);
      // one sending thread posts in order: a second "opened" would have come before the "resolved"

      assertThat(jsonBodies).hasSize(2);
      assertThat(slackBodies).hasSize(2);
      JsonNode opened = JSON.readTree(jsonBodies.get(0));
      assertThat(opened.get("event").asString()).isEqualTo("incident.opened");
      assertThat(opened.get("incident").get("kind").asString()).isEqualTo("STALLED_QUEUE");
      assertThat(opened.get("incident").get("queue").asString()).isEqualTo("mail");
      assertThat(opened.get("incident").get("since").asString()).isEqualTo(T0.toString());
      assertThat(opened.get("text").asString()).startsWith("[prod] incident #").contains("stalled queue on queue mail");
      assertThat(JSON.readTree(jsonBodies.get(1)).get("event").asString()).isEqualTo("incident.resolved");
      JsonNode slack = JSON.readTree(slackBodies.get(0));
      assertThat(slack.propertyNames()).containsExactly("text");
      assertThat(slack.get("text").asString()).contains("opened").contains("stalled queue");
      assertThat(alerter.delivered()).isEqualTo(4);
      assertThat(alerter.failed()).isZero();
      assertThat(alerter.dropped()).isZero();
    }
  }

  @Test
  void aFailedPostIsRetriedAndDeliveredOnce() throws Exception {
    failFirst.set(2);
    try (InMemoryJobStore store = stalledStore();
         WebhookAlerter alerter = WebhookAlerter.builder()
             .webhook(Webhook.of("ops", url("/hooks/json/secret-token-123"), Webhook.Format.JSON))
             .attempts(3).backoff(Duration.ofMillis(10)).resolvedAlerts(false).build()) {
      StallDetector d = StallDetector.of(store, StallRules.defaults().withClaimStall(Duration.ofMinutes(1)), alerter);
      at(Duration.ofMinutes(5));
      assertThat(d.evaluate(store.storeTime())).hasSize(1);

      await().atMost(Duration.ofSeconds(30)).until(() -> alerter.delivered() == 1);
      assertThat(jsonBodies).hasSize(1);
      assertThat(failFirst.get()).as("two 503s were answered first").isNegative();
    }
  }

  @Test
  void aReceiverThatNeverAnswersBlocksNoDetectorAndTimesOut() throws Exception {
    try (InMemoryJobStore store = stalledStore();
         WebhookAlerter alerter = WebhookAlerter.builder()
             .webhook(Webhook.of("hang", url("/hooks/hang"), Webhook.Format.SLACK))
             .timeout(Duration.ofMillis(300)).attempts(2).backoff(Duration.ofMillis(10)).build()) {
      StallDetector d = StallDetector.of(store, StallRules.defaults().withClaimStall(Duration.ofMinutes(1)), alerter);
      at(Duration.ofMinutes(5));
      long t = System.nanoTime();
      assertThat(d.evaluate(store.storeTime())).hasSize(1);
      assertThat(Duration.ofNanos(System.nanoTime() - t)).as("the detector did not wait for the receiver")
          .isLessThan(Duration.ofMillis(300));

      await().atMost(Duration.ofSeconds(30)).until(() -> alerter.failed() == 1);
      List<WebhookAlerter.Delivery> test = alerter.test("alice");
      assertThat(test).singleElement().satisfies(x -> {
        assertThat(x.ok()).isFalse();
        assertThat(x.webhook()).isEqualTo("hang");
        assertThat(x.problem()).contains("no answer").doesNotContain("127.0.0.1").doesNotContain("hooks");
      });
    }
  }

  @Test
  void theTestActionPostsToEveryWebhookAndReportsEach() throws Exception {
    try (WebhookAlerter alerter = WebhookAlerter.builder()
        .webhook(Webhook.of("ops", url("/hooks/json/secret-token-123"), Webhook.Format.JSON))
        .webhook(Webhook.of("gone", url("/nothing-here"), Webhook.Format.JSON)).build()) {
      List<WebhookAlerter.Delivery> r = alerter.test("alice");

      assertThat(r).extracting(WebhookAlerter.Delivery::webhook).containsExactly("ops", "gone");
      assertThat(r.get(0).ok()).isTrue();
      assertThat(r.get(1).status()).isEqualTo(404);
      assertThat(JSON.readTree(jsonBodies.get(0)).get("text").asString()).contains("test alert requested by alice");
    }
  }

  @Test
  void aWebhookUrlNeverShowsInErrorsOrNames() {
    Webhook w = Webhook.of("ops", "https://hooks.example.com/services/T000/B000/secret-token-123",
        Webhook.Format.SLACK);

    assertThat(w.toString()).doesNotContain("secret-token").doesNotContain("example");
    assertThatThrownBy(() -> Webhook.of("ops", "ftp://x/secret-token-123", Webhook.Format.JSON))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'ops'").hasMessageNotContaining("secret-token");
    assertThatThrownBy(() -> Webhook.of("ops", "https://x/ secret-token-123 %%", Webhook.Format.JSON))
        .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("secret-token");
    assertThatThrownBy(() -> AlertConfig.fromProperties(Map.of("webhook.ops.format", "slack")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no URL");
    assertThatThrownBy(() -> AlertConfig.fromProperties(Map.of("webhook.ops.url", "https://h/secret-token-123",
        "webhook.ops.format", "teams"))).hasMessageContaining("unknown format 'teams'")
        .hasMessageNotContaining("secret-token");
    assertThatThrownBy(() -> AlertConfig.fromProperties(Map.of("hook.ops.url", "https://h/s")))
        .hasMessageContaining("unknown alert setting");
  }

  @Test
  void webhooksAreReadFromAFileOrTheEnvironment(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.nio.file.Path file = dir.resolve("alerts.properties");
    java.nio.file.Files.writeString(file, "webhook.ops-slack.url = https://hooks.example.com/T/B/x\n"
        + "webhook.ops-slack.format = slack\nwebhook.mine.url = http://127.0.0.1:9/a\n");

    assertThat(AlertConfig.load(file)).containsExactly(
        Webhook.of("mine", "http://127.0.0.1:9/a", Webhook.Format.JSON),
        Webhook.of("ops-slack", "https://hooks.example.com/T/B/x", Webhook.Format.SLACK));
    assertThat(AlertConfig.fromEnvironment(Map.of("SPINDLE_WEBHOOK_OPS_SLACK_URL", "https://h/x",
        "SPINDLE_WEBHOOK_OPS_SLACK_FORMAT", "SLACK", "PATH", "/bin"))).containsExactly(
            Webhook.of("ops-slack", "https://h/x", Webhook.Format.SLACK));
  }
}
