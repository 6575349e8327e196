package dev.spindle.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.queue.JobHandle;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.KeyRing;
import dev.spindle.queue.Redaction;
import dev.spindle.store.sqlite.SqliteJobStore;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The dashboard shows {@link dev.spindle.Sensitive} fields as {@code "***"} in the REST API and the
 * job pages, and encrypted jobs as encrypted with their key id, without decrypting them.
 */
class RedactionApiTest {
  @TempDir
  Path dir;

  WebFixture fixture(java.util.function.UnaryOperator<Dashboard.Builder> extra) {
    SqliteJobStore store = SqliteJobStore.open(dir.resolve("jobs.db"));
    return new WebFixture(store, extra.apply(WebFixture.configure(Dashboard.builder(store))));
  }

  @Test
  void sensitiveFieldsAreMaskedAndEncryptedJobsShownByKeyId() {
    KeyRing ring = KeyRing.of("k1", Map.of("k1", KeyRing.newKey()));
    try (WebFixture web = fixture(b -> b.registry(EncryptedJobsContract.REGISTRY));
         JobQueue plain = JobQueue.builder(web.store).build();
         JobQueue sealed = JobQueue.builder(web.store).encryption(ring).build()) {
      JobHandle<?> clear = plain.enqueue(EncryptedJobsContract.CHARGE,
          new EncryptedJobsContract.Card("Ada", EncryptedJobsContract.SECRET));
      JobHandle<?> hidden = sealed.enqueue(EncryptedJobsContract.CHARGE,
          new EncryptedJobsContract.Card("Bob", EncryptedJobsContract.SECRET));

      JsonNode one = WebFixture.json(web.get("/api/v1/jobs/" + clear.id(), WebFixture.VIEWER_TOKEN));
      assertThat(one.path("args").path("holder").asString()).isEqualTo("Ada");
      assertThat(one.path("args").path("number").asString()).isEqualTo("***");
      JsonNode enc = WebFixture.json(web.get("/api/v1/jobs/" + hidden.id(), WebFixture.OPERATOR_TOKEN));
      assertThat(enc.path("args").toString()).isEqualTo("{\"encrypted\":true,\"keyId\":\"k1\"}");

      HttpResponse<String> list = web.get("/api/v1/jobs", WebFixture.VIEWER_TOKEN);
      assertThat(list.statusCode()).isEqualTo(200);
      assertThat(list.body()).contains("\"***\"").doesNotContain(EncryptedJobsContract.SECRET).doesNotContain("Bob");

      HttpResponse<String> page = web.get("/jobs/" + clear.id(), WebFixture.OPERATOR_TOKEN);
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.body()).contains("Ada").contains("***").doesNotContain(EncryptedJobsContract.SECRET);
      HttpResponse<String> sealedPage = web.get("/jobs/" + hidden.id(), WebFixture.OPERATOR_TOKEN);
      assertThat(sealedPage.body()).contains("keyId").contains("k1").doesNotContain(EncryptedJobsContract.SECRET);
    }
  }

  @Test
  void aConfiguredRedactionMasksNamedFieldsOfAnyTask() {
    try (WebFixture web = fixture(b -> b.redaction(Redaction.none().withFields(List.of("token"))));
         JobQueue q = JobQueue.builder(web.store).build()) {
      JobHandle<?> h = q.enqueue("any.task", "{\"user\":\"ada\",\"token\":\"tok-123\"}");
      JsonNode j = WebFixture.json(web.get("/api/v1/jobs/" + h.id(), WebFixture.VIEWER_TOKEN));
      assertThat(j.path("args").toString()).isEqualTo("{\"user\":\"ada\",\"token\":\"***\"}");
    }
  }
}
