package dev.spindle.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.queue.JobError;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.memory.InMemoryJobStore;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.testkit.store.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A job's attempts ledger through the REST API and on the dashboard's job page: a worker whose lease
 * ran out on the store's manual clock, its successor's retry and failure each with its own error,
 * and the stale worker's completion refused by the fence.
 */
class AttemptsLedgerViewsTest {
  private static final String VIEW = WebFixture.VIEWER_TOKEN;
  private static final String FIRST = JobError.of("java.io.IOException", "disk full on attempt two").toJson();
  private static final String SECOND = JobError.of("java.lang.IllegalStateException", "bad state on attempt three")
      .toJson();

  private final ManualClock clock = new ManualClock(Instant.parse("2030-01-02T03:04:05Z"));
  private WebFixture f;
  private String id;

  @BeforeEach
  void start() {
    f = new WebFixture(new InMemoryJobStore("ledger-web", clock));
    register("w-stale", "host-stale", Duration.ofSeconds(30));
    register("w-good", "host-good", Duration.ofDays(1));
    Instant now = clock.instant();
    id = f.store.enqueue(List.of(new NewJob("web.ledger", "{}", "q", 0, now, null, JobPolicy.defaults(), now)))
        .get(0).jobId();
    JobInfo stale = claim("w-stale");
    clock.advance(Duration.ofSeconds(31));
    f.store.reclaimExpired(clock.instant(), 10);
    JobInfo second = claim("w-good");
    complete(Completion.retry(id, second.fence(), "w-good", FIRST, clock.instant()));
    JobInfo third = claim("w-good");
    complete(Completion.failed(id, third.fence(), "w-good", SECOND));
    assertThat(f.store.complete(List.of(Completion.succeeded(id, stale.fence(), "w-stale", "1")), clock.instant()))
        .containsExactly(false);
  }

  @AfterEach
  void stop() {
    f.close();
  }

  private void register(String worker, String host, Duration lease) {
    Instant now = clock.instant();
    f.store.heartbeat(new WorkerRecord(worker, worker, host, 1, List.of("q"), 4, "THREADS", "RUNNING", now, now,
        now.plus(lease), 0, 0, 0, 0));
  }

  private JobInfo claim(String worker) {
    List<JobInfo> jobs = f.store.claim(new ClaimRequest(worker, List.of("q"), 1, clock.instant())).jobs();
    assertThat(jobs).hasSize(1);
    return jobs.get(0);
  }

  private void complete(Completion c) {
    assertThat(f.store.complete(List.of(c), clock.instant())).containsExactly(true);
  }

  @Test
  void theApiListsEachAttemptWithItsOwnErrorAndTheRefusedWrite() {
    JsonNode d = WebFixture.json(f.get("/api/v1/jobs/" + id + "/attempts", VIEW));
    assertThat(d.get("duplicate").asBoolean()).isTrue();
    assertThat(d.get("keep").asInt()).isEqualTo(dev.spindle.queue.spi.AttemptLedger.DEFAULT_KEEP);
    JsonNode a = d.get("attempts");
    assertThat(a.size()).isEqualTo(3);
    assertThat(a.get(0).get("workerId").asString()).isEqualTo("w-stale");
    assertThat(a.get(0).get("host").asString()).isEqualTo("host-stale");
    assertThat(a.get(0).get("outcome").asString()).isEqualTo("LOST");
    assertThat(a.get(0).get("error").get("message").asString()).contains("w-stale");
    assertThat(a.get(1).get("outcome").asString()).isEqualTo("RETRY");
    assertThat(a.get(1).get("error").get("message").asString()).isEqualTo("disk full on attempt two");
    assertThat(a.get(2).get("outcome").asString()).isEqualTo("FAILED");
    assertThat(a.get(2).get("error").get("type").asString()).isEqualTo("java.lang.IllegalStateException");
    assertThat(a.get(2).get("number").asInt()).isEqualTo(3);
    assertThat(a.get(2).get("endedAt").asString()).isEqualTo(clock.instant().toString());
    JsonNode refused = d.get("refused").get(0);
    assertThat(refused.get("workerId").asString()).isEqualTo("w-stale");
    assertThat(refused.get("fence").asLong()).isEqualTo(a.get(0).get("fence").asLong());
    assertThat(refused.get("attempted").asString()).isEqualTo("complete SUCCEEDED");
  }

  @Test
  void theDuplicatesPerTaskAreListedInTheApiAndOnTheQueuesPage() {
    JsonNode d = WebFixture.json(f.get("/api/v1/duplicates", VIEW));
    assertThat(d.get("web.ledger").asLong()).isEqualTo(1);
    assertThat(d.size()).isEqualTo(1);
    assertThat(f.get("/queues", VIEW).body()).contains("id=\"duplicates-table\"", "jobs?task=web.ledger");
  }

  @Test
  void badOrUnknownIdsAndMissingCredentialsAreRefused() {
    assertThat(f.get("/api/v1/jobs/999999/attempts", VIEW).statusCode()).isEqualTo(404);
    assertThat(f.get("/api/v1/jobs/not-a-job/attempts", VIEW).statusCode()).isEqualTo(404);
    assertThat(f.get("/api/v1/jobs/" + id + "/attempts", null).statusCode()).isEqualTo(401);
  }

  @Test
  void theJobPageShowsEveryAttemptItsErrorAndTheRefusedWrite() {
    String page = f.get("/jobs/" + id, VIEW).body();
    assertThat(page).contains("id=\"job-attempts\"", "id=\"job-duplicate\"", "id=\"job-refused\"", "w-stale",
        "host-stale", "host-good", "disk full on attempt two", "bad state on attempt three", "complete SUCCEEDED",
        ">LOST<", ">RETRY<", ">FAILED<");
    String table = Objects.requireNonNull(page).substring(page.indexOf("id=\"job-attempts\""));
    assertThat(table.indexOf("disk full on attempt two")).isPositive()
        .isLessThan(table.indexOf("bad state on attempt three"));
  }
}
