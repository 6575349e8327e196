package dev.spindle.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.TaskRegistry;
import dev.spindle.queue.JobState;
import dev.spindle.queue.Worker;
import dev.spindle.testkit.store.StoreContractTasks;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** The REST API against a real server on a loopback port over a real SQLite store. */
class ApiTest {
  @TempDir
  Path dir;

  WebFixture f;

  @BeforeEach
  void start() {
    f = WebFixture.sqlite(dir);
  }

  @AfterEach
  void stop() {
    f.close();
  }

  static final String OP = WebFixture.OPERATOR_TOKEN;
  static final String VIEW = WebFixture.VIEWER_TOKEN;

  @Test
  void aStoreFailureAnswersAGenericProblemWithACorrelationIdNotTheStoresMessage() throws Exception {
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("jobs.db"));
         java.sql.Statement st = c.createStatement()) {
      st.execute("DROP TABLE spindle_workers"); // the store's next read of the workers fails
    }
    HttpResponse<String> r = f.get("/api/v1/workers", VIEW);
    assertThat(r.statusCode()).as(r.body()).isIn(500, 503); // 503: SQLite errors count as transient I/O
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    JsonNode p = WebFixture.json(r);
    String id = p.path("correlationId").asString();
    assertThat(id).matches("[0-9a-f]{16}");
    assertThat(p.path("title").asString()).isEqualTo("Store failure");
    assertThat(p.path("detail").asString()).contains(id);
    assertThat(r.body()).doesNotContain(dir.toString(), "spindle_workers", "SQLite", "jobs.db");
    // the caller's own mistakes keep their clear message
    HttpResponse<String> bad = f.get("/api/v1/jobs/not-a-job-id", VIEW);
    assertThat(bad.statusCode()).isIn(400, 404);
    assertThat(WebFixture.json(bad).path("detail").asString()).contains("not-a-job-id");
  }

  @Test
  void theQueuesViewNamesWaitingJobsWhoseTaskNoLiveWorkerKnows() {
    java.time.Instant now = f.store.storeTime();
    f.store.heartbeat(new dev.spindle.queue.spi.WorkerRecord("old", "old", "host", 1, java.util.List.of("default"), 4,
        "THREADS", "RUNNING", now, now, now.plusSeconds(3600), 0, 0, 0, 0, null, java.util.Set.of("store.echo")));
    java.util.List<dev.spindle.queue.spi.NewJob> jobs = new java.util.ArrayList<>();
    for (String task : java.util.List.of("store.echo", "report.build", "report.build")) {
      jobs.add(new dev.spindle.queue.spi.NewJob(task, "1", "default", 0, now, null,
          dev.spindle.queue.JobPolicy.defaults(), now));
    }
    f.store.enqueue(jobs);
    JsonNode u = WebFixture.json(f.get("/api/v1/queues", VIEW)).get("unroutable");
    assertThat(u.size()).isEqualTo(1);
    assertThat(u.get(0).get("queue").asString()).isEqualTo("default");
    assertThat(u.get(0).get("task").asString()).isEqualTo("report.build");
    assertThat(u.get(0).get("waiting").asLong()).isEqualTo(2);
    String page = f.get("/queues", VIEW).body();
    assertThat(page).contains("Waiting for a worker that knows their task", "id=\"unroutable-table\"",
        "<td>report.build</td><td class=\"num\">2</td>");
    f.store.deregisterWorker("old", now);
    assertThat(WebFixture.json(f.get("/api/v1/queues", VIEW)).get("unroutable").size())
        .as("no live worker: the ordinary case").isZero();
    assertThat(f.get("/queues", VIEW).body()).doesNotContain("unroutable-table");
  }

  @Test
  void aWaitingJobHeldByAFlowLimitSaysWhichAndWhy() {
    dev.spindle.queue.FlowLimit limit = dev.spindle.queue.FlowLimit.parse("api per=arg:tenant concurrency=1");
    f.store.flowAdmin().orElseThrow().putLimit(limit);
    java.time.Instant now = java.time.Instant.now();
    java.util.List<dev.spindle.queue.spi.NewJob> jobs = new java.util.ArrayList<>();
    for (int i = 0; i < 2; i++) {
      jobs.add(new dev.spindle.queue.spi.NewJob("store.echo", "{\"tenant\":\"acme\"}", "default", 0, now, null,
          dev.spindle.queue.JobPolicy.defaults(), now, null).withFlowKey("api:acme"));
    }
    String second = f.store.enqueue(jobs).get(1).jobId();
    f.store.heartbeat(new dev.spindle.queue.spi.WorkerRecord("w1", "w", "host", 1, java.util.List.of("default"), 4,
        "THREADS", "RUNNING", now, now, now.plusSeconds(3600), 0, 0, 0, 0));
    assertThat(f.store.claim(new dev.spindle.queue.spi.ClaimRequest("w1", java.util.List.of("default"), 4, now))
        .jobs()).hasSize(1);
    JsonNode hold = WebFixture.json(f.get("/api/v1/jobs/" + second, VIEW)).get("flowHold");
    assertThat(hold.get("limit").asString()).isEqualTo("api");
    assertThat(hold.get("key").asString()).isEqualTo("api:acme");
    assertThat(hold.get("rule").asString()).isEqualTo("CONCURRENCY");
    assertThat(hold.get("detail").asString()).isEqualTo("1 of 1 running");
  }

  @Test
  void enqueueAnswers202WithLocationAndTheJobCarriesAnEtag() {
    HttpResponse<String> r = f.post("/api/v1/jobs", OP,
        "{\"task\":\"store.echo\",\"args\":\"hi\",\"queue\":\"mail\",\"priority\":3}");
    assertThat(r.statusCode()).isEqualTo(202);
    String loc = r.headers().firstValue("Location").orElseThrow();
    assertThat(loc).matches("/api/v1/jobs/[0-9]+");
    HttpResponse<String> job = f.get(loc, VIEW);
    assertThat(job.statusCode()).isEqualTo(200);
    JsonNode j = WebFixture.json(job);
    assertThat(j.get("task").asString()).isEqualTo("store.echo");
    assertThat(j.get("queue").asString()).isEqualTo("mail");
    assertThat(j.get("state").asString()).isEqualTo("QUEUED");
    assertThat(j.get("args").asString()).isEqualTo("hi");
    String etag = job.headers().firstValue("ETag").orElseThrow();
    HttpResponse<String> again = f.send(f.request(loc, VIEW).header("If-None-Match", etag).GET().build());
    assertThat(again.statusCode()).isEqualTo(304);
    assertThat(again.body()).isEmpty();
    HttpResponse<String> result = f.get(loc + "/result", VIEW);
    assertThat(result.statusCode()).isEqualTo(202);
    assertThat(result.headers().firstValue("Retry-After")).contains("1");
  }

  @Test
  void idempotencyKeyReturnsTheSameJob() {
    HttpRequest.Builder b = f.request("/api/v1/jobs", OP).header("Idempotency-Key", "order-42")
        .header("Content-Type", "application/json");
    HttpResponse<String> a = f.send(b.POST(HttpRequest.BodyPublishers.ofString("{\"task\":\"t.a\"}")).build());
    HttpResponse<String> c = f.send(b.POST(HttpRequest.BodyPublishers.ofString("{\"task\":\"t.a\"}")).build());
    assertThat(a.statusCode()).isEqualTo(202);
    assertThat(c.statusCode()).isEqualTo(202);
    assertThat(WebFixture.json(c).get("id").asString()).isEqualTo(WebFixture.json(a).get("id").asString());
    assertThat(WebFixture.json(a).get("created").asBoolean()).isTrue();
    assertThat(WebFixture.json(c).get("created").asBoolean()).isFalse();
  }

  @Test
  void badInputGetsProblemJsonAndChangesNothing() {
    HttpResponse<String> bad = f.post("/api/v1/jobs", OP, "{\"task\": ");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/problem+json");
    assertThat(WebFixture.json(bad).get("detail").asString()).contains("malformed JSON");
    assertThat(f.post("/api/v1/jobs", OP, "{\"args\":1}").statusCode()).isEqualTo(400);
    assertThat(f.post("/api/v1/jobs", OP, "{\"task\":\"a\",\"delay\":\"soon\"}").statusCode()).isEqualTo(400);
    assertThat(f.get("/api/v1/jobs/999", VIEW).statusCode()).isEqualTo(404);
    assertThat(f.get("/api/v1/jobs/abc", VIEW).statusCode()).isEqualTo(404);
    assertThat(f.get("/api/v1/jobs?state=bogus", VIEW).statusCode()).isEqualTo(400);
    String big = "{\"task\":\"a\",\"args\":\"" + "x".repeat(3 * 1024 * 1024) + "\"}";
    assertThat(f.post("/api/v1/jobs", OP, big).statusCode()).isEqualTo(413);
    assertThat(WebFixture.json(f.get("/api/v1/jobs", VIEW)).get("jobs").size()).isZero();
  }

  @Test
  void objectsWhereTextOrNumbersBelongAre400sNamingTheField() {
    String id = WebFixture.json(f.post("/api/v1/jobs", OP, "{\"task\":\"a\"}")).get("id").asString();
    HttpResponse<String> max = f.post("/api/v1/jobs/cancel", OP, "{\"max\":{}}");
    assertThat(max.statusCode()).isEqualTo(400);
    assertThat(WebFixture.json(max).get("detail").asString())
        .isEqualTo("max must be a whole number from 1 to 100000: '{}'");
    HttpResponse<String> state = f.post("/api/v1/jobs/cancel", OP, "{\"state\":[{}]}");
    assertThat(state.statusCode()).isEqualTo(400);
    assertThat(WebFixture.json(state).get("detail").asString())
        .isEqualTo("'state' must be a string or an array of strings");
    HttpResponse<String> zone = f.post("/api/v1/schedules", OP,
        "{\"name\":\"s\",\"task\":\"a\",\"cron\":\"* * * * *\",\"zone\":{}}");
    assertThat(zone.statusCode()).isEqualTo(400);
    assertThat(WebFixture.json(zone).get("detail").asString()).isEqualTo("'zone' must be a string");
    assertThat(f.store.find(id).orElseThrow().state()).isEqualTo(JobState.QUEUED);
    assertThat(WebFixture.json(f.get("/api/v1/schedules", VIEW)).get("schedules").size()).isZero();
  }

  @Test
  void aFilterNamingNoPossibleQueueOrTaskIsRefusedAndForgesNoAuditLine() {
    String forged = "mail\n2026-11-25T00:00:00Z admin job.delete 1";
    HttpResponse<String> queue = f.post("/api/v1/jobs/cancel", OP,
        "{\"queue\":\"" + forged.replace("\n", "\\n") + "\"}");
    assertThat(queue.statusCode()).isEqualTo(400);
    assertThat(WebFixture.json(queue).get("detail").asString())
        .isEqualTo("invalid queue name 'mail\\n2026-11-25T00:00:00Z admin job.delete 1': use 1-100 characters of"
            + " letters, digits and . _ : -");
    HttpResponse<String> task = f.post("/api/v1/jobs/purge", OP, "{\"task\":\"" + "t".repeat(300) + "\"}");
    assertThat(task.statusCode()).isEqualTo(400);
    assertThat(WebFixture.json(task).get("detail").asString()).startsWith("invalid task name 'ttt");
    assertThat(f.get("/api/v1/jobs?queue=a%0Ab", VIEW).statusCode()).isEqualTo(400);
    assertThat(WebFixture.json(f.get("/api/v1/audit", VIEW)).get("entries").size()).isZero();
  }

  @Test
  void credentialsAndRolesAreEnforced() {
    HttpResponse<String> none = f.get("/api/v1/jobs", null);
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.headers().firstValue("WWW-Authenticate")).isPresent();
    assertThat(f.get("/api/v1/jobs", "wrong-token-0123456789").statusCode()).isEqualTo(401);
    HttpResponse<String> viewer = f.post("/api/v1/jobs", VIEW, "{\"task\":\"a\"}");
    assertThat(viewer.statusCode()).isEqualTo(403);
    assertThat(WebFixture.json(viewer).get("detail").asString()).contains("operator");
    assertThat(f.get("/metrics", VIEW).body()).isEqualTo("spindle_up 1\n");
    assertThat(f.get("/metrics", null).statusCode()).isEqualTo(401);
    HttpResponse<String> page = f.get("/", VIEW);
    assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow()).contains("script-src 'self'")
        .doesNotContain("unsafe-inline");
  }

  @Test
  void listsPageWithACursorAndFilter() {
    for (int i = 0; i < 7; i++) {
      f.post("/api/v1/jobs", OP, "{\"task\":\"t." + (i % 2 == 0 ? "even" : "odd") + "\",\"queue\":\"q" + (i % 3)
          + "\"}");
    }
    JsonNode p1 = WebFixture.json(f.get("/api/v1/jobs?limit=3", VIEW));
    assertThat(p1.get("jobs").size()).isEqualTo(3);
    assertThat(p1.get("jobs").get(0).get("id").asString()).isEqualTo("7");
    String next = p1.get("next").asString();
    JsonNode p2 = WebFixture.json(f.get(next, VIEW));
    assertThat(p2.get("jobs").get(0).get("id").asString()).isEqualTo("4");
    JsonNode p3 = WebFixture.json(f.get(p2.get("next").asString(), VIEW));
    assertThat(p3.get("jobs").size()).isEqualTo(1);
    assertThat(p3.get("next").isNull()).isTrue();
    JsonNode even = WebFixture.json(f.get("/api/v1/jobs?task=t.even&queue=q0&state=queued", VIEW));
    assertThat(even.get("jobs").size()).isEqualTo(2); // jobs 1 and 7
  }

  @Test
  void deadJobsAreRetriedCancelledAndPurgedInBulk() throws Exception {
    for (int i = 0; i < 3; i++) {
      // arguments that do not fit the task's input: dead-lettered (bad_args) by the first worker
      f.post("/api/v1/jobs", OP, "{\"task\":\"store.square\",\"args\":{\"n\":" + i + "}}");
    }
    try (Worker w = Worker.builder(f.store).registry(TaskRegistry.of(StoreContractTasks.class))
        .pollInterval(Duration.ofMillis(50)).start()) {
      await().atMost(Duration.ofSeconds(20)).until(() ->
          WebFixture.json(f.get("/api/v1/jobs?state=dead", VIEW)).get("jobs").size() == 3);
    }
    HttpResponse<String> one = f.post("/api/v1/jobs/1/retry", OP, "");
    assertThat(one.statusCode()).isEqualTo(200);
    assertThat(WebFixture.json(one).get("state").asString()).isEqualTo("QUEUED");
    HttpResponse<String> again = f.post("/api/v1/jobs/1/retry", OP, "");
    assertThat(again.statusCode()).isEqualTo(409);
    HttpResponse<String> bulk = f.post("/api/v1/jobs/retry", OP, "{\"state\":[\"dead\"]}");
    assertThat(WebFixture.json(bulk).get("requeued").asInt()).isEqualTo(2);
    HttpResponse<String> cancel = f.post("/api/v1/jobs/cancel", OP, "{\"state\":\"queued\"}");
    assertThat(WebFixture.json(cancel).get("cancelled").asInt()).isEqualTo(3);
    assertThat(f.post("/api/v1/jobs/purge", OP, "{\"state\":\"queued\"}").statusCode()).isEqualTo(400);
    HttpResponse<String> purge = f.post("/api/v1/jobs/purge", OP, "{\"state\":\"cancelled\"}");
    assertThat(WebFixture.json(purge).get("purged").asInt()).isEqualTo(3);
    assertThat(f.store.find("2")).isEmpty();
    JsonNode audit = WebFixture.json(f.get("/api/v1/audit", VIEW)).get("entries");
    assertThat(audit.get(0).get("action").asString()).isEqualTo("jobs.purge");
    assertThat(audit.get(0).get("user").asString()).isEqualTo("ops");
  }

  @Test
  void queuesWorkersSchedulesAndStatus() {
    f.post("/api/v1/jobs", OP, "{\"task\":\"a\",\"queue\":\"mail\"}");
    HttpRequest put = f.request("/api/v1/queues/mail/limit", OP).header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString("{\"limit\":4}")).build();
    assertThat(f.send(put).statusCode()).isEqualTo(200);
    JsonNode q = WebFixture.json(f.get("/api/v1/queues", VIEW)).get("queues").get(0);
    assertThat(q.get("name").asString()).isEqualTo("mail");
    assertThat(q.get("waiting").asLong()).isEqualTo(1);
    assertThat(q.get("limit").asInt()).isEqualTo(4);
    assertThat(WebFixture.json(f.get("/api/v1/workers", VIEW)).get("workers").size()).isZero();
    HttpResponse<String> s = f.post("/api/v1/schedules", OP,
        "{\"name\":\"nightly\",\"task\":\"report\",\"args\":{\"x\":1},\"cron\":\"0 3 * * *\"}");
    assertThat(s.statusCode()).isEqualTo(201);
    JsonNode list = WebFixture.json(f.get("/api/v1/schedules?next=3", VIEW)).get("schedules");
    assertThat(list.get(0).get("nextFireTimes").size()).isEqualTo(3);
    assertThat(list.get(0).get("nextFireTimes").get(0).asString()).endsWith("T03:00:00Z");
    HttpResponse<String> run = f.post("/api/v1/schedules/nightly/run", OP, "");
    assertThat(run.statusCode()).isEqualTo(202);
    assertThat(f.store.find(WebFixture.json(run).get("id").asString()).orElseThrow().task()).isEqualTo("report");
    assertThat(f.send(f.request("/api/v1/schedules/nightly", OP).DELETE().build()).statusCode()).isEqualTo(204);
    assertThat(f.send(f.request("/api/v1/schedules/nightly", OP).DELETE().build()).statusCode()).isEqualTo(404);
    JsonNode st = WebFixture.json(f.get("/api/v1/status", VIEW));
    assertThat(st.get("totals").get("QUEUED").asLong()).isEqualTo(2);
  }

  @Test
  void pausedQueuesStayPausedInTheStoreAndFinishedJobsCanBeDeleted() throws Exception {
    String id = WebFixture.json(f.post("/api/v1/jobs", OP, "{\"task\":\"store.echo\",\"args\":\"x\","
        + "\"queue\":\"mail\"}")).get("id").asString();
    HttpResponse<String> paused = f.post("/api/v1/queues/mail/pause", OP, "");
    assertThat(paused.statusCode()).isEqualTo(200);
    assertThat(WebFixture.json(f.get("/api/v1/queues", VIEW)).get("queues").get(0).get("paused").asBoolean())
        .isTrue();
    assertThat(f.store.control().pausedQueues()).containsExactly("mail");
    try (Worker w = Worker.builder(f.store).registry(TaskRegistry.of(StoreContractTasks.class)).queues("mail")
        .pollInterval(Duration.ofMillis(20)).start()) {
      // the worker polls the paused queue and leaves the job alone; resume lets it run
      await().pollDelay(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
          .until(() -> f.store.find(id).orElseThrow().state() == JobState.QUEUED);
      assertThat(f.post("/api/v1/queues/mail/resume", OP, "").statusCode()).isEqualTo(200);
      w.wakeUp();
      await().atMost(Duration.ofSeconds(20)).until(() -> f.store.find(id).orElseThrow().state()
          == JobState.SUCCEEDED);
    }
    assertThat(f.post("/api/v1/queues/bad%20name/pause", OP, "").statusCode()).isEqualTo(400);
    String waiting = WebFixture.json(f.post("/api/v1/jobs", OP, "{\"task\":\"a\"}")).get("id").asString();
    assertThat(f.send(f.request("/api/v1/jobs/" + waiting, OP).DELETE().build()).statusCode()).isEqualTo(409);
    assertThat(f.send(f.request("/api/v1/jobs/" + id, OP).DELETE().build()).statusCode()).isEqualTo(204);
    assertThat(f.send(f.request("/api/v1/jobs/" + id, OP).DELETE().build()).statusCode()).isEqualTo(404);
    JsonNode audit = WebFixture.json(f.get("/api/v1/audit", VIEW)).get("entries");
    assertThat(audit.get(0).get("action").asString()).isEqualTo("job.delete");
    assertThat(audit.toString()).contains("queue.pause", "queue.resume");
    // the audit log is in the store: a second dashboard on the same store sees it
    try (Dashboard other = WebFixture.configure(Dashboard.builder(f.store)).build().start()) {
      HttpResponse<String> r = f.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(other.url()
          + "/api/v1/audit")).header("Authorization", "Bearer " + VIEW).build());
      assertThat(r.body()).contains("queue.pause");
    }
  }

  @Test
  void everyRouteIsInTheOpenApiDocument() {
    JsonNode doc = WebFixture.json(f.get("/api/v1/openapi.json", VIEW));
    assertThat(doc.get("openapi").asString()).startsWith("3.1");
    Set<String> documented = new HashSet<>();
    doc.get("paths").properties().forEach(e -> e.getValue().properties()
        .forEach(m -> documented.add(m.getKey().toUpperCase() + " " + e.getKey())));
    Set<String> served = new HashSet<>();
    served.addAll(f.dashboard.apiRoutes());
    assertThat(documented).isEqualTo(served);
    assertThat(served).contains("POST /api/v1/jobs", "GET /api/v1/jobs/{id}", "GET /api/v1/events",
        "GET /api/v1/openapi.json", "POST /api/v1/jobs/{id}/retry", "GET /api/v1/queues");
    // and each one answers (not 404 / 405) on the live server
    for (String route : served) {
      String[] p = route.split(" ");
      if (p[1].endsWith("/events")) {
        continue;
      }
      String path = p[1].replace("{id}", "1").replace("{name}", "q");
      HttpRequest.Builder b = f.request(path, VIEW);
      HttpRequest req = b.method(p[0], HttpRequest.BodyPublishers.ofString("{}")).build();
      int status = f.send(req).statusCode();
      assertThat(status).as(route).isNotIn(405).isNotEqualTo(500);
      if (status == 404) {
        assertThat(p[1]).as(route).contains("{");
      }
    }
  }

  @Test
  void aJobsWorkflowNeighboursAreInTheApiAndOnItsPage() {
    List<String> ids = f.store.enqueue(List.of(
        new dev.spindle.queue.spi.NewJob("wf.a", "1", "q", 0, java.time.Instant.now(), null,
            dev.spindle.queue.JobPolicy.defaults(), java.time.Instant.now()),
        new dev.spindle.queue.spi.NewJob("wf.b", "null", "q", 0, java.time.Instant.now(), null,
            dev.spindle.queue.JobPolicy.defaults(), java.time.Instant.now()).dependingOn(List.of(
                dev.spindle.queue.spi.Dependency.onBatchJob(0, dev.spindle.queue.DependencyPolicy.ALWAYS)),
            dev.spindle.queue.WorkflowInput.OUTCOMES)))
        .stream().map(dev.spindle.queue.spi.EnqueueResult::jobId).toList();
    JsonNode a = WebFixture.json(f.get("/api/v1/jobs/" + ids.get(0) + "/dependencies", VIEW));
    assertThat(a.get("dependsOn")).isEmpty();
    assertThat(a.get("dependents").get(0).get("id").asString()).isEqualTo(ids.get(1));
    assertThat(a.get("dependents").get(0).get("state").asString()).isEqualTo("WAITING");
    assertThat(a.get("dependents").get(0).get("policy").asString()).isEqualTo("ALWAYS");
    JsonNode b = WebFixture.json(f.get("/api/v1/jobs/" + ids.get(1) + "/dependencies", VIEW));
    assertThat(b.get("dependsOn").get(0).get("task").asString()).isEqualTo("wf.a");
    assertThat(b.get("dependsOn").get(0).get("input").asBoolean()).isTrue();
    assertThat(f.get("/api/v1/jobs/999999/dependencies", VIEW).statusCode()).isEqualTo(404);
    String page = f.get("/jobs/" + ids.get(1), VIEW).body();
    assertThat(page).contains("<h2>Workflow</h2>", "Waits for", "href=\"jobs/" + ids.get(0) + "\"", "wf.a");
  }
}
