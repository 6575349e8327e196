package dev.spindle.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.queue.DependencyPolicy;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.WorkflowInput;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.Dependency;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.QueueControl.DeleteResult;
import dev.spindle.queue.spi.RetentionLimits;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.store.jdbc.internal.SqlHistoryRetention;
import dev.spindle.testkit.store.SteppedClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The store's clock steps back by an hour (an NTP correction, a VM restored from a snapshot) while
 * retention keeps what it read: a limit's finish number (1 minute) and where its deletions ended
 * (10 minutes) still run out on the monotonic clock, instead of an hour later. Both clocks are
 * injected and moved by hand.
 */
class PostgresRetentionClockStepTest {
  private static final Instant T0 = Instant.parse("2030-01-07T10:00:00Z");
  private static final Duration HOUR = Duration.ofHours(1);

  private final SteppedClock clock = SteppedClock.at(T0);
  private final AtomicLong nanos = new AtomicLong(42);

  private PostgresJobStore open(String prefix) {
    PostgresJobStore store = SharedPostgres.builder(prefix).clock(clock).nanoTime(nanos::get).archiveAfter(null)
        .open();
    store.heartbeat(new WorkerRecord("w1", "w", "host", 1, List.of("default"), 1, "THREADS", "RUNNING", T0, T0,
        T0.plus(Duration.ofDays(30)), 0, 0, 0, 0));
    return store;
  }

  private NewJob job(String arg) {
    return new NewJob("store.echo", "\"" + arg + "\"", "default", 0, clock.instant(), null, JobPolicy.defaults(),
        clock.instant());
  }

  private List<String> runToSuccess(PostgresJobStore store, int n) {
    List<NewJob> jobs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      jobs.add(job("j" + i));
    }
    return PostgresHistoryTest.enqueueAndSucceed(store, jobs, clock.instant());
  }

  @Test
  void aLimitsFinishNumberIsReadAgainAfterAMinuteOnTheMonotonicClock() {
    try (PostgresJobStore store = open("cutoffstep")) {
      List<String> ids = runToSuccess(store, 30);
      RetentionLimits tenByFour = new RetentionLimits(10, 100, 4);
      assertThat(store.purgeExpired(clock.instant(), tenByFour)).as("the 4 oldest; the finish number kept")
          .isEqualTo(4);
      for (String id : ids.subList(20, 30)) { // the 10 newest go another way: only 6 are beyond the limit now
        assertThat(store.control().deleteJob(id)).isEqualTo(DeleteResult.DELETED);
      }
      clock.step(HOUR.negated());
      nanos.addAndGet(Duration.ofMinutes(1).toNanos());
      assertThat(store.purgeExpired(clock.instant(), tenByFour)).isEqualTo(4);
      assertThat(store.purgeExpired(clock.instant(), tenByFour)).as("up to the finish number read again").isEqualTo(2);
      assertThat(ids.subList(10, 20)).as("the 10 newest left").allSatisfy(id -> assertThat(store.find(id)).isPresent());
    }
  }

  @Test
  void deletionsStartFromTheOldestAgainAfterTenMinutesOnTheMonotonicClock() {
    try (PostgresJobStore store = open("positionstep")) {
      NewJob dependent = job("both").dependingOn(List.of(Dependency.onBatchJob(0, DependencyPolicy.REQUIRE_SUCCESS),
          Dependency.onBatchJob(1, DependencyPolicy.REQUIRE_SUCCESS)), WorkflowInput.RESULTS);
      List<String> ids = store.enqueue(List.of(job("quick"), job("slow"), dependent)).stream().map(r -> r.jobId())
          .toList();
      List<JobInfo> parents = store.claim(new ClaimRequest("w1", List.of("default"), 2, clock.instant())).jobs();
      store.complete(List.of(Completion.succeeded(ids.get(0), parents.get(0).fence(), "w1", "\"p\"")), clock.instant());
      runToSuccess(store, 3);
      RetentionLimits keepOne = new RetentionLimits(1, 100, 10);
      assertThat(store.purgeExpired(clock.instant(), keepOne)).as("the quick job is awaited: kept").isEqualTo(2);
      store.complete(List.of(Completion.succeeded(ids.get(1), parents.get(1).fence(), "w1", "\"q\"")),
          clock.instant());
      assertThat(store.purgeExpired(clock.instant(), keepOne)).as("from where the last deletion ended").isEqualTo(1);
      assertThat(store.find(ids.get(0))).as("passed by, no longer awaited").isPresent();

      clock.step(HOUR.negated());
      nanos.addAndGet(Duration.ofMinutes(10).toNanos());
      assertThat(store.purgeExpired(clock.instant(), keepOne)).as("from the oldest again").isEqualTo(1);
      assertThat(store.find(ids.get(0))).isEmpty();
    }
  }

  @Test
  void anIntervalHasPassedWhenEitherClockSaysSo() {
    SqlHistoryRetention.When start = new SqlHistoryRetention.When(T0, 100);
    Duration minute = Duration.ofMinutes(1);
    long minuteNanos = minute.toNanos();
    assertThat(start.passed(minute, new SqlHistoryRetention.When(T0.plusSeconds(59), 100 + minuteNanos - 1))).isFalse();
    assertThat(start.passed(minute, new SqlHistoryRetention.When(T0.plusSeconds(60), 100))).as("by the store's clock")
        .isTrue();
    assertThat(start.passed(minute, new SqlHistoryRetention.When(T0.minus(HOUR), 100 + minuteNanos)))
        .as("by the monotonic clock, the store's stepped back").isTrue();
  }
}
