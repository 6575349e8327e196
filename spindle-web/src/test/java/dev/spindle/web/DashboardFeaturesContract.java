package dev.spindle.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.TaskRegistry;
import dev.spindle.queue.Worker;
import dev.spindle.testkit.store.StoreContractTasks;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The dashboard's search, statistics and schedule pausing over the REST API, against a real store:
 * subclassed for SQLite and for a real redis-server.
 */
abstract class DashboardFeaturesContract extends WebStoreContract {
  private static String q(String v) {
    return URLEncoder.encode(v, StandardCharsets.UTF_8);
  }

  private JsonNode jobs(String query) {
    HttpResponse<String> r = f.get("/api/v1/jobs?" + query, VIEW);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return WebFixture.json(r);
  }

  /**
   * Two jobs in queue s whose arguments do not fit their task (they go DEAD with "arguments of job N
   * (task 'store.square') does not fit ..."), one other.
   */
  private Instant seed() {
    f.post("/api/v1/jobs", OP, "{\"task\":\"store.square\",\"args\":{\"order\":\"ORD-7731-A\"},\"queue\":\"s\"}");
    f.post("/api/v1/jobs", OP, "{\"task\":\"store.square\",\"args\":{\"order\":\"ord-7731-b\"},\"queue\":\"s\"}");
    f.post("/api/v1/jobs", OP, "{\"task\":\"store.echo\",\"args\":\"plain\",\"queue\":\"other\"}");
    Instant beforeRun = Instant.now().minusSeconds(1);
    try (Worker w = Worker.builder(f.store).registry(TaskRegistry.of(StoreContractTasks.class)).queues("s")
        .pollInterval(Duration.ofMillis(20)).start()) {
      await().atMost(Duration.ofSeconds(20)).until(() -> jobs("state=dead").get("jobs").size() == 2);
    }
    return beforeRun;
  }

  @Test
  void jobsAreSearchedByTextInArgumentsOrErrorAndByTimeRange() {
    Instant beforeRun = seed();
    assertThat(jobs("q=7731").get("jobs").size()).isEqualTo(2);
    assertThat(jobs("q=" + q("ORD-7731-a")).get("jobs").size()).isEqualTo(1); // ASCII case ignored
    assertThat(jobs("q=" + q("task 'store.square'")).get("jobs").size()).isEqualTo(2); // in the error
    assertThat(jobs("q=" + q("does not fit") + "&queue=other").get("jobs").size()).isZero();
    assertThat(jobs("q=plain&state=queued").get("jobs").size()).isEqualTo(1);
    HttpResponse<String> shortText = f.get("/api/v1/jobs?q=ab", VIEW);
    assertThat(shortText.statusCode()).isEqualTo(400);
    assertThat(WebFixture.json(shortText).get("detail").asString()).contains("3 to 200 characters");
    String future = Instant.now().plus(Duration.ofDays(1)).toString();
    assertThat(jobs("createdAfter=" + future).get("jobs").size()).isZero();
    assertThat(jobs("createdBefore=" + future).get("jobs").size()).isEqualTo(3);
    assertThat(jobs("finishedAfter=" + beforeRun).get("jobs").size()).isEqualTo(2);
    assertThat(jobs("finishedAfter=" + beforeRun + "&finishedBefore=" + beforeRun.plusMillis(1)).get("jobs")
        .size()).isZero();
    HttpResponse<String> badTime = f.get("/api/v1/jobs?createdAfter=yesterday", VIEW);
    assertThat(badTime.statusCode()).isEqualTo(400);
    assertThat(WebFixture.json(badTime).get("detail").asString()).contains("createdAfter", "yesterday");
    // a date and time without zone is UTC (what the page's datetime-local fields send)
    assertThat(jobs("createdAfter=2000-01-01T00:00").get("jobs").size()).isEqualTo(3);
    // paging keeps the search
    JsonNode first = jobs("q=7731&limit=1");
    assertThat(first.get("jobs").size()).isEqualTo(1);
    String next = first.get("next").asString();
    assertThat(next).contains("q=7731");
    JsonNode second = WebFixture.json(f.get(next, VIEW));
    assertThat(second.get("jobs").size()).isEqualTo(1);
    assertThat(second.get("jobs").get(0).get("id").asString())
        .isNotEqualTo(first.get("jobs").get(0).get("id").asString());
    // bulk actions take the same filter, done in the store
    JsonNode retried = WebFixture.json(f.post("/api/v1/jobs/retry", OP, "{\"q\":\"ord-7731-b\"}"));
    assertThat(retried.get("requeued").asInt()).isEqualTo(1);
    assertThat(jobs("state=dead").get("jobs").size()).isEqualTo(1);
    JsonNode audit = WebFixture.json(f.get("/api/v1/audit", VIEW)).get("entries");
    assertThat(audit.get(0).get("target").asString()).contains("text=ord-7731-b");
    // the jobs page searches the same way
    HttpResponse<String> page = f.get("/jobs?q=7731&createdAfter=2000-01-01T00:00", OP);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("data-job=\"1\"", "data-job=\"2\"")
        .doesNotContain("data-job=\"3\"").contains("id=\"filter-q\"", "value=\"7731\"");
  }

