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
 * The REST API over a real redis-server: enqueue, read, list, bulk changes; pausing queues and
 * deleting single jobs answer 501 until the Redis store implements QueueControl.
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
    HttpResponse<String> pause = f.post("/api/v1/queues/q/pause", OP, "");
    assertThat(pause.statusCode()).isEqualTo(501);
    assertThat(WebFixture.json(pause).get("detail").asString()).contains("cannot pause queues");
    assertThat(WebFixture.json(f.get("/api/v1/status", OP)).get("totals").get("QUEUED").asLong()).isEqualTo(1);
  }
}
