package dev.spindle.testkit.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.queue.DurableRules;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.CachedResult;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.DurableStore;
import dev.spindle.queue.spi.JobRef;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.SignalResult;
import dev.spindle.queue.spi.StepLog;
import dev.spindle.queue.spi.StepRecord;
import dev.spindle.queue.spi.StepTally;
import dev.spindle.queue.spi.StepWrite;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.queue.spi.WaitFor;
import dev.spindle.queue.spi.WorkerRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link DurableStore} on one store: a step is recorded once, only under the job's
 * current fence, and returned to the next attempt; a suspension moves RUNNING to SCHEDULED at its
 * wake time without a failure or strike (a 30-day sleep on a manual clock); signals sent before and
 * after the wait, racing the suspension, and the wait's timeout; the limits of {@link DurableRules};
 * records going with their job; memoized results. The store-level half: {@code DurableWorkerContract}
 * holds a real worker on the same store to the rest. Time is a {@link ManualClock} the tests move.
 * Subclass it per backend and implement {@link #openStore()}.
 */
public abstract class DurableStoreContract {
  private static final Instant T0 = Instant.parse("2030-03-04T09:00:00Z");
  private static final DurableRules RULES = DurableRules.defaults();

  /** The store's clock: open the store with it. */
  protected ManualClock clock;
  /** The store under test. */
  protected StoreBackend store;
  private DurableStore durable;

  /** Opens a new, empty store on {@link #clock}. */
  protected abstract StoreBackend openStore() throws Exception;

  @BeforeEach
  void open() throws Exception {
    clock = new ManualClock(T0);
    store = openStore();
    durable = store.durable().orElseThrow();
    register("w1");
    register("w2");
  }

  @AfterEach
  void close() {
    store.close();
  }

  private void register(String worker) {
    Instant now = clock.instant();
    store.heartbeat(new WorkerRecord(worker, worker, "host", 1, List.of("q"), 8, "THREADS", "RUNNING", now, now,
        now.plus(Duration.ofDays(400)), 0, 0, 0, 0));
  }

  private String enqueue(@Nullable String uniqueKey) {
    Instant now = clock.instant();
    return store.enqueue(List.of(new NewJob("t.durable", "{}", "q", 0, now, uniqueKey, JobPolicy.defaults(), now)))
        .get(0).jobId();
  }

  private JobInfo claim(String worker) {
    List<JobInfo> jobs = store.claim(new ClaimRequest(worker, List.of("q"), 1, clock.instant())).jobs();
    assertThat(jobs).as("a job to claim").hasSize(1);
    return jobs.get(0);
  }

  private boolean nothingToClaim() {
    return store.claim(new ClaimRequest("w2", List.of("q"), 1, clock.instant())).jobs().isEmpty();
  }

  private JobInfo job(String id) {
    return store.find(id).orElseThrow();
  }

  private static String worker(JobInfo j) {
    return Objects.requireNonNull(j.workerId(), "a claimed job's worker");
  }

  private static StepRecord step(String name, int occurrence, int sequence, @Nullable String json, JobInfo by) {
    return new StepRecord(name, occurrence, sequence, StepRecord.Kind.VALUE, json, by.fence(), by.attempt(), 3,
        Instant.EPOCH);
  }

  private StepWrite record(JobInfo j, StepRecord s) {
    return record(j, s, RULES);
  }

  private StepWrite record(JobInfo j, StepRecord s, DurableRules rules) {
    return durable.record(j.id(), j.fence(), worker(j), s, rules);
  }

  /** Hands the job back as a retry due now, so the next claim is its next attempt. */
  private void retryNow(JobInfo j) {
    assertThat(store.complete(List.of(Completion.retry(j.id(), j.fence(), worker(j), "{\"type\":\"x\"}",
        clock.instant())), clock.instant())).containsExactly(true);
  }

  @Test
  void aStepIsRecordedOnceAndTheNextAttemptLoadsIt() {
    String id = enqueue(null);
    JobInfo first = claim("w1");
    assertThat(durable.load(id, first.fence(), "w1")).contains(StepLog.empty());
    StepWrite w = record(first, step("charge", 0, 0, "{\"amount\":42}", first));
    assertThat(w.status()).isEqualTo(StepWrite.Status.APPLIED);
    StepRecord stored = Objects.requireNonNull(w.stored());
    assertThat(stored.recordedAt()).isEqualTo(T0);
    assertThat(stored.fence()).isEqualTo(first.fence());

    StepWrite again = record(first, step("charge", 0, 0, "{\"amount\":99}", first));
    assertThat(again.status()).isEqualTo(StepWrite.Status.EXISTS);
    assertThat(Objects.requireNonNull(again.stored()).resultJson()).isEqualTo("{\"amount\":42}");

    retryNow(first);
    JobInfo second = claim("w2");
    StepLog log = durable.load(id, second.fence(), "w2").orElseThrow();
    assertThat(log.steps()).extracting(StepRecord::name, StepRecord::occurrence, StepRecord::resultJson)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("charge", 0, "{\"amount\":42}"));
    assertThat(log.find("charge", 0)).isPresent();
    assertThat(log.find("charge", 1)).isEmpty();
    StepWrite replay = record(second, step("charge", 0, 0, "{\"amount\":7}", second));
    assertThat(replay.status()).isEqualTo(StepWrite.Status.EXISTS);
    assertThat(Objects.requireNonNull(replay.stored()).resultJson()).isEqualTo("{\"amount\":42}");
  }

  @Test
  void theLogListsRecordsBySequence() {
    String id = enqueue(null);
    JobInfo j = claim("w1");
    record(j, step("b", 0, 1, "2", j));
    record(j, step("a", 0, 0, "1", j));
    record(j, step("b", 1, 2, "3", j));
    assertThat(durable.load(id, j.fence(), "w1").orElseThrow().steps())
        .extracting(StepRecord::key).containsExactly("a#0", "b#0", "b#1");
  }

  @Test
  void aFencedWriteAnswersFencedAndChangesNothing() {
    String id = enqueue(null);
    JobInfo stale = claim("w1");
    retryNow(stale);
    JobInfo current = claim("w2");
    assertThat(current.fence()).isNotEqualTo(stale.fence());

    assertThat(record(stale, step("charge", 0, 0, "1", stale)).status()).isEqualTo(StepWrite.Status.FENCED);
    assertThat(durable.record(id, current.fence(), "w1", step("charge", 0, 0, "1", current), RULES).status())
        .as("the right fence from the wrong worker").isEqualTo(StepWrite.Status.FENCED);
    assertThat(durable.load(id, stale.fence(), "w1")).as("a stale attempt reads nothing").isEmpty();
    assertThat(durable.suspend(id, stale.fence(), "w1", WaitFor.timer(0, clock.instant().plusSeconds(60)),
        clock.instant())).isFalse();

    assertThat(job(id).state()).isEqualTo(JobState.RUNNING);
    assertThat(durable.load(id, current.fence(), "w2").orElseThrow().steps()).isEmpty();
    assertThat(record(current, step("charge", 0, 0, "2", current)).status()).isEqualTo(StepWrite.Status.APPLIED);
  }

  /**
   * Records written at the same moment by many running jobs through the attempt's tally (the
   * worker's path, which a store may commit together): each is recorded once under its own fence,
   * a stale attempt's is refused, and a second record of a key answers the first.
   */
  @Test
  void stepsOfManyJobsAtOnceAreEachRecordedOnceUnderTheirFence() throws Exception {
    int n = 12;
    List<JobInfo> held = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      enqueue(null);
      held.add(claim("w1"));
    }
    String staleId = enqueue(null);
    JobInfo stale = claim("w1");
    retryNow(stale);
    JobInfo current = claim("w2");
    CountDownLatch start = new CountDownLatch(1);
    List<Future<StepWrite>> writes = new ArrayList<>();
    Future<StepWrite> staleWrite;
    try (ExecutorService threads = Executors.newFixedThreadPool(n + 1)) {
      for (JobInfo j : held) {
        writes.add(threads.submit(() -> {
          start.await();
          return durable.record(j.id(), j.fence(), "w1", step("s", 0, 0, "\"" + j.id() + "\"", j), RULES,
              new StepTally(0, 0, false));
        }));
      }
      staleWrite = threads.submit(() -> {
        start.await();
        return durable.record(staleId, stale.fence(), "w1", step("s", 0, 0, "\"stale\"", stale), RULES,
            new StepTally(0, 0, false));
      });
      start.countDown();
      for (Future<StepWrite> w : writes) {
        assertThat(w.get().status()).isEqualTo(StepWrite.Status.APPLIED);
      }
      assertThat(staleWrite.get().status()).isEqualTo(StepWrite.Status.FENCED);
    }
    for (JobInfo j : held) {
      assertThat(durable.view(j.id()).orElseThrow().steps()).extracting(StepRecord::key, StepRecord::resultJson)
          .containsExactly(org.assertj.core.groups.Tuple.tuple("s#0", "\"" + j.id() + "\""));
    }
    assertThat(durable.view(staleId).orElseThrow().steps()).isEmpty();
    JobInfo first = held.get(0);
    StepWrite again = durable.record(first.id(), first.fence(), "w1", step("s", 0, 0, "\"again\"", first), RULES,
        new StepTally(1, 0, false));
    assertThat(again.status()).isEqualTo(StepWrite.Status.EXISTS);
    assertThat(Objects.requireNonNull(again.stored()).resultJson()).isEqualTo("\"" + first.id() + "\"");
    assertThat(durable.load(staleId, current.fence(), "w2").orElseThrow().steps()).isEmpty();
  }

  @Test
  void aFinishedJobCannotRecord() {
    String id = enqueue(null);
    JobInfo j = claim("w1");
    store.complete(List.of(Completion.succeeded(id, j.fence(), "w1", "1")), clock.instant());
    assertThat(record(j, step("late", 0, 0, "1", j)).status()).isEqualTo(StepWrite.Status.FENCED);
    assertThat(durable.view(id).orElseThrow().steps()).isEmpty();
  }

  @Test
  void aThirtyDaySleepSchedulesTheJobAndGivesNoFailureNorStrike() {
    String id = enqueue(null);
    JobInfo j = claim("w1");
    Instant fireAt = clock.instant().plus(Duration.ofDays(30));
    StepRecord timer = new StepRecord("~sleep", 0, 0, StepRecord.Kind.TIMER, "{\"sleep\":\"PT720H\"}", j.fence(),
        j.attempt(), 0, Instant.EPOCH);
    assertThat(record(j, timer).status()).isEqualTo(StepWrite.Status.APPLIED);
    assertThat(durable.suspend(id, j.fence(), "w1", WaitFor.timer(0, fireAt), clock.instant())).isTrue();

    JobInfo sleeping = job(id);
    assertThat(sleeping.state()).isEqualTo(JobState.SCHEDULED);
    assertThat(sleeping.runAt()).isEqualTo(fireAt);
    assertThat(sleeping.failures()).isZero();
    assertThat(sleeping.workerLost()).isZero();
    assertThat(store.heartbeat(workerRecord("w1")).held()).doesNotContain(id);

    clock.advance(Duration.ofDays(30).minusSeconds(1));
    assertThat(nothingToClaim()).isTrue();
    clock.advance(Duration.ofSeconds(1));
    JobInfo resumed = claim("w2");
    assertThat(resumed.id()).isEqualTo(id);
    StepLog log = durable.load(id, resumed.fence(), "w2").orElseThrow();
    assertThat(log.find("~sleep", 0).orElseThrow().kind()).isEqualTo(StepRecord.Kind.TIMER);
    WaitFor wait = Objects.requireNonNull(log.waitingFor());
    assertThat(wait.kind()).isEqualTo(WaitFor.Kind.TIMER);
    assertThat(wait.until()).isEqualTo(fireAt);
  }

  private WorkerRecord workerRecord(String worker) {
    Instant now = clock.instant();
    return new WorkerRecord(worker, worker, "host", 1, List.of("q"), 8, "THREADS", "RUNNING", now, now,
        now.plus(Duration.ofDays(400)), 0, 0, 0, 0);
  }

  @Test
  void aSuspensionWhoseTimeHasComeIsQueuedAtOnce() {
    String id = enqueue(null);
    JobInfo j = claim("w1");
    assertThat(durable.suspend(id, j.fence(), "w1", WaitFor.timer(0, clock.instant()), clock.instant())).isTrue();
    assertThat(job(id).state()).isEqualTo(JobState.QUEUED);
  }

  @Test
  void aSuspendedJobWithACancelRequestEndsCancelled() {
    String id = enqueue(null);
    JobInfo j = claim("w1");
    store.cancel(id, clock.instant());
    durable.suspend(id, j.fence(), "w1", WaitFor.timer(0, clock.instant().plusSeconds(60)), clock.instant());
    assertThat(job(id).state()).isEqualTo(JobState.CANCELLED);
  }

  @Test
  void aSignalSentBeforeTheWaitIsKeptInOrder() {
    String id = enqueue(null);
    assertThat(durable.signal(JobRef.id(id), "approval", "{\"by\":\"alice\"}", RULES, clock.instant()))
        .isEqualTo(SignalResult.STORED);
    assertThat(durable.signal(JobRef.id(id), "approval", "{\"by\":\"bob\"}", RULES, clock.instant()))
        .isEqualTo(SignalResult.STORED);
    assertThat(durable.signalAt(id, "approval", 0).orElseThrow().payloadJson()).isEqualTo("{\"by\":\"alice\"}");
    assertThat(durable.signalAt(id, "approval", 1).orElseThrow().payloadJson()).isEqualTo("{\"by\":\"bob\"}");
    assertThat(durable.signalAt(id, "approval", 2)).isEmpty();
    assertThat(durable.signalAt(id, "other", 0)).isEmpty();
    JobInfo j = claim("w1");
    assertThat(durable.load(id, j.fence(), "w1").orElseThrow().signalCounts()).containsEntry("approval", 2);
  }

  @Test
  void aSignalAfterTheWaitWakesTheJobAndOnlyForItsName() {
    String id = enqueue("order-42");
    JobInfo j = claim("w1");
    Instant timeout = clock.instant().plus(Duration.ofDays(7));
    assertThat(durable.suspend(id, j.fence(), "w1", WaitFor.signal("approval", 0, 0, timeout), clock.instant()))
        .isTrue();
    assertThat(job(id).state()).isEqualTo(JobState.SCHEDULED);

    assertThat(durable.signal(JobRef.uniqueKey("order-42"), "other", "1", RULES, clock.instant()))
        .isEqualTo(SignalResult.STORED);
    assertThat(job(id).state()).isEqualTo(JobState.SCHEDULED);
    assertThat(durable.signal(JobRef.uniqueKey("order-42"), "approval", "{\"ok\":true}", RULES, clock.instant()))
        .isEqualTo(SignalResult.WOKE);
    assertThat(job(id).state()).isEqualTo(JobState.QUEUED);
    JobInfo resumed = claim("w2");
    assertThat(resumed.failures()).isZero();
    assertThat(durable.signalAt(id, "approval", 0).orElseThrow().payloadJson()).isEqualTo("{\"ok\":true}");
  }

  @Test
  void aSignalRacingTheSuspensionQueuesTheJobAtOnce() {
    String id = enqueue(null);
    JobInfo j = claim("w1");
    // the attempt looked for signal 0 and found none; the signal arrives before it suspends
    assertThat(durable.signal(JobRef.id(id), "approval", "1", RULES, clock.instant()))
        .isEqualTo(SignalResult.STORED);
    durable.suspend(id, j.fence(), "w1", WaitFor.signal("approval", 0, 0, clock.instant().plusSeconds(3600)),
        clock.instant());
    assertThat(job(id).state()).isEqualTo(JobState.QUEUED);
  }

  @Test
  void aSignalWaitTimesOutAtItsTimeout() {
    String id = enqueue(null);
    JobInfo j = claim("w1");
    Instant timeout = clock.instant().plus(Duration.ofDays(7));
    durable.suspend(id, j.fence(), "w1", WaitFor.signal("approval", 0, 0, timeout), clock.instant());
    clock.advance(Duration.ofDays(7).minusMillis(1));
    assertThat(nothingToClaim()).isTrue();
    clock.advance(Duration.ofMillis(1));
    JobInfo resumed = claim("w2");
    StepLog log = durable.load(id, resumed.fence(), "w2").orElseThrow();
    assertThat(Objects.requireNonNull(log.waitingFor()).until()).isEqualTo(timeout);
    assertThat(durable.signalAt(id, "approval", 0)).isEmpty();
    StepRecord timedOut = new StepRecord(DurableRules.signalStepName("approval"), 0, 0, StepRecord.Kind.SIGNAL,
        null, resumed.fence(), resumed.attempt(), 0, Instant.EPOCH);
    assertThat(record(resumed, timedOut).status()).isEqualTo(StepWrite.Status.APPLIED);
    assertThat(durable.load(id, resumed.fence(), "w2").orElseThrow().waitingFor())
        .as("a record after the wait ends it").isNull();
  }

  @Test
  void signalsToUnknownAndFinishedJobsAreNotStored() {
    assertThat(durable.signal(JobRef.id("999999"), "s", "1", RULES, clock.instant()))
        .isEqualTo(SignalResult.NO_SUCH_JOB);
    assertThat(durable.signal(JobRef.uniqueKey("nobody"), "s", "1", RULES, clock.instant()))
        .isEqualTo(SignalResult.NO_SUCH_JOB);
    String id = enqueue(null);
    JobInfo j = claim("w1");
    store.complete(List.of(Completion.succeeded(id, j.fence(), "w1", "1")), clock.instant());
    assertThat(durable.signal(JobRef.id(id), "s", "1", RULES, clock.instant())).isEqualTo(SignalResult.FINISHED);
    assertThat(durable.signalAt(id, "s", 0)).isEmpty();
  }

  @Test
  void pendingSignalsAreLimitedAndTakenOnesFreeRoom() {
    DurableRules two = DurableRules.builder().maxPendingSignals(2).build();
    String id = enqueue(null);
    assertThat(durable.signal(JobRef.id(id), "s", "1", two, clock.instant())).isEqualTo(SignalResult.STORED);
    assertThat(durable.signal(JobRef.id(id), "s", "2", two, clock.instant())).isEqualTo(SignalResult.STORED);
    assertThat(durable.signal(JobRef.id(id), "s", "3", two, clock.instant())).isEqualTo(SignalResult.FULL);
    assertThat(durable.signalAt(id, "s", 2)).isEmpty();
    JobInfo j = claim("w1");
    StepRecord took = new StepRecord(DurableRules.signalStepName("s"), 0, 0, StepRecord.Kind.SIGNAL, "1",
        j.fence(), j.attempt(), 0, Instant.EPOCH);
    assertThat(record(j, took).status()).isEqualTo(StepWrite.Status.APPLIED);
    assertThat(durable.signal(JobRef.id(id), "s", "3", two, clock.instant())).isEqualTo(SignalResult.STORED);
  }

  @Test
  void anOversizedSignalOrABadNameIsRefusedAndNothingStored() {
    DurableRules small = DurableRules.builder().maxSignalBytes(8).build();
    String id = enqueue(null);
    assertThatThrownBy(() -> durable.signal(JobRef.id(id), "s", "\"0123456789\"", small, clock.instant()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("limit is 8");
    assertThatThrownBy(() -> durable.signal(JobRef.id(id), "a/b", "1", small, clock.instant()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a/b'");
    assertThat(durable.signalAt(id, "s", 0)).isEmpty();
  }

  @Test
  void theStepCountLimitRefusesTheNextRecord() {
    DurableRules two = DurableRules.builder().maxSteps(2).build();
    enqueue(null);
    JobInfo j = claim("w1");
    assertThat(record(j, step("a", 0, 0, "1", j), two).status()).isEqualTo(StepWrite.Status.APPLIED);
    assertThat(record(j, step("a", 1, 1, "1", j), two).status()).isEqualTo(StepWrite.Status.APPLIED);
    StepWrite third = record(j, step("a", 2, 2, "1", j), two);
    assertThat(third.status()).isEqualTo(StepWrite.Status.LIMIT);
    assertThat(third.limit()).isEqualTo(DurableRules.STEP_LIMIT);
    assertThat(record(j, step("a", 0, 0, "1", j), two).status()).as("a recorded step is still found")
        .isEqualTo(StepWrite.Status.EXISTS);
  }

  @Test
  void theSizeLimitsRefuseALargeResultAndTooManyBytes() {
    DurableRules small = DurableRules.builder().maxResultBytes(10).maxJobBytes(15).build();
    String id = enqueue(null);
    JobInfo j = claim("w1");
    StepWrite big = record(j, step("a", 0, 0, "\"0123456789\"", j), small);
    assertThat(big.limit()).isEqualTo(DurableRules.STEP_RESULT_TOO_LARGE);
    assertThat(record(j, step("a", 0, 0, "\"01234567\"", j), small).status()).isEqualTo(StepWrite.Status.APPLIED);
    StepWrite over = record(j, step("b", 0, 1, "\"012345\"", j), small);
    assertThat(over.limit()).isEqualTo(DurableRules.STEP_BYTES_LIMIT);
    assertThat(durable.view(id).orElseThrow().steps()).hasSize(1);
  }

  @Test
  void recordsGoWithTheirJob() {
    String id = enqueue(null);
    JobInfo j = claim("w1");
    record(j, step("a", 0, 0, "1", j));
    durable.signal(JobRef.id(id), "s", "1", RULES, clock.instant());
    store.complete(List.of(Completion.succeeded(id, j.fence(), "w1", "1")), clock.instant());
    assertThat(durable.view(id).orElseThrow().steps()).hasSize(1);
    assertThat(store.control().deleteJob(id)).isEqualTo(dev.spindle.queue.spi.QueueControl.DeleteResult.DELETED);
    assertThat(durable.view(id)).isEmpty();
    assertThat(durable.signalAt(id, "s", 0)).isEmpty();
    assertThat(durable.view("424242")).as("reading never creates").isEmpty();
    assertThat(store.find("424242")).isEmpty();
  }

  @Test
  void aMemoizedResultIsServedUntilItExpires() {
    Instant until = clock.instant().plus(Duration.ofMinutes(10));
    assertThat(durable.cached("t:abc", clock.instant())).isEmpty();
    durable.cache(new CachedResult("t:abc", "{\"v\":1}", "7", until), clock.instant());
    CachedResult hit = durable.cached("t:abc", clock.instant()).orElseThrow();
    assertThat(hit.resultJson()).isEqualTo("{\"v\":1}");
    assertThat(hit.jobId()).isEqualTo("7");
    assertThat(durable.cached("t:other", clock.instant())).isEmpty();
    clock.advance(Duration.ofMinutes(10));
    assertThat(durable.cached("t:abc", clock.instant())).isEmpty();
  }
}