  @Test
  void theOverviewReadsStatisticsKeptInTheStoreSoARestartLosesNothing() {
    seed();
    f.post("/api/v1/jobs", OP, "{\"task\":\"store.echo\",\"args\":\"waits\",\"queue\":\"nobody-listens\"}");
    HttpResponse<String> r = f.get("/api/v1/stats?minutes=60", VIEW);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode st = WebFixture.json(r);
    assertThat(st.get("started").asLong()).isEqualTo(2);
    assertThat(st.get("dead").asLong()).isEqualTo(2);
    assertThat(st.get("failures").asLong()).isEqualTo(2);
    assertThat(st.get("waitMillis").get("p50").asLong()).isPositive();
    assertThat(st.get("waitMillis").get("p99").asLong()).isGreaterThanOrEqualTo(st.get("waitMillis").get("p50")
        .asLong());
    assertThat(st.get("minutes").size()).isPositive();
    assertThat(st.get("oldestWaitingSince").isNull()).isFalse();
    assertThat(f.get("/api/v1/stats?minutes=0", VIEW).statusCode()).isEqualTo(400);
    JsonNode status = WebFixture.json(f.get("/api/v1/status", VIEW));
    assertThat(status.get("overview").get("dead").asLong()).isEqualTo(2);
    String html = f.get("/", OP).body();
    assertThat(html).contains("id=\"chart-finished\"", "id=\"chart-wait\"", "Wait p95", "Oldest waiting",
        "<rect class=\"bad\"").doesNotContain("<script>");
    // a new dashboard on the same store (a restart) shows the same statistics
    f.dashboard.close();
    WebFixture again = new WebFixture(f.store, WebFixture.configure(Dashboard.builder(f.store)));
    try {
      JsonNode st2 = WebFixture.json(again.get("/api/v1/stats?minutes=60", VIEW));
      assertThat(st2.get("started").asLong()).isEqualTo(2);
      assertThat(st2.get("dead").asLong()).isEqualTo(2);
      assertThat(st2.get("minutes").toString()).isEqualTo(st.get("minutes").toString());
    } finally {
      again.dashboard.close();
    }
  }

  @Test
  void schedulesArePausedAndResumedInTheStore() {
    HttpResponse<String> add = f.post("/api/v1/schedules", OP,
        "{\"name\":\"tick\",\"task\":\"store.echo\",\"args\":\"x\",\"every\":\"1h\"}");
    assertThat(add.statusCode()).as(add.body()).isEqualTo(201);
    assertThat(f.post("/api/v1/schedules/tick/pause", VIEW, "").statusCode()).isEqualTo(403);
    HttpResponse<String> pause = f.post("/api/v1/schedules/tick/pause", OP, "");
    assertThat(pause.statusCode()).as(pause.body()).isEqualTo(200);
    assertThat(WebFixture.json(f.get("/api/v1/schedules", VIEW)).get("schedules").get(0).get("paused").asBoolean())
        .isTrue();
    assertThat(f.store.control().pausedSchedules()).containsExactly("tick");
    assertThat(f.store.dueSchedules(Instant.now().plus(Duration.ofDays(1)), 10)).isEmpty();
    assertThat(f.get("/schedules", OP).body()).contains("id=\"resume-schedule-tick\"", "paused");
    assertThat(f.post("/api/v1/schedules/nope/pause", OP, "").statusCode()).isEqualTo(404);
    assertThat(f.post("/api/v1/schedules/tick/resume", OP, "").statusCode()).isEqualTo(200);
    assertThat(WebFixture.json(f.get("/api/v1/schedules", VIEW)).get("schedules").get(0).get("paused").asBoolean())
        .isFalse();
    assertThat(f.store.dueSchedules(Instant.now().plus(Duration.ofDays(1)), 10)).hasSize(1);
    assertThat(f.get("/schedules", OP).body()).contains("id=\"pause-schedule-tick\"");
    String audit = WebFixture.json(f.get("/api/v1/audit", VIEW)).get("entries").toString();
    assertThat(audit).contains("schedule.pause", "schedule.resume");
  }
}
