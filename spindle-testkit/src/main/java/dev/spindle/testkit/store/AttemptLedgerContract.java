package dev.spindle.testkit.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.queue.DurableRules;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.AttemptLedger;
import dev.spindle.queue.spi.AttemptOutcome;
import dev.spindle.queue.spi.AttemptRecord;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.JobAttempts;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.queue.spi.QueueControl;
import dev.spindle.queue.spi.RefusedWrite;
import dev.spindle.queue.spi.StepRecord;
import dev.spindle.queue.spi.StepWrite;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.queue.spi.WaitFor;
import dev.spindle.queue.spi.WorkerRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link AttemptLedger} on one store: a claim opens an attempt (worker, host, fence,
 * start), each completion, suspension and reclaim closes it with its outcome and its own error;
 * batched claims and completions write one entry per job; a worker whose lease ran out on the
 * store's {@link ManualClock} and that completes (or records a step) after its successor is refused
 * and the refusal is recorded, making the job a duplicate; the ledger is bounded to {@link
 * AttemptLedger#keep()} claims and deleted with its job. Subclass it per backend and implement
 * {@link #openStore()}.
 */
public abstract class AttemptLedgerContract {
  private static final Instant T0 = Instant.parse("2030-05-06T07:00:00Z");
  private static final String TASK = "t.ledger";
  private static final String ERROR_1 = "{\"type\":\"java.io.IOException\",\"message\":\"first\"}";
  private static final String ERROR_2 = "{\"type\":\"java.lang.IllegalStateException\",\"message\":\"second\"}";

  /** The store's clock: open the store with it. */
  protected ManualClock clock;
  /** The store under test. */
  protected StoreBackend store;
  private AttemptLedger ledger;

  /** Opens a new, empty store on {@link #clock}, keeping the default number of attempts. */
  protected abstract StoreBackend openStore() throws Exception;

  @BeforeEach
  void open() throws Exception {
    clock = new ManualClock(T0);
    store = openStore();
    ledger = store.attempts().orElseThrow();
    register("w-long", "host-a", Duration.ofDays(400));
  }

  @AfterEach
  void close() {
    store.close();
  }

  private void register(String worker, String host, Duration lease) {
    Instant now = clock.instant();
    store.heartbeat(new WorkerRecord(worker, worker, host, 1, List.of("q"), 8, "THREADS", "RUNNING", now, now,
        now.plus(lease), 0, 0, 0, 0));
  }

  private List<String> enqueue(int n) {
    Instant now = clock.instant();
    List<dev.spindle.queue.spi.NewJob> jobs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      jobs.add(new dev.spindle.queue.spi.NewJob(TASK, "{}", "q", 0, now, null, JobPolicy.defaults(), now));
    }
    return store.enqueue(jobs).stream().map(r -> r.jobId()).toList();
  }

  private List<JobInfo> claim(String worker, int max) {
    return store.claim(new ClaimRequest(worker, List.of("q"), max, clock.instant())).jobs();
  }

  private JobInfo claimOne(String worker) {
    List<JobInfo> jobs = claim(worker, 1);
    assertThat(jobs).as("a job to claim").hasSize(1);
    return jobs.get(0);
  }

  private boolean complete(Completion c) {
    return store.complete(List.of(c), clock.instant()).get(0);
  }

  private JobAttempts attempts(String id) {
    return ledger.attempts(id).orElseThrow();
  }

  private static String worker(JobInfo j) {
    return Objects.requireNonNull(j.workerId(), "a claimed job's worker");
  }

  @Test
  void aClaimOpensAnAttemptAndTheCompletionClosesIt() {
    String id = enqueue(1).get(0);
    assertThat(attempts(id)).isEqualTo(JobAttempts.none());
    Instant claimedAt = clock.instant();
    JobInfo j = claimOne("w-long");
    AttemptRecord open = attempts(id).attempts().get(0);
    assertThat(open.number()).isEqualTo(1);
    assertThat(open.fence()).isEqualTo(j.fence());
    assertThat(open.workerId()).isEqualTo("w-long");
    assertThat(open.host()).isEqualTo("host-a");
    assertThat(open.startedAt()).isEqualTo(claimedAt);
    assertThat(open.running()).isTrue();
    assertThat(open.endedAt()).isNull();

    clock.advance(Duration.ofSeconds(3));
    assertThat(complete(Completion.succeeded(id, j.fence(), worker(j), "42"))).isTrue();
    AttemptRecord done = attempts(id).attempts().get(0);
    assertThat(done.outcome()).isEqualTo(AttemptOutcome.SUCCEEDED);
    assertThat(done.endedAt()).isEqualTo(claimedAt.plusSeconds(3));
    assertThat(done.errorJson()).isNull();
    assertThat(attempts(id).refused()).isEmpty();
    assertThat(attempts(id).duplicate()).isFalse();
    assertThat(ledger.duplicatesByTask()).isEmpty();
  }

  @Test
  void eachAttemptKeepsItsOwnError() {
    String id = enqueue(1).get(0);
    JobInfo first = claimOne("w-long");
    assertThat(complete(Completion.retry(id, first.fence(), worker(first), ERROR_1, clock.instant()))).isTrue();
    clock.advance(Duration.ofSeconds(1));
    JobInfo second = claimOne("w-long");
    assertThat(complete(Completion.failed(id, second.fence(), worker(second), ERROR_2))).isTrue();

    List<AttemptRecord> a = attempts(id).attempts();
    assertThat(a).extracting(AttemptRecord::number).containsExactly(1, 2);
    assertThat(a).extracting(AttemptRecord::outcome).containsExactly(AttemptOutcome.RETRY, AttemptOutcome.FAILED);
    assertThat(a.get(0).errorJson()).isEqualTo(ERROR_1);
    assertThat(a.get(1).errorJson()).isEqualTo(ERROR_2);
    assertThat(a.get(1).fence()).isGreaterThan(a.get(0).fence());
  }

  @Test
  void batchedClaimsAndCompletionsWriteOneEntryPerJob() {
    List<String> ids = enqueue(5);
    List<JobInfo> claimed = claim("w-long", 5);
    assertThat(claimed).hasSize(5);
    List<Completion> done = new ArrayList<>();
    for (int i = 0; i < claimed.size(); i++) {
      JobInfo j = claimed.get(i);
      done.add(i % 2 == 0 ? Completion.succeeded(j.id(), j.fence(), worker(j), "1")
          : Completion.dead(j.id(), j.fence(), worker(j), "bad input", ERROR_1));
    }
    assertThat(store.complete(done, clock.instant())).containsOnly(true);
    for (JobInfo j : claimed) {
      List<AttemptRecord> a = attempts(j.id()).attempts();
      assertThat(a).hasSize(1);
      int i = claimed.indexOf(j);
      assertThat(a.get(0).outcome()).isEqualTo(i % 2 == 0 ? AttemptOutcome.SUCCEEDED : AttemptOutcome.DEAD);
      assertThat(a.get(0).errorJson()).isEqualTo(i % 2 == 0 ? null : ERROR_1);
    }
    assertThat(ids).containsExactlyInAnyOrderElementsOf(claimed.stream().map(JobInfo::id).toList());
  }

  @Test
  void aReleaseAndACancelCloseTheAttempt() {
    List<String> ids = enqueue(2);
    List<JobInfo> claimed = claim("w-long", 2);
    JobInfo released = claimed.get(0);
    JobInfo cancelled = claimed.get(1);
    assertThat(store.complete(List.of(Completion.released(released.id(), released.fence(), worker(released)),
        Completion.cancelled(cancelled.id(), cancelled.fence(), worker(cancelled))), clock.instant()))
        .containsExactly(true, true);
    assertThat(attempts(released.id()).attempts()).extracting(AttemptRecord::outcome)
        .containsExactly(AttemptOutcome.RELEASED);
    assertThat(attempts(released.id()).attempts()).extracting(AttemptRecord::errorJson).containsOnlyNulls();
    assertThat(attempts(cancelled.id()).attempts()).extracting(AttemptRecord::outcome)
        .containsExactly(AttemptOutcome.CANCELLED);
    JobInfo again = claimOne("w-long");
    assertThat(again.id()).isEqualTo(released.id());
    assertThat(attempts(again.id()).attempts()).extracting(AttemptRecord::number).containsExactly(1, 1);
    assertThat(ids).hasSize(2);
  }

  @Test
  void aLateCompletionOfAReclaimedJobIsRefusedAndRecorded() {
    register("w-short", "host-b", Duration.ofSeconds(30));
    String id = enqueue(1).get(0);
    JobInfo stale = claimOne("w-short");
    clock.advance(Duration.ofSeconds(31)); // its lease ran out: the body may still be running there
    assertThat(store.reclaimExpired(clock.instant(), 10)).extracting(JobInfo::id).containsExactly(id);
    AttemptRecord lost = attempts(id).attempts().get(0);
    assertThat(lost.outcome()).isEqualTo(AttemptOutcome.LOST);
    assertThat(lost.endedAt()).isEqualTo(clock.instant());
    assertThat(lost.errorJson()).contains("w-short");

    JobInfo successor = claimOne("w-long");
    assertThat(complete(Completion.succeeded(id, successor.fence(), worker(successor), "1"))).isTrue();
    clock.advance(Duration.ofSeconds(2));
    Instant refusedAt = clock.instant();
    assertThat(complete(Completion.succeeded(id, stale.fence(), "w-short", "2"))).as("fenced off").isFalse();

    JobAttempts after = attempts(id);
    assertThat(after.attempts()).extracting(AttemptRecord::workerId).containsExactly("w-short", "w-long");
    assertThat(after.attempts()).extracting(AttemptRecord::outcome)
        .containsExactly(AttemptOutcome.LOST, AttemptOutcome.SUCCEEDED);
    assertThat(after.refused()).containsExactly(new RefusedWrite(stale.fence(), "w-short", refusedAt,
        RefusedWrite.completion(Completion.Outcome.SUCCEEDED)));
    assertThat(after.duplicate()).isTrue();
    assertThat(ledger.duplicatesByTask()).containsEntry(TASK, 1L).hasSize(1);
    assertThat(store.find(id).orElseThrow().resultJson()).isEqualTo("1");
  }

  @Test
  void aLostAttemptFollowedByAnotherCountsAsADuplicate() {
    register("w-short", "host-b", Duration.ofSeconds(30));
    String id = enqueue(1).get(0);
    claimOne("w-short");
    clock.advance(Duration.ofSeconds(31));
    store.reclaimExpired(clock.instant(), 10);
    assertThat(attempts(id).duplicate()).as("lost, not run again yet").isFalse();
    assertThat(ledger.duplicatesByTask()).isEmpty();
    claimOne("w-long");
    assertThat(attempts(id).duplicate()).isTrue();
    assertThat(ledger.duplicatesByTask()).containsEntry(TASK, 1L);
  }

  @Test
  void aStaleStepWriteIsRefusedAndRecorded() {
    if (store.durable().isEmpty()) {
      return; // a store without durable execution has no step writes to refuse
    }
    register("w-short", "host-b", Duration.ofSeconds(30));
    String id = enqueue(1).get(0);
    JobInfo stale = claimOne("w-short");
    clock.advance(Duration.ofSeconds(31));
    store.reclaimExpired(clock.instant(), 10);
    claimOne("w-long");
    StepRecord step = new StepRecord("charge", 0, 0, StepRecord.Kind.VALUE, "1", stale.fence(), stale.attempt(), 3,
        Instant.EPOCH);
    StepWrite w = store.durable().orElseThrow().record(id, stale.fence(), "w-short", step, DurableRules.defaults());
    assertThat(w.status()).isEqualTo(StepWrite.Status.FENCED);
    assertThat(attempts(id).refused()).extracting(RefusedWrite::workerId, RefusedWrite::fence, RefusedWrite::attempted)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("w-short", stale.fence(), RefusedWrite.step("charge", 0)));
  }

  @Test
  void aSuspensionClosesTheAttempt() {
    if (store.durable().isEmpty()) {
      return; // a store without durable execution does not suspend
    }
    String id = enqueue(1).get(0);
    JobInfo j = claimOne("w-long");
    WaitFor timer = WaitFor.timer(0, clock.instant().plus(Duration.ofHours(1)));
    assertThat(store.durable().orElseThrow().suspend(id, j.fence(), worker(j), timer, clock.instant())).isTrue();
    assertThat(store.find(id).orElseThrow().state()).isEqualTo(JobState.SCHEDULED);
    assertThat(attempts(id).attempts()).extracting(AttemptRecord::outcome).containsExactly(AttemptOutcome.SUSPENDED);
  }

  @Test
  void aWorkerThatStopsHoldingAJobLosesItsAttempt() {
    String id = enqueue(1).get(0);
    claimOne("w-long");
    store.deregisterWorker("w-long", clock.instant());
    assertThat(attempts(id).attempts()).extracting(AttemptRecord::outcome).containsExactly(AttemptOutcome.LOST);
  }

  @Test
  void theLedgerKeepsTheLastClaimsOnly() {
    int keep = ledger.keep();
    String id = enqueue(1).get(0);
    long lastFence = 0;
    for (int i = 0; i < keep + 2; i++) {
      JobInfo j = claimOne("w-long");
      lastFence = j.fence();
      assertThat(complete(Completion.released(id, j.fence(), worker(j)))).isTrue();
    }
    List<AttemptRecord> a = attempts(id).attempts();
    assertThat(a).hasSize(keep);
    assertThat(a.get(a.size() - 1).fence()).isEqualTo(lastFence);
    assertThat(a.get(0).fence()).isEqualTo(lastFence - keep + 1);
  }

  @Test
  void aRequeuedFinishedJobKeepsItsLastAttempt() {
    List<String> ids = enqueue(2);
    List<AttemptOutcome> ends = List.of(AttemptOutcome.FAILED, AttemptOutcome.DEAD);
    for (int i = 0; i < 2; i++) {
      JobInfo j = claimOne("w-long");
      assertThat(j.id()).isEqualTo(ids.get(i));
      clock.advance(Duration.ofSeconds(1));
      assertThat(complete(i == 0 ? Completion.failed(j.id(), j.fence(), worker(j), ERROR_1)
          : Completion.dead(j.id(), j.fence(), worker(j), "poison", ERROR_1))).isTrue();
    }
    Instant requeuedAt = clock.instant();
    store.inspector().requeue(ids.get(0), requeuedAt);
    assertThat(store.control().requeueMatching(JobFilter.all().withStates(java.util.Set.of(JobState.DEAD)),
        requeuedAt)).isEqualTo(1);
    for (int i = 0; i < 2; i++) {
      JobInfo again = claimOne("w-long");
      clock.advance(Duration.ofSeconds(1));
      assertThat(complete(Completion.succeeded(again.id(), again.fence(), worker(again), "1"))).isTrue();
    }
    for (int i = 0; i < 2; i++) {
      List<AttemptRecord> a = attempts(ids.get(i)).attempts();
      assertThat(a).extracting(AttemptRecord::outcome).containsExactly(ends.get(i), AttemptOutcome.SUCCEEDED);
      assertThat(a.get(0).errorJson()).isEqualTo(ERROR_1);
      assertThat(a.get(0).endedAt()).isBeforeOrEqualTo(requeuedAt);
      assertThat(a.get(1).errorJson()).isNull();
      assertThat(a.get(1).fence()).isGreaterThan(a.get(0).fence());
    }
  }

  @Test
  void theLedgerGoesWithItsJob() {
    String id = enqueue(1).get(0);
    JobInfo j = claimOne("w-long");
    assertThat(complete(Completion.succeeded(id, j.fence(), worker(j), "1"))).isTrue();
    assertThat(store.control().deleteJob(id)).isEqualTo(QueueControl.DeleteResult.DELETED);
    assertThat(ledger.attempts(id)).isEmpty();
    assertThat(ledger.attempts("999999")).isEmpty();
    assertThat(ledger.attempts("not-a-job")).isEmpty();
    String next = enqueue(1).get(0);
    assertThat(attempts(next).attempts()).as("a new job starts with an empty ledger").isEmpty();
  }
}
