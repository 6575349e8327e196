package dev.spindle.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.health.StallRules;
import dev.spindle.queue.health.Webhook;
import dev.spindle.queue.health.WebhookAlerter;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.store.sqlite.SqliteJobStore;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Incidents over HTTP on a real SQLite store: a dashboard that watches the store raises one incident
 * for a stalled queue, shows it on its page and in the API, and alerts a real receiver; the
 * test alert is for operators only, audited, and refused without the CSRF token.
 */
class IncidentsApiTest {
  private static final String OP = WebFixture.OPERATOR_TOKEN;
  private static final String VIEW = WebFixture.VIEWER_TOKEN;
  @TempDir
  Path dir;
  private HttpServer receiver;
  private final List<String> posts = new CopyOnWriteArrayList<>();
  private WebhookAlerter alerter;
  private WebFixture f;

  @BeforeEach
  void start() throws IOException {
    receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    receiver.createContext("/hook/T0/secret-token-9", ex -> {
      posts.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      ex.sendResponseHeaders(200, -1);
      ex.close();
    });
    receiver.start();
    alerter = WebhookAlerter.builder().webhook(Webhook.of("ops-chat", "http://127.0.0.1:"
        + receiver.getAddress().getPort() + "/hook/T0/secret-token-9", Webhook.Format.SLACK)).build();
    SqliteJobStore store = SqliteJobStore.open(dir.resolve("jobs.db"));
    Instant now = store.storeTime();
    store.heartbeat(new WorkerRecord("w1@h:1#a", "w1", "h", 1, List.of("mail"), 4, "THREADS", "RUNNING", now, now,
        now.plus(Duration.ofDays(1)), 0, 0, 0, 0));
    store.enqueue(List.of(new NewJob("t.mail", "{\"to\":\"a@example.com\"}", "mail", 0,
        now.minus(Duration.ofHours(1)), null, JobPolicy.defaults(), now)));
    f = new WebFixture(store, WebFixture.configure(Dashboard.builder(store))
        .stallDetection(StallRules.defaults().withInterval(Duration.ofMillis(200))).alerts(alerter));
  }

  @AfterEach
  void stop() {
    f.close();
    alerter.close();
    receiver.stop(0);
  }

  @Test
  void aStalledQueueIsShownInTheApiAndOnItsPageAndAlerted() {
    await().atMost(Duration.ofSeconds(30)).until(() -> posts.size() == 1);
    JsonNode open = WebFixture.json(f.get("/api/v1/incidents?open=true", VIEW));
    assertThat(open.get("detecting").asBoolean()).isTrue();
    assertThat(open.get("incidents")).hasSize(1);
    JsonNode i = open.get("incidents").get(0);
    assertThat(i.get("kind").asString()).isEqualTo("STALLED_QUEUE");
    assertThat(i.get("queue").asString()).isEqualTo("mail");
    assertThat(i.get("open").asBoolean()).isTrue();
    assertThat(i.get("details").asString()).contains("1 ready job(s)").doesNotContain("a@example.com");
    assertThat(WebFixture.JSON.readTree(posts.get(0)).get("text").asString()).contains("stalled queue on queue mail");

    HttpResponse<String> page = f.get("/incidents", VIEW);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("incidents-table").contains("STALLED_QUEUE").contains("1 webhook(s)")
        .doesNotContain("secret-token-9");
    assertThat(f.get("/api/v1/incidents?open=maybe", VIEW).statusCode()).isEqualTo(400);
    assertThat(f.get("/api/v1/incidents?limit=0", VIEW).statusCode()).isEqualTo(400);
  }

  @Test
  void theTestAlertIsForOperatorsAuditedAndNeedsTheCsrfTokenInABrowserSession() {
    await().atMost(Duration.ofSeconds(30)).until(() -> posts.size() == 1); // the incident's alert
    assertThat(f.post("/api/v1/alerts/test", VIEW, "").statusCode()).isEqualTo(403);

    HttpResponse<String> r = f.post("/api/v1/alerts/test", OP, "");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode d = WebFixture.json(r).get("deliveries").get(0);
    assertThat(d.get("webhook").asString()).isEqualTo("ops-chat");
    assertThat(d.get("ok").asBoolean()).isTrue();
    assertThat(r.body()).doesNotContain("secret-token-9");
    assertThat(posts).hasSize(2);
    assertThat(posts.get(1)).contains("test alert requested by ops");
    JsonNode audit = WebFixture.json(f.get("/api/v1/audit", VIEW)).get("entries").get(0);
    assertThat(audit.get("action").asString()).isEqualTo("alerts.test");
    assertThat(audit.get("user").asString()).isEqualTo("ops");
    assertThat(audit.get("detail").asString()).isEqualTo("ops-chat: ok");

    String form = "user=alice&password=" + URLEncoder.encode(WebFixture.PASSWORD, StandardCharsets.UTF_8);
    HttpResponse<String> login = f.send(f.request("/login", null).header("Content-Type",
        "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build());
    String c = login.headers().firstValue("Set-Cookie").orElseThrow();
    String cookie = c.substring(0, c.indexOf(';'));
    HttpResponse<String> noToken = f.send(f.request("/api/v1/alerts/test", null).header("Cookie", cookie)
        .POST(HttpRequest.BodyPublishers.noBody()).build());
    assertThat(noToken.statusCode()).isEqualTo(403);
    assertThat(posts).as("nothing posted without the token").hasSize(2);
    HttpResponse<String> page = f.send(f.request("/incidents", null).header("Cookie", cookie).GET().build());
    Matcher m = Pattern.compile("name=\"csrf-token\" content=\"([^\"]+)\"").matcher(page.body());
    assertThat(m.find()).isTrue();
    assertThat(page.body()).contains("data-api=\"api/v1/alerts/test\"");
    HttpResponse<String> withToken = f.send(f.request("/api/v1/alerts/test", null).header("Cookie", cookie)
        .header("X-CSRF-Token", m.group(1)).header("Origin", f.dashboard.url())
        .POST(HttpRequest.BodyPublishers.noBody()).build());
    assertThat(withToken.statusCode()).as(withToken.body()).isEqualTo(200);
    assertThat(posts).hasSize(3);
  }

  @Test
  void withoutWebhooksTheTestAlertIsAConflict() {
    try (WebFixture plain = new WebFixture(SqliteJobStore.open(dir.resolve("plain.db")))) {
      HttpResponse<String> r = plain.post("/api/v1/alerts/test", OP, "");
      assertThat(r.statusCode()).isEqualTo(409);
      assertThat(WebFixture.json(r).get("detail").asString()).contains("no webhooks");
      JsonNode list = WebFixture.json(plain.get("/api/v1/incidents", VIEW));
      assertThat(list.get("incidents")).isEmpty();
      assertThat(list.get("detecting").asBoolean()).isFalse();
    }
  }
}
