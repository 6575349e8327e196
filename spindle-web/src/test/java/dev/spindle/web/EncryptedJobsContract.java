package dev.spindle.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.spindle.Sensitive;
import dev.spindle.Task;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.JobError;
import dev.spindle.queue.JobHandle;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobState;
import dev.spindle.queue.KeyRing;
import dev.spindle.queue.MissingKeyException;
import dev.spindle.queue.RetryPolicy;
import dev.spindle.queue.Worker;
import dev.spindle.queue.Workflow;
import dev.spindle.queue.WorkflowHandle;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.StoreBackend;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Encrypted job arguments and results through real workers on a real store: the store holds only
 * envelopes, workers with the key run the jobs, tampering and swapping are caught, rotation keeps
 * old jobs readable, and a worker without the key fails the job naming the key id, leaving the
 * arguments intact for a retry. Each store runs it ({@link #openStore}).
 */
abstract class EncryptedJobsContract {
  record Card(String holder, @Sensitive String number) {}

  record Receipt(String holder, @Sensitive String last4) {}

  static final String SECRET = "4111-1111-1111-1111";
  static final Task<Card, Receipt> CHARGE = Task.of("pay.charge", Card.class, Receipt.class,
      c -> new Receipt(c.holder(), c.number().substring(c.number().length() - 4)));
  static final Task<Card, String> REFUND = Task.of("pay.refund", Card.class, String.class, c -> "refunded " + c.holder());
  static final Task<Receipt, String> MAIL = Task.of("pay.mail", Receipt.class, String.class,
      r -> "mailed " + r.holder() + " ending " + r.last4());
  static final TaskRegistry REGISTRY = TaskRegistry.builder().add(CHARGE).add(REFUND).add(MAIL).build();
  static final Duration WAIT = Duration.ofSeconds(30);

  final byte[] k1 = KeyRing.newKey();
  final byte[] k2 = KeyRing.newKey();
  final KeyRing ring = KeyRing.of("k1", Map.of("k1", k1));
  StoreBackend store;

  abstract StoreBackend openStore();

  @BeforeEach
  void open() {
    store = openStore();
  }

  @AfterEach
  void close() {
    store.close();
  }

  Worker worker(KeyRing keys) {
    Worker.Builder b = Worker.builder(store).registry(REGISTRY).pollInterval(Duration.ofMillis(20)).concurrency(2);
    return (keys == null ? b : b.encryption(keys)).start();
  }

  JobInfo stored(String id) {
    return store.find(id).orElseThrow();
  }

  @Test
  void argumentsAndResultsAreStoredEncryptedAndReadBackThroughTheWorker() {
    try (JobQueue q = JobQueue.builder(store).registry(REGISTRY).encryption(ring).build();
         Worker w = worker(ring)) {
      JobHandle<Receipt> h = q.enqueue(CHARGE, new Card("Ada", SECRET));
      assertThat(h.result(WAIT)).isEqualTo(new Receipt("Ada", "1111"));
      JobInfo j = stored(h.id());
      assertThat(KeyRing.isEncrypted(j.argsJson())).isTrue();
      assertThat(KeyRing.keyIdOf(j.argsJson())).isEqualTo("k1");
      assertThat(j.argsJson()).doesNotContain(SECRET).doesNotContain("Ada");
      assertThat(KeyRing.isEncrypted(j.resultJson())).isTrue();
      assertThat(j.resultJson()).doesNotContain("Ada").doesNotContain("1111");
    }
  }

  @Test
  void encryptedAndPlainJobsCoexist() {
    try (JobQueue sealed = JobQueue.builder(store).registry(REGISTRY).encryption(ring).build();
         JobQueue plain = JobQueue.builder(store).registry(REGISTRY).build();
         Worker w = worker(ring)) {
      JobHandle<String> a = sealed.enqueue(REFUND, new Card("Ada", SECRET));
      JobHandle<String> b = plain.enqueue(REFUND, new Card("Bob", "5500"));
      assertThat(a.result(WAIT)).isEqualTo("refunded Ada");
      assertThat(b.result(WAIT)).isEqualTo("refunded Bob");
      assertThat(stored(b.id()).argsJson()).contains("Bob");
      assertThat(stored(b.id()).resultJson()).isEqualTo("\"refunded Bob\"");
      assertThat(KeyRing.isEncrypted(stored(a.id()).resultJson())).isTrue();
    }
  }

  @Test
  void aRotatedRingEncryptsWithTheNewKeyAndStillRunsJobsOfTheOldOne() {
    KeyRing rotated = ring.withPrimary("k2", k2);
    try (JobQueue before = JobQueue.builder(store).registry(REGISTRY).encryption(ring).build();
         JobQueue after = JobQueue.builder(store).registry(REGISTRY).encryption(rotated).build()) {
      JobHandle<String> old = before.enqueue(REFUND, new Card("Ada", SECRET));
      JobHandle<String> fresh = after.enqueue(REFUND, new Card("Bob", SECRET));
      String oldArgs = stored(old.id()).argsJson();
      assertThat(KeyRing.keyIdOf(oldArgs)).isEqualTo("k1");
      assertThat(KeyRing.keyIdOf(stored(fresh.id()).argsJson())).isEqualTo("k2");
      try (Worker w = worker(rotated)) {
        // results are encrypted under the new primary: readers need it (roll the key out first)
        assertThat(after.job(old.id(), REFUND).result(WAIT)).isEqualTo("refunded Ada");
        assertThat(fresh.result(WAIT)).isEqualTo("refunded Bob");
      }
      assertThatThrownBy(() -> old.result(WAIT)).isInstanceOf(MissingKeyException.class)
          .hasMessageContaining("key 'k2'");
      assertThat(stored(old.id()).argsJson()).isEqualTo(oldArgs); // nothing rewritten
      assertThat(KeyRing.keyIdOf(stored(old.id()).resultJson())).isEqualTo("k2");
    }
  }

  @Test
  void aWorkerWithoutTheKeyFailsTheJobNamingTheKeyAndARetryWithTheKeyRuns() {
    JobOptions once = JobOptions.builder().policy(JobPolicy.defaults().withRetry(RetryPolicy.none())).build();
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    PrintStream err = System.err;
    try (JobQueue q = JobQueue.builder(store).registry(REGISTRY).encryption(ring).build()) {
      JobHandle<String> h = q.enqueue(REFUND, new Card("Ada", SECRET), once);
      String args = stored(h.id()).argsJson();
      System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
      try (Worker w = worker(KeyRing.of("k2", Map.of("k2", k2)))) {
        await().atMost(WAIT).until(() -> stored(h.id()).state() == JobState.FAILED);
      } finally {
        System.setErr(err);
      }
      JobInfo failed = stored(h.id());
      JobError e = failed.error().orElseThrow();
      assertThat(e.message()).contains("key 'k1'").contains("holds k2");
      assertThat(failed.argsJson()).isEqualTo(args); // nothing lost
      String logged = log.toString(StandardCharsets.UTF_8);
      assertThat(logged).contains("key 'k1'"); // the capture works
      assertThat(logged).doesNotContain(SECRET).doesNotContain(Base64.getEncoder().encodeToString(k1))
          .doesNotContain(Base64.getEncoder().encodeToString(k2));
      assertThat(failed.errorJson()).doesNotContain(SECRET).doesNotContain(Base64.getEncoder().encodeToString(k2));

      store.inspector().requeue(h.id(), Instant.now());
      try (Worker w = worker(ring.withPrimary("k2", k2))) {
        await().atMost(WAIT).until(() -> stored(h.id()).state() == JobState.SUCCEEDED);
      }
      try (JobQueue reader = JobQueue.builder(store).encryption(ring.withPrimary("k2", k2)).build()) {
        assertThat(reader.job(h.id(), REFUND).result(WAIT)).isEqualTo("refunded Ada");
      }
    }
  }

  @Test
  void aFlippedByteIsDeadLetteredAsTampered() {
    String envelope = ring.encrypt(KeyRing.ARGS, REFUND.name(), "{\"holder\":\"Ada\",\"number\":\"1\"}");
    String ct = envelope.substring(envelope.indexOf("\"ct\":\"") + 6, envelope.length() - 2);
    byte[] bytes = Base64.getDecoder().decode(ct);
    bytes[3] ^= 1;
    String flipped = envelope.replace(ct, Base64.getEncoder().encodeToString(bytes));
    String id = enqueueRaw(REFUND.name(), flipped);
    try (Worker w = worker(ring)) {
      await().atMost(WAIT).until(() -> stored(id).state() == JobState.DEAD);
    }
    assertThat(stored(id).deadReason()).isEqualTo(JobInfo.BAD_ARGS);
    assertThat(stored(id).error().orElseThrow().message()).contains("fail authentication").contains("altered")
        .contains("key 'k1'");
  }

  @Test
  void argumentsMovedToAJobOfAnotherTaskAreDeadLettered() {
    String refundArgs = ring.encrypt(KeyRing.ARGS, REFUND.name(), "{\"holder\":\"Ada\",\"number\":\"1\"}");
    String id = enqueueRaw(CHARGE.name(), refundArgs);
    try (Worker w = worker(ring)) {
      await().atMost(WAIT).until(() -> stored(id).state() == JobState.DEAD);
    }
    assertThat(stored(id).error().orElseThrow().message()).contains("moved from a job of another task")
        .contains("'pay.charge'");
  }

  @Test
  void aChainPassesEncryptedResultsToTheNextStep() {
    try (JobQueue q = JobQueue.builder(store).registry(REGISTRY).encryption(ring).build();
         Worker w = worker(ring)) {
      WorkflowHandle h = q.submit(Workflow.chain(Workflow.task(CHARGE, new Card("Ada", SECRET)),
          Workflow.fromUpstream(MAIL)));
      JsonNode out = h.last().get(0).result(WAIT);
      assertThat(out.asString()).isEqualTo("mailed Ada ending 1111");
      for (JobHandle<JsonNode> step : h.jobs()) {
        JobInfo j = stored(step.id());
        assertThat(j.argsJson()).doesNotContain("Ada");
        assertThat(j.resultJson()).doesNotContain("Ada");
      }
    }
  }

  String enqueueRaw(String task, String args) {
    Instant now = Instant.now();
    return store.enqueue(List.of(new NewJob(task, args, JobOptions.DEFAULT_QUEUE, 0, now, null,
        JobPolicy.defaults().withRetry(RetryPolicy.none()), now))).get(0).jobId();
  }
}
