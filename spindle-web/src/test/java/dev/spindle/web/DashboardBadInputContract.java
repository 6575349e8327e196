package dev.spindle.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.JobFilter;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Hostile input to the REST API and pages - a NUL byte in the search text, a bulk action without a
 * filter, an Idempotency-Key reused for another job - is refused with a 4xx that says why and changes
 * nothing, the same on every store: subclassed for the in-memory store, SQLite, PostgreSQL and Redis.
 */
abstract class DashboardBadInputContract extends WebStoreContract {
  private String enqueue(String body) {
    HttpResponse<String> r = f.post("/api/v1/jobs", OP, body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    return WebFixture.json(r).get("id").asString();
  }

  private JobState state(String id) {
    return f.store.find(id).orElseThrow().state();
  }

  private static void assertBadRequest(HttpResponse<String> r, String detail) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(WebFixture.json(r).get("detail").asString()).contains(detail);
  }

  @Test
  void aNulByteInTheSearchTextIsABadRequestNotAStoreFailure() {
    String id = enqueue("{\"task\":\"t.a\",\"args\":\"abc\"}");
    assertBadRequest(f.get("/api/v1/jobs?q=ab%00c", VIEW), "NUL");
    HttpResponse<String> page = f.get("/jobs?q=ab%00c", OP);
    assertThat(page.statusCode()).as(page.body()).isEqualTo(400);
    assertThat(page.body()).contains("NUL");
    assertBadRequest(f.post("/api/v1/jobs/cancel", OP, "{\"q\":\"ab\\u0000c\"}"), "NUL");
    assertBadRequest(f.post("/api/v1/jobs/purge", OP, "{\"q\":\"ab\\u0000c\"}"), "NUL");
    assertBadRequest(f.post("/api/v1/jobs/retry", OP, "{\"q\":\"ab\\u0000c\"}"), "NUL");
    assertThat(state(id)).isEqualTo(JobState.QUEUED);
    // the store refuses such a filter from any caller, not only the dashboard
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> JobFilter.all().withText("ab\0c"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NUL");
    assertThat(WebFixture.json(f.get("/api/v1/audit", VIEW)).get("entries").toString())
        .doesNotContain("jobs.cancel", "jobs.purge", "jobs.retry");
  }

  @Test
  void aBulkActionWithoutAFilterIsRefusedUnlessItSaysAll() {
    String waiting = enqueue("{\"task\":\"t.a\",\"queue\":\"mail\"}");
    String other = enqueue("{\"task\":\"t.a\",\"queue\":\"sms\"}");
    for (String action : List.of("cancel", "purge", "retry")) {
      for (String body : List.of("{}", "{\"all\":false}", "{\"queue\":\"\",\"q\":\"  \"}", "{\"max\":5}")) {
        assertBadRequest(f.post("/api/v1/jobs/" + action, OP, body), "\"all\": true");
      }
      assertBadRequest(f.post("/api/v1/jobs/" + action, OP, "{\"all\":\"yes\"}"), "'all' must be true or false");
    }
    assertThat(state(waiting)).isEqualTo(JobState.QUEUED);
    assertThat(state(other)).isEqualTo(JobState.QUEUED);
    // a filter is enough; "all": true says every job
    assertThat(WebFixture.json(f.post("/api/v1/jobs/cancel", OP, "{\"queue\":\"mail\"}")).get("cancelled").asInt())
        .isEqualTo(1);
    assertThat(state(other)).isEqualTo(JobState.QUEUED);
    assertThat(WebFixture.json(f.post("/api/v1/jobs/cancel", OP, "{\"all\":true}")).get("cancelled").asInt())
        .isEqualTo(1);
    assertThat(state(other)).isEqualTo(JobState.CANCELLED);
    assertThat(WebFixture.json(f.post("/api/v1/jobs/purge", OP, "{\"all\":true}")).get("purged").asInt())
        .isEqualTo(2);
    // the jobs page offers the bulk actions only with a filter
    assertThat(f.get("/jobs", OP).body()).contains("id=\"bulk-needs-filter\"").doesNotContain("id=\"cancel-all\"",
        "id=\"purge-all\"", "id=\"retry-all\"");
    assertThat(f.get("/jobs?queue=mail", OP).body()).contains("id=\"cancel-all\"", "id=\"purge-all\"")
        .contains("data-body=\"{&quot;queue&quot;:&quot;mail&quot;}\"").doesNotContain("bulk-needs-filter");
    // the OpenAPI document says so
    String api = f.get("/api/v1/openapi.json", VIEW).body();
    assertThat(api).contains("\\\"all\\\": true");
  }

  private HttpResponse<String> enqueueWithKey(String key, String body) {
    return f.send(f.request("/api/v1/jobs", OP).header("Idempotency-Key", key)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  @Test
  void anIdempotencyKeyReusedForAnotherRequestIs422AndTheSameRequestGetsTheFirstJob() {
    String body = "{\"task\":\"t.pay\",\"args\":{\"order\":42,\"cents\":1000},\"queue\":\"pay\",\"priority\":3}";
    HttpResponse<String> first = enqueueWithKey("order-42", body);
    assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
    String id = WebFixture.json(first).get("id").asString();
    // the same request (its arguments in another order and spacing): the first job
    HttpResponse<String> again = enqueueWithKey("order-42",
        "{\"queue\":\"pay\",\"task\":\"t.pay\",\"priority\":3,\"args\":{\"cents\":1000, \"order\":42}}");
    assertThat(again.statusCode()).as(again.body()).isEqualTo(202);
    assertThat(WebFixture.json(again).get("id").asString()).isEqualTo(id);
    assertThat(WebFixture.json(again).get("created").asBoolean()).isFalse();
    for (String other : List.of(
        "{\"task\":\"t.pay\",\"args\":{\"order\":42,\"cents\":99999},\"queue\":\"pay\",\"priority\":3}",
        "{\"task\":\"t.refund\",\"args\":{\"order\":42,\"cents\":1000},\"queue\":\"pay\",\"priority\":3}",
        "{\"task\":\"t.pay\",\"args\":{\"order\":42,\"cents\":1000},\"queue\":\"other\",\"priority\":3}",
        "{\"task\":\"t.pay\",\"args\":{\"order\":42,\"cents\":1000},\"queue\":\"pay\"}")) {
      HttpResponse<String> reused = enqueueWithKey("order-42", other);
      assertThat(reused.statusCode()).as(other + " -> " + reused.body()).isEqualTo(422);
      JsonNode p = WebFixture.json(reused);
      assertThat(p.get("title").asString()).isEqualTo("Idempotency key reused");
      assertThat(p.get("detail").asString()).contains("Idempotency-Key", "job " + id);
    }
    JsonNode jobs = WebFixture.json(f.get("/api/v1/jobs", VIEW)).get("jobs");
    assertThat(jobs.size()).isEqualTo(1);
    assertThat(jobs.get(0).get("args").toString()).isEqualTo("{\"order\":42,\"cents\":1000}");
    assertThat(WebFixture.json(f.get("/api/v1/audit", VIEW)).get("entries").size()).as("the two accepted requests audited, not the refused ones")
        .isEqualTo(2);
  }
}
