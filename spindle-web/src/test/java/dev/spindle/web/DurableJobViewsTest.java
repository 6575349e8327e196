package dev.spindle.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.Task;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.DurableContext;
import dev.spindle.queue.JobHandle;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobState;
import dev.spindle.queue.Worker;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A durable job seen and signalled through the REST API and the dashboard, against a real worker
 * and a real SQLite store: its steps and wait, the operator-only audited signal, and the errors.
 */
class DurableJobViewsTest {
  private static final String OP = WebFixture.OPERATOR_TOKEN;
  private static final String VIEW = WebFixture.VIEWER_TOKEN;

  /** Charges, then waits a week for "approval"; answers who approved. */
  static final Task<String, String> APPROVE = Task.withContext("web.approve", String.class, String.class,
      (order, tc) -> {
        DurableContext ctx = DurableContext.of(tc).orElseThrow();
        String charge = ctx.step("charge", String.class, () -> "charged " + order);
        Approval a = ctx.awaitSignal("approval", Approval.class, Duration.ofDays(7)).orElseThrow();
        return charge + ", approved by " + a.by();
      });

  /** A signal's payload. */
  public record Approval(String by) {}

  @TempDir
  Path dir;

  private WebFixture f;
  private Worker worker;
  private JobHandle<String> job;

  @BeforeEach
  void start() {
    f = WebFixture.sqlite(dir);
    TaskRegistry reg = TaskRegistry.builder().add(APPROVE).build();
    worker = Worker.builder(f.store).registry(reg).pollInterval(Duration.ofMillis(50)).start();
    job = JobQueue.builder(f.store).registry(reg).build().enqueue(APPROVE, "order-7");
    await().atMost(Duration.ofSeconds(20)).until(() -> f.store.find(job.id()).orElseThrow().state()
        == JobState.SCHEDULED);
  }

  @AfterEach
  void stop() {
    worker.close();
    f.close();
  }

  @Test
  void theApiShowsASuspendedJobsStepsAndWhatItWaitsFor() {
    JsonNode d = WebFixture.json(f.get("/api/v1/jobs/" + job.id() + "/steps", VIEW));
    JsonNode charge = d.get("steps").get(0);
    assertThat(charge.get("name").asString()).isEqualTo("charge");
    assertThat(charge.get("kind").asString()).isEqualTo("VALUE");
    assertThat(charge.get("attempt").asInt()).isEqualTo(1);
    assertThat(charge.get("result").asString()).isEqualTo("charged order-7");
    assertThat(d.get("waitingFor").get("kind").asString()).isEqualTo("SIGNAL");
    assertThat(d.get("waitingFor").get("signal").asString()).isEqualTo("approval");
    assertThat(f.get("/api/v1/jobs/999999/steps", VIEW).statusCode()).isEqualTo(404);
  }

  @Test
  void anOperatorsSignalWakesTheJobAndIsAudited() throws Exception {
    HttpResponse<String> r = f.post("/api/v1/jobs/" + job.id() + "/signals/approval", OP, "{\"by\":\"ann\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(WebFixture.json(r).get("outcome").asString()).isEqualTo("WOKE");
    assertThat(job.result(Duration.ofSeconds(20))).isEqualTo("charged order-7, approved by ann");
    JsonNode audit = WebFixture.json(f.get("/api/v1/audit", VIEW)).get("entries").get(0);
    assertThat(audit.get("action").asString()).isEqualTo("job.signal");
    assertThat(audit.get("user").asString()).isEqualTo("ops");
    assertThat(audit.get("target").asString()).isEqualTo(job.id());
    // finished: nothing more is stored
    HttpResponse<String> late = f.post("/api/v1/jobs/" + job.id() + "/signals/approval", OP, "{\"by\":\"bob\"}");
    assertThat(late.statusCode()).isEqualTo(409);
    assertThat(WebFixture.json(f.get("/api/v1/jobs/" + job.id() + "/steps", VIEW)).get("signals").get("approval")
        .asInt()).isEqualTo(1);
  }

  @Test
  void aViewerMayNotSignalAndBadInputStoresNothing() {
    String url = "/api/v1/jobs/" + job.id() + "/signals/approval";
    assertThat(f.post(url, VIEW, "{\"by\":\"eve\"}").statusCode()).isEqualTo(403);
    assertThat(f.post(url, OP, "{not json").statusCode()).isEqualTo(400);
    String longName = "x".repeat(dev.spindle.queue.DurableRules.MAX_NAME_LENGTH + 1);
    assertThat(f.post("/api/v1/jobs/" + job.id() + "/signals/" + longName, OP, "1").statusCode()).isEqualTo(400);
    assertThat(f.post("/api/v1/jobs/999999/signals/approval", OP, "1").statusCode()).isEqualTo(404);
    assertThat(WebFixture.json(f.get("/api/v1/jobs/" + job.id() + "/steps", VIEW)).get("signals").size()).isZero();
    assertThat(f.store.find(job.id()).orElseThrow().state()).isEqualTo(JobState.SCHEDULED);
    assertThat(WebFixture.json(f.get("/api/v1/audit", VIEW)).get("entries").size()).isZero();
  }

  @Test
  void theJobPageShowsTheTimelineAndOffersOperatorsTheSignalForm() {
    String op = f.get("/jobs/" + job.id(), OP).body();
    assertThat(op).contains("id=\"job-steps\"", "data-step=\"charge#0\"", "charged order-7", "<meter",
        "id=\"job-wait\"", "signal <b>approval</b>", "id=\"signal-form\"", "value=\"approval\"");
    String viewer = f.get("/jobs/" + job.id(), VIEW).body();
    assertThat(viewer).contains("id=\"job-steps\"").doesNotContain("signal-form");
  }

  @Test
  void aJobAwaitingAnotherShowsWhichInTheApiAndOnItsPage() {
    Task<String, String> other = Task.of("web.other", String.class, String.class, in -> in);
    Task<String, String> awaiter = Task.withContext("web.awaiter", String.class, String.class, (target, tc) ->
        DurableContext.of(tc).orElseThrow().awaitJob(target, String.class, Duration.ofDays(1)).status().name());
    TaskRegistry reg = TaskRegistry.builder().add(other).add(awaiter).build();
    try (JobQueue q = JobQueue.builder(f.store).registry(reg).build();
        Worker w = Worker.builder(f.store).registry(reg).pollInterval(Duration.ofMillis(50)).start()) {
      JobHandle<String> target = q.enqueue(other, "x", JobOptions.builder().queue("nobody-serves-it").build());
      JobHandle<String> h = q.enqueue(awaiter, target.id());
      await().atMost(Duration.ofSeconds(20)).until(() -> f.store.find(h.id()).orElseThrow().state()
          == JobState.SCHEDULED);
      JsonNode wait = WebFixture.json(f.get("/api/v1/jobs/" + h.id() + "/steps", VIEW)).get("waitingFor");
      assertThat(wait.get("kind").asString()).isEqualTo("JOB");
      assertThat(wait.get("job").asString()).isEqualTo(target.id());
      assertThat(wait.get("signal").isNull()).isTrue();
      assertThat(f.get("/jobs/" + h.id(), OP).body()).contains("id=\"job-wait\"",
          "job <a href=\"jobs/" + target.id() + "\">" + target.id() + "</a> to end").contains("value=\"\"");
    }
  }
}
