package dev.spindle.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.queue.FlowLimit;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.ClaimResult;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.testkit.store.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The held-queue mark of the {@code exchange} script: a keyed queue whose claim found every key held
 * is skipped by later claims (no key looked at) until the earliest end of a hold, at most 100 ms, and
 * a change made through any store instance on the namespace (another worker process) that can make
 * one of its jobs claimable ends the skip at once.
 */
class RedisFlowHeldQueueTest {
  private static final Instant T0 = Instant.parse("2030-01-07T10:00:00Z");
  private static final AtomicInteger NAMESPACES = new AtomicInteger();

  private final ManualClock clock = new ManualClock(T0);
  private String namespace;
  private RedisJobStore one;
  private RedisJobStore other;

  @BeforeEach
  void open() {
    namespace = "flowheld-" + NAMESPACES.incrementAndGet();
    one = open(namespace);
    other = open(namespace);
    Instant now = clock.instant();
    one.heartbeat(new WorkerRecord("w1", "w", "host", 1, List.of("q"), 64, "THREADS", "RUNNING", now, now,
        now.plus(Duration.ofHours(1)), 0, 0, 0, 0));
  }

  @AfterEach
  void close() {
    one.close();
    other.close();
  }

  private RedisJobStore open(String ns) {
    return RedisJobStore.open(RedisStoreConfig.fromUrl(SharedRedis.server().url() + "/0?namespace=" + ns
        + "&watchdog=200ms", Map.of()), clock);
  }

  private String enqueue(RedisJobStore store, String task, String args, @Nullable FlowLimit limit) {
    Instant now = clock.instant();
    NewJob j = new NewJob(task, args, "q", 0, now, null, JobPolicy.defaults(), now, null);
    if (limit != null) {
      j = j.withFlowKey(limit.keyFor("q", task, args));
    }
    return store.enqueue(List.of(j)).get(0).jobId();
  }

  private ClaimResult claim() {
    return one.claim(new ClaimRequest("w1", List.of("q"), 10, clock.instant()));
  }

  /** The queue's mark as the script keeps it: "skip until us|earliest hold end us or ''". */
  private @Nullable Object mark() {
    return SharedRedis.server().command("HGET", "{" + namespace + "}:fh", "q");
  }

  private static long us(Instant t) {
    return t.getEpochSecond() * 1_000_000 + t.getNano() / 1000;
  }

  @Test
  void aQueueHeldByAPermitIsSkippedUntilAnotherProcessEndsTheRunningJob() {
    FlowLimit limit = FlowLimit.builder("one").concurrency(1).build();
    one.flowAdmin().orElseThrow().putLimit(limit);
    enqueue(one, "t", "1", limit);
    String second = enqueue(one, "t", "2", limit);
    List<JobInfo> first = claim().jobs();
    assertThat(first).hasSize(1);
    assertThat(claim().jobs()).isEmpty();
    assertThat(mark()).as("held by the permit: skipped for at most 100 ms")
        .isEqualTo((us(T0) + 100_000) + "|");
    JobInfo running = first.get(0);
    assertThat(other.complete(List.of(Completion.succeeded(running.id(), running.fence(), "w1", "1")),
        clock.instant())).containsExactly(true);
    assertThat(mark()).as("the permit was freed: the mark is gone").isNull();
    assertThat(claim().jobs()).extracting(JobInfo::id).containsExactly(second);
  }

  @Test
  void aQueueHeldByARateIsSkippedUntilTheRateLiftsOrAJobOfItIsEnqueued() {
    FlowLimit limit = FlowLimit.builder("slow").rate(1, Duration.ofSeconds(10)).build();
    one.flowAdmin().orElseThrow().putLimit(limit);
    enqueue(one, "t", "1", limit);
    String keyed = enqueue(one, "t", "2", limit);
    assertThat(claim().jobs()).hasSize(1);
    ClaimResult held = claim();
    assertThat(held.jobs()).isEmpty();
    assertThat(held.nextRunAt()).isEqualTo(T0.plusSeconds(10));
    assertThat(mark()).isEqualTo((us(T0) + 100_000) + "|" + us(T0.plusSeconds(10)));
    ClaimResult skipped = claim();
    assertThat(skipped.jobs()).isEmpty();
    assertThat(skipped.nextRunAt()).as("a skipped queue still tells when its hold ends")
        .isEqualTo(T0.plusSeconds(10));

    clock.advance(Duration.ofMillis(100));
    assertThat(claim().jobs()).as("the mark lapsed: the keys are looked at again, still held").isEmpty();
    assertThat(mark()).isEqualTo((us(T0) + 200_000) + "|" + us(T0.plusSeconds(10)));
    String unkeyed = enqueue(other, "t", "3", null);
    assertThat(mark()).as("a job of the queue became ready elsewhere").isNull();
    assertThat(claim().jobs()).extracting(JobInfo::id).containsExactly(unkeyed);

    clock.advance(Duration.ofMillis(9_900));
    assertThat(claim().jobs()).extracting(JobInfo::id).containsExactly(keyed);
  }

  @Test
  void raisingALimitEndsTheSkip() {
    FlowLimit limit = FlowLimit.builder("one").concurrency(1).build();
    one.flowAdmin().orElseThrow().putLimit(limit);
    enqueue(one, "t", "1", limit);
    enqueue(one, "t", "2", limit);
    assertThat(claim().jobs()).hasSize(1);
    assertThat(claim().jobs()).isEmpty();
    assertThat(mark()).isNotNull();
    other.flowAdmin().orElseThrow().putLimit(FlowLimit.builder("one").concurrency(2).build());
    assertThat(mark()).isNull();
    assertThat(claim().jobs()).hasSize(1);
  }
}
