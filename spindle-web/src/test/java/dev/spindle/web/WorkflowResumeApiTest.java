package dev.spindle.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.TaskRegistry;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobState;
import dev.spindle.queue.RetryPolicy;
import dev.spindle.queue.Worker;
import dev.spindle.queue.Workflow;
import dev.spindle.queue.WorkflowHandle;
import dev.spindle.store.sqlite.SqliteJobStore;
import dev.spindle.testkit.store.StoreContractTasks;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A workflow over the REST API on a real SQLite store: its graph, a resume previewed (nothing
 * changes, nothing audited), refused for bad input or the wrong role, then done once and audited.
 */
class WorkflowResumeApiTest {
  static final String OP = WebFixture.OPERATOR_TOKEN;
  static final String VIEW = WebFixture.VIEWER_TOKEN;
  static final TaskRegistry TASKS = TaskRegistry.of(StoreContractTasks.class);

  @TempDir
  Path dir;
  WebFixture f;
  String first;
  String second;

  @BeforeEach
  void failAWorkflow() {
    SqliteJobStore store = SqliteJobStore.open(dir.resolve("jobs.db"));
    f = new WebFixture(store, WebFixture.configure(dev.spindle.web.Dashboard.builder(store)).registry(TASKS));
    JobOptions once = JobOptions.builder().retry(RetryPolicy.none()).build();
    try (JobQueue q = JobQueue.builder(store).registry(TASKS).build()) {
      WorkflowHandle h = q.submit(Workflow.chain(Workflow.task(StoreContractTasks.FAIL_TIMES,
          new StoreContractTasks.FailTimes("api-" + System.nanoTime(), 9, "state"), once),
          Workflow.task(StoreContractTasks.ECHO, "after")));
      first = h.ids().get(0);
      second = h.ids().get(1);
    }
    try (Worker w = Worker.builder(store).registry(TASKS).pollInterval(Duration.ofMillis(20)).start()) {
      await().atMost(Duration.ofSeconds(20)).until(() -> state(second) == JobState.CANCELLED);
    }
  }

  @AfterEach
  void close() {
    f.close();
  }

  private JobState state(String id) {
    return f.store.find(id).orElseThrow().state();
  }

  private HttpResponse<String> resume(String token, String body) {
    return f.post("/api/v1/workflows/" + second + "/resume", token, body);
  }

  @Test
  void theGraphListsEveryJobAndEdge() {
    HttpResponse<String> r = f.get("/api/v1/workflows/" + second, VIEW);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode g = WebFixture.json(r);
    assertThat(g.get("jobs")).hasSize(2);
    assertThat(g.get("jobs").get(0).get("state").asString()).isEqualTo("FAILED");
    assertThat(g.get("jobs").get(1).get("layer").asInt()).isEqualTo(1);
    assertThat(g.get("edges").get(0).get("from").asString()).isEqualTo(first);
    assertThat(g.get("edges").get(0).get("policy").asString()).isEqualTo("REQUIRE_SUCCESS");
    assertThat(r.body()).doesNotContain("api-"); // no arguments shown
    assertThat(f.get("/api/v1/workflows/987654", VIEW).statusCode()).isEqualTo(404);
  }

  @Test
  void aPreviewChangesNothingAndTheResumeIsDoneOnceAndAudited() {
    HttpResponse<String> preview = resume(OP, "{\"dryRun\":true}");
    assertThat(preview.statusCode()).as(preview.body()).isEqualTo(200);
    JsonNode p = WebFixture.json(preview);
    assertThat(p.get("applied").asBoolean()).isFalse();
    assertThat(p.get("node").asString()).isEqualTo(first);
    assertThat(p.get("moves")).hasSize(2);
    assertThat(p.get("moves").get(1).get("to").asString()).isEqualTo("WAITING");
    assertThat(p.get("moves").get(1).get("task").asString()).isEqualTo("store.echo");
    assertThat(state(first)).isEqualTo(JobState.FAILED);
    assertThat(f.get("/api/v1/audit", VIEW).body()).doesNotContain("workflow.resume");

    assertThat(resume(VIEW, "{}").statusCode()).isEqualTo(403);
    assertThat(resume(OP, "{\"args\":\"not an object\"}").statusCode()).isEqualTo(400);
    assertThat(resume(OP, "{\"node\":\"" + second + "\"}").statusCode()).isEqualTo(409); // not FAILED
    assertThat(resume(OP, "{\"dryRun\":\"yes\"}").statusCode()).isEqualTo(400);
    assertThat(resume(OP, "[1]").statusCode()).isEqualTo(400);
    assertThat(state(first)).isEqualTo(JobState.FAILED);

    HttpResponse<String> done = resume(OP, "{\"args\":{\"key\":\"api-new\",\"times\":0,\"exceptionType\":\"state\"}}");
    assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
    assertThat(WebFixture.json(done).get("applied").asBoolean()).isTrue();
    assertThat(WebFixture.json(done).get("argsEdited").asBoolean()).isTrue();
    assertThat(state(first)).isEqualTo(JobState.QUEUED);
    assertThat(state(second)).isEqualTo(JobState.WAITING);
    assertThat(f.store.find(first).orElseThrow().argsJson()).contains("api-new");
    String audit = f.get("/api/v1/audit", VIEW).body();
    assertThat(audit).contains("workflow.resume", first, "1 dependent(s) re-armed").doesNotContain("api-new");
    HttpResponse<String> again = resume(OP, "{\"node\":\"" + first + "\"}");
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(List.of(state(first), state(second))).containsExactly(JobState.QUEUED, JobState.WAITING);
  }
}
