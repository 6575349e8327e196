package dev.spindle.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.queue.JobStores;
import dev.spindle.testkit.redis.RedisServer;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The REST API over a real redis-server: enqueue, read, list, bulk changes, pause and resume,
 * delete, the audit log kept in Redis.
 */
class RedisApiTest {
  static RedisServer redis;
  static WebFixture f;
  static final String OP = WebFixture.OPERATOR_TOKEN;

  @BeforeAll
  static void start() {
    redis = RedisServer.builder().appendOnly(false).start();
    f = new WebFixture(JobStores.open(redis.url() + "/0?namespace=web"));
  }

  @AfterAll
  static void stop() {
    f.close();
    redis.close();
  }

  @Test
  void theApiWorksOverRedis() {
    HttpResponse<String> r = f.post("/api/v1/jobs", OP, "{\"task\":\"a.b\",\"args\":[1,2],\"queue\":\"q\"}");
    assertThat(r.statusCode()).isEqualTo(202);
    String loc = r.headers().firstValue("Location").orElseThrow();
    HttpResponse<String> job = f.get(loc, OP);
    assertThat(WebFixture.json(job).get("args").toString()).isEqualTo("[1,2]");
    String etag = job.headers().firstValue("ETag").orElseThrow();
    assertThat(f.send(f.request(loc, OP).header("If-None-Match", etag).GET().build()).statusCode()).isEqualTo(304);
    JsonNode list = WebFixture.json(f.get("/api/v1/jobs?queue=q&state=queued", OP));
    assertThat(list.get("jobs").size()).isEqualTo(1);
    assertThat(WebFixture.json(f.post("/api/v1/jobs/cancel", OP, "{\"queue\":\"q\"}")).get("cancelled").asInt())
        .isEqualTo(1);
    assertThat(WebFixture.json(f.post("/api/v1/jobs/retry", OP, "{\"state\":\"cancelled\"}")).get("requeued")
        .asInt()).isEqualTo(1);
    assertThat(f.post("/api/v1/queues/q/pause", OP, "").statusCode()).isEqualTo(200);
    JsonNode q = WebFixture.json(f.get("/api/v1/queues", OP)).get("queues").get(0);
    assertThat(q.get("paused").asBoolean()).isTrue();
    assertThat(f.post("/api/v1/queues/q/resume", OP, "").statusCode()).isEqualTo(200);
    assertThat(WebFixture.json(f.get("/api/v1/status", OP)).get("totals").get("QUEUED").asLong()).isEqualTo(1);
    String id = loc.substring(loc.lastIndexOf('/') + 1);
    assertThat(f.send(f.request(loc, OP).DELETE().build()).statusCode()).isEqualTo(409);
    f.post(loc + "/cancel", OP, "");
    assertThat(f.send(f.request(loc, OP).DELETE().build()).statusCode()).isEqualTo(204);
    assertThat(f.get(loc, OP).statusCode()).isEqualTo(404);
    JsonNode audit = WebFixture.json(f.get("/api/v1/audit", OP)).get("entries");
    assertThat(audit.get(0).get("action").asString()).isEqualTo("job.delete");
    assertThat(audit.get(0).get("target").asString()).isEqualTo(id);
    assertThat(audit.toString()).contains("queue.pause", "queue.resume", "jobs.retry", "jobs.cancel");
  }
}
