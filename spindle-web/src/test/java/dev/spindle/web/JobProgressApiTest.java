package dev.spindle.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.Sensitive;
import dev.spindle.Task;
import dev.spindle.TaskContext;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.JobHandle;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.KeyRing;
import dev.spindle.queue.Worker;
import dev.spindle.store.sqlite.SqliteJobStore;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * What running jobs report, over REST and on the job page: {@code GET /jobs/{id}} carries the
 * progress, {@code GET /jobs/{id}/logs?after=N} the lines above N; bad input and unknown jobs get
 * clear errors; jobs with sensitive fields or encrypted arguments have their text masked whole.
 */
class JobProgressApiTest {
  static final String TOKEN = "tok-3141592653";
  static final CountDownLatch GO = new CountDownLatch(1);

  /** A login with a secret, marked sensitive. */
  record Login(String user, @Sensitive String token) {}

  static final Task<String, String> REPORTS = Task.withContext("web.reports", String.class, String.class,
      (in, tc) -> {
        tc.progress(0.4, "working on " + in);
        tc.log("first");
        tc.log(TaskContext.LogLevel.WARN, "second");
        tc.log(TaskContext.LogLevel.ERROR, "third <b>bold</b>");
        if (in.equals("wait")) {
          assertThat(GO.await(30, TimeUnit.SECONDS)).isTrue();
        }
        return in;
      });

  static final Task<Login, String> SECRET = Task.withContext("web.secret", Login.class, String.class,
      (in, tc) -> {
        tc.progress(0.5, "logging in with " + in.token());
        tc.log("token " + in.token());
        return in.user();
      });

  static final TaskRegistry REGISTRY = TaskRegistry.builder().add(REPORTS).add(SECRET).build();

  @TempDir
  Path dir;

  private WebFixture web() {
    SqliteJobStore store = SqliteJobStore.open(dir.resolve("jobs.db"));
    return new WebFixture(store, WebFixture.configure(Dashboard.builder(store)).registry(REGISTRY));
  }

  @Test
  void aRunningJobShowsItsProgressAndItsLogLines() {
    try (WebFixture web = web();
         JobQueue q = JobQueue.builder(web.store).registry(REGISTRY).build();
         Worker w = Worker.builder(web.store).registry(REGISTRY).pollInterval(Duration.ofMillis(20))
             .progressFlushInterval(Duration.ofMillis(50)).start()) {
      JobHandle<String> h = q.enqueue(REPORTS, "wait");
      await().atMost(Duration.ofSeconds(30)).until(() -> WebFixture.json(web.get("/api/v1/jobs/" + h.id(),
          WebFixture.VIEWER_TOKEN)).path("progress").path("linesTotal").asLong() == 3);
      JsonNode job = WebFixture.json(web.get("/api/v1/jobs/" + h.id(), WebFixture.VIEWER_TOKEN));
      assertThat(job.path("state").asString()).isEqualTo("RUNNING");
      assertThat(job.path("progress").path("fraction").asDouble()).isEqualTo(0.4);
      assertThat(job.path("progress").path("message").asString()).isEqualTo("working on wait");
      assertThat(job.path("progress").has("lines")).as("lines are read with /logs").isFalse();

      JsonNode logs = WebFixture.json(web.get("/api/v1/jobs/" + h.id() + "/logs?after=1", WebFixture.VIEWER_TOKEN));
      assertThat(logs.path("linesTotal").asLong()).isEqualTo(3);
      assertThat(logs.path("lines")).hasSize(2);
      assertThat(logs.path("lines").get(0).path("seq").asLong()).isEqualTo(2);
      assertThat(logs.path("lines").get(0).path("level").asString()).isEqualTo("WARN");
      assertThat(logs.path("lines").get(1).path("message").asString()).isEqualTo("third <b>bold</b>");

      HttpResponse<String> page = web.get("/jobs/" + h.id(), WebFixture.VIEWER_TOKEN);
      assertThat(page.body()).contains("id=\"job-progress-bar\" max=\"1\" value=\"0.4\"", "40%", "working on wait",
          "third &lt;b&gt;bold&lt;/b&gt;").doesNotContain("<b>bold</b>");
      GO.countDown();
      assertThat(h.result(Duration.ofSeconds(30))).isEqualTo("wait");
    }
  }

  @Test
  void badInputAndUnknownJobsGetClearErrors() {
    try (WebFixture web = WebFixture.sqlite(dir);
         JobQueue q = JobQueue.builder(web.store).registry(REGISTRY).build()) {
      String id = q.enqueue(REPORTS, "x").id();
      assertThat(web.get("/api/v1/jobs/" + id + "/logs?after=-1", WebFixture.VIEWER_TOKEN).statusCode())
          .isEqualTo(400);
      HttpResponse<String> bad = web.get("/api/v1/jobs/" + id + "/logs?after=abc", WebFixture.VIEWER_TOKEN);
      assertThat(bad.statusCode()).isEqualTo(400);
      assertThat(bad.body()).contains("after must be a whole number");
      assertThat(web.get("/api/v1/jobs/424242/logs", WebFixture.VIEWER_TOKEN).statusCode()).isEqualTo(404);
      assertThat(web.get("/api/v1/jobs/" + id + "/logs", null).statusCode()).isEqualTo(401);
      JsonNode none = WebFixture.json(web.get("/api/v1/jobs/" + id + "/logs", WebFixture.VIEWER_TOKEN));
      assertThat(none.path("fraction").isNull()).isTrue();
      assertThat(none.path("lines")).isEmpty();
      assertThat(web.store.find("424242")).isEmpty();
    }
  }

  @Test
  void sensitiveAndEncryptedJobsHaveTheirTextMasked() {
    KeyRing ring = KeyRing.of("k1", Map.of("k1", KeyRing.newKey()));
    try (WebFixture web = web();
         JobQueue q = JobQueue.builder(web.store).registry(REGISTRY).build();
         JobQueue sealed = JobQueue.builder(web.store).registry(REGISTRY).encryption(ring).build();
         Worker w = Worker.builder(web.store).registry(REGISTRY).encryption(ring).pollInterval(Duration.ofMillis(20))
             .start()) {
      JobHandle<String> sensitive = q.enqueue(SECRET, new Login("ada", TOKEN));
      JobHandle<String> encrypted = sealed.enqueue(REPORTS, "sealed-input", JobOptions.defaults());
      assertThat(sensitive.result(Duration.ofSeconds(30))).isEqualTo("ada");
      assertThat(encrypted.result(Duration.ofSeconds(30))).isEqualTo("sealed-input");
      for (String id : new String[] {sensitive.id(), encrypted.id()}) {
        HttpResponse<String> logs = web.get("/api/v1/jobs/" + id + "/logs", WebFixture.VIEWER_TOKEN);
        JsonNode j = WebFixture.json(logs);
        assertThat(j.path("message").asString()).isEqualTo("***");
        assertThat(j.path("lines").get(0).path("message").asString()).isEqualTo("***");
        assertThat(logs.body()).doesNotContain(TOKEN).doesNotContain("sealed-input");
        assertThat(web.get("/api/v1/jobs/" + id, WebFixture.VIEWER_TOKEN).body()).doesNotContain(TOKEN)
            .doesNotContain("working on");
        assertThat(web.get("/jobs/" + id, WebFixture.OPERATOR_TOKEN).body()).doesNotContain(TOKEN)
            .doesNotContain("working on").contains("job-progress-bar");
      }
    }
  }
}
