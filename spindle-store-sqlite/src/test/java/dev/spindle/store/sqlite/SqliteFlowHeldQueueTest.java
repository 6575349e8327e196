package dev.spindle.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.queue.FlowLimit;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.ClaimResult;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.testkit.store.ManualClock;
import dev.spindle.testkit.store.SteppedClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The held-queue skip of the SQL stores ({@code SqlFlow}): a keyed queue whose claim found every key
 * held is skipped by this process's claims without a query until the earliest end of a hold, at most
 * 100 ms; a job another process makes ready meanwhile waits at most that long, one this process
 * enqueues ends the skip at once. A store clock stepped back (an NTP correction, a VM restored from
 * a snapshot) does not lengthen the skip.
 */
class SqliteFlowHeldQueueTest {
  private static final Instant T0 = Instant.parse("2030-01-07T10:00:00Z");
  private static final FlowLimit SLOW = FlowLimit.builder("slow").perArgument("tenant")
      .rate(1, Duration.ofSeconds(10)).build();

  @TempDir
  Path dir;

  private final ManualClock clock = new ManualClock(T0);
  private SqliteJobStore one;
  private SqliteJobStore other;

  @BeforeEach
  void open() {
    one = SqliteJobStore.builder(dir.resolve("flow.db")).clock(clock).open();
    other = SqliteJobStore.builder(dir.resolve("flow.db")).clock(clock).open();
    Instant now = clock.instant();
    one.heartbeat(new WorkerRecord("w1", "w", "host", 1, List.of("q"), 64, "THREADS", "RUNNING", now, now,
        now.plus(Duration.ofHours(1)), 0, 0, 0, 0));
    one.flowAdmin().orElseThrow().putLimit(SLOW);
  }

  @AfterEach
  void close() {
    one.close();
    other.close();
  }

  private static String enqueue(SqliteJobStore store, String tenant, Instant now) {
    String args = "{\"tenant\":\"" + tenant + "\"}";
    NewJob j = new NewJob("t", args, "q", 0, now, null, JobPolicy.defaults(), now, null)
        .withFlowKey(SLOW.keyFor("q", "t", args));
    return store.enqueue(List.of(j)).get(0).jobId();
  }

  private ClaimResult claim() {
    return one.claim(new ClaimRequest("w1", List.of("q"), 10, clock.instant()));
  }

  @Test
  void aHeldQueueIsSkippedForAtMost100MsUnlessThisProcessReadiesAJob() {
    enqueue(one, "a", clock.instant());
    enqueue(one, "a", clock.instant());
    assertThat(claim().jobs()).hasSize(1);
    ClaimResult held = claim();
    assertThat(held.jobs()).isEmpty();
    assertThat(held.nextRunAt()).isEqualTo(T0.plusSeconds(10));

    String b = enqueue(other, "b", clock.instant());
    ClaimResult skipped = claim();
    assertThat(skipped.jobs()).as("another process's job is not seen while the queue is skipped").isEmpty();
    assertThat(skipped.nextRunAt()).isEqualTo(T0.plusSeconds(10));
    clock.advance(Duration.ofMillis(100));
    assertThat(claim().jobs()).as("the skip lapsed").extracting(JobInfo::id).containsExactly(b);

    assertThat(claim().jobs()).isEmpty();
    String c = enqueue(one, "c", clock.instant());
    assertThat(claim().jobs()).as("this process's enqueue ends the skip at once").extracting(JobInfo::id)
        .containsExactly(c);
  }

  @Test
  void aStoreClockSteppedBackAnHourDoesNotSkipAQueueAnotherProcessFreedForAnHour() {
    SteppedClock stepped = SteppedClock.ofSystem();
    FlowLimit one = FlowLimit.builder("one").concurrency(1).build();
    try (SqliteJobStore a = SqliteJobStore.builder(dir.resolve("step.db")).clock(stepped).open();
         SqliteJobStore b = SqliteJobStore.builder(dir.resolve("step.db")).clock(stepped).open()) {
      Instant now = stepped.instant();
      for (String w : List.of("wa", "wb")) {
        b.heartbeat(new WorkerRecord(w, "w", "host", 1, List.of("q"), 64, "THREADS", "RUNNING", now, now,
            now.plus(Duration.ofHours(3)), 0, 0, 0, 0));
      }
      b.flowAdmin().orElseThrow().putLimit(one);
      for (String args : List.of("1", "2")) {
        b.enqueue(List.of(new NewJob("t", args, "q", 0, now, null, JobPolicy.defaults(), now, null)
            .withFlowKey(one.keyFor("q", "t", args))));
      }
      JobInfo running = b.claim(new ClaimRequest("wb", List.of("q"), 1, stepped.instant())).jobs().get(0);
      assertThat(a.claim(new ClaimRequest("wa", List.of("q"), 5, stepped.instant())).jobs())
          .as("the permit is taken: the queue is held, and skipped by a for a while").isEmpty();

      stepped.step(Duration.ofHours(-1));
      assertThat(b.complete(List.of(Completion.succeeded(running.id(), running.fence(), "wb", "1")),
          stepped.instant())).containsExactly(true);
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
          a.claim(new ClaimRequest("wa", List.of("q"), 5, stepped.instant())).jobs())
          .as("the other process freed the permit").hasSize(1));
    }
  }

}
