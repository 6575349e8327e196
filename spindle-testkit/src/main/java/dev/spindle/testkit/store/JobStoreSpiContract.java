package dev.spindle.testkit.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.queue.JobError;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobState;
import dev.spindle.queue.RetryPolicy;
import dev.spindle.queue.spi.CancelResult;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.ClaimResult;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.Exchange;
import dev.spindle.queue.spi.FinishedBatch;
import dev.spindle.queue.spi.HeartbeatResult;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.queue.spi.JobStore;
import dev.spindle.queue.spi.RetentionLimits;
import dev.spindle.queue.spi.WorkerRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Part 1 of {@link JobStoreContract}: the {@link JobStore} SPI called directly - enqueue and claim
 * order, completion and fencing, cancellation, workers and leases. Subclass
 * {@link JobStoreContract}, not this.
 */
public abstract class JobStoreSpiContract extends TaskRoutingContract {
  // ================================================================ the SPI: enqueue, find, claim order

  @Test
  void enqueueGivesIncreasingNumericIdsAndQueuedState() {
    List<EnqueueResult> r = store.enqueue(List.of(job("store.echo", json("a")), job("store.echo", json("b"))));
    assertThat(r).hasSize(2).allSatisfy(e -> {
      assertThat(e.created()).isTrue();
      assertThat(e.state()).isEqualTo(JobState.QUEUED);
    });
    long a = Long.parseLong(r.get(0).jobId());
    long b = Long.parseLong(r.get(1).jobId());
    assertThat(a).isPositive();
    assertThat(b).isGreaterThan(a);
    JobInfo j = get(r.get(0).jobId());
    assertThat(j.task()).isEqualTo("store.echo");
    assertThat(j.argsJson()).isEqualTo(json("a"));
    assertThat(j.queue()).isEqualTo("default");
    assertThat(j.state()).isEqualTo(JobState.QUEUED);
    assertThat(j.attempt()).isZero();
    assertThat(j.createdAt()).isEqualTo(T0);
    assertThat(j.finishSeq()).isZero();
    assertThat(j.policy()).isEqualTo(JobPolicy.defaults());
  }

  @Test
  void traceContextIsStoredInTheEnqueueWriteAndHandedToEveryAttempt() {
    String parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    String withState = parent + ";vendor=a|b%7C;c,other=x y";
    String longest = parent + ";" + "k=" + "v".repeat(JobInfo.MAX_TRACE_CONTEXT - parent.length() - 3);
    assertThat(longest).hasSize(JobInfo.MAX_TRACE_CONTEXT);
    List<EnqueueResult> r = store.enqueue(List.of(
        job("store.echo", json("a")).withTraceContext(parent),
        job("store.echo", json("b"), JobOptions.builder().uniqueKey("u|1%").build()).withTraceContext(withState),
        job("store.echo", json("c")),
        job("store.echo", json("d")).withTraceContext(longest)));
    assertThat(get(r.get(0).jobId()).traceContext()).isEqualTo(parent);
    assertThat(get(r.get(1).jobId()).traceContext()).isEqualTo(withState);
    assertThat(get(r.get(1).jobId()).uniqueKey()).isEqualTo("u|1%");
    assertThat(get(r.get(2).jobId()).traceContext()).isNull();
    assertThat(get(r.get(3).jobId()).traceContext()).isEqualTo(longest);
    assertThat(store.enqueue(List.of(job("store.echo", json("b2"), JobOptions.builder().uniqueKey("u|1%").build())))
        .get(0).jobId()).as("the unique key still matches with a trace context after it")
        .isEqualTo(r.get(1).jobId());
    register("w1", Duration.ofMinutes(1));
    List<JobInfo> claimed = claim("w1", 4);
    assertThat(claimed).extracting(JobInfo::traceContext).containsExactly(parent, withState, null, longest);
    JobInfo first = claimed.get(0);
    assertThat(store.complete(List.of(Completion.retry(first.id(), first.fence(), "w1",
        JobError.of("x.Boom", "boom").toJson(), clock.instant())), clock.instant())).containsExactly(true);
    JobInfo again = claim("w1", 1).get(0);
    assertThat(again.id()).isEqualTo(first.id());
    assertThat(again.attempt()).isEqualTo(2);
    assertThat(again.traceContext()).as("every attempt links to the creation context").isEqualTo(parent);
    assertThatThrownBy(() -> job("store.echo", json("e")).withTraceContext(longest + "v"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 to " + JobInfo.MAX_TRACE_CONTEXT);
    assertThatThrownBy(() -> job("store.echo", json("e")).withTraceContext("00-a\nb"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("printable ASCII");
  }

  @Test
  void findOfUnknownOrMalformedIdIsEmpty() {
    assertThat(store.find("987654")).isEmpty();
    assertThat(store.find("not-a-number")).isEmpty();
    assertThat(store.cancel("987654", clock.instant())).isEqualTo(CancelResult.NOT_FOUND);
  }

  @Test
  void policyIsPersistedWithTheJob() {
    JobPolicy p = new JobPolicy(Duration.ofSeconds(7), RetryPolicy.builder().maxAttempts(5)
        .initialDelay(Duration.ofMillis(250)).multiplier(3).maxDelay(Duration.ofMinutes(2)).jitter(0)
        .retryOn(IllegalStateException.class).giveUpOn(UnsupportedOperationException.class).build(), 2,
        Duration.ofMinutes(5), Duration.ofHours(2));
    String id = enqueue(job("store.echo", json("x"), JobOptions.builder().policy(p).priority(4).build()));
    JobInfo j = get(id);
    assertThat(j.policy()).isEqualTo(p);
    assertThat(j.priority()).isEqualTo(4);
  }

  @Test
  void claimTakesHighestPriorityFirstThenOldest() {
    String low = enqueue(job("store.echo", json("low"), JobOptions.builder().priority(-1).build()));
    String a = enqueue(job("store.echo", json("a")));
    String high = enqueue(job("store.echo", json("high"), JobOptions.builder().priority(5).build()));
    String b = enqueue(job("store.echo", json("b")));
    register("w1", Duration.ofMinutes(1));
    assertThat(ids(claim("w1", 10))).containsExactly(high, a, b, low);
  }

  @Test
  void claimTakesNoMoreThanAskedAndDrainsQueuesInTheGivenOrder() {
    String e1 = enqueue(job("store.echo", json("e1"), JobOptions.builder().queue("emails").build()));
    String r1 = enqueue(job("store.echo", json("r1"), JobOptions.builder().queue("reports").build()));
    String e2 = enqueue(job("store.echo", json("e2"), JobOptions.builder().queue("emails").build()));
    String other = enqueue(job("store.echo", json("o"), JobOptions.builder().queue("other").build()));
    register("w1", Duration.ofMinutes(1));
    assertThat(ids(claim("w1", 1, "reports", "emails"))).containsExactly(r1);
    assertThat(ids(claim("w1", 3, "reports", "emails"))).containsExactly(e1, e2);
    assertThat(claim("w1", 3, "reports", "emails")).isEmpty();
    assertThat(get(other).state()).isEqualTo(JobState.QUEUED);
  }

  @Test
  void claimedJobIsRunningWithWorkerAttemptStartTimeAndNewFence() {
    String id = enqueue(job("store.echo", json("x")));
    register("w1", Duration.ofMinutes(1));
    clock.advance(Duration.ofSeconds(3));
    JobInfo c = claim("w1", 1).get(0);
    assertThat(c.id()).isEqualTo(id);
    assertThat(c.state()).isEqualTo(JobState.RUNNING);
    assertThat(c.workerId()).isEqualTo("w1");
    assertThat(c.attempt()).isEqualTo(1);
    assertThat(c.startedAt()).isEqualTo(T0.plusSeconds(3));
    assertThat(c.fence()).isPositive();
    assertThat(get(id)).isEqualTo(c);
    assertThat(claim("w1", 1)).as("a running job is not claimed twice").isEmpty();
  }

  @Test
  void delayedJobIsScheduledUntilItsRunTime() {
    String id = enqueue(job("store.echo", json("later"), JobOptions.builder().delay(Duration.ofMinutes(5)).build()));
    assertThat(get(id).state()).isEqualTo(JobState.SCHEDULED);
    assertThat(get(id).runAt()).isEqualTo(T0.plus(Duration.ofMinutes(5)));
    register("w1", Duration.ofHours(1));
    ClaimResult early = store.claim(new ClaimRequest("w1", List.of("default"), 5, clock.instant()));
    assertThat(early.jobs()).isEmpty();
    assertThat(early.nextRunAt()).as("hint for idle workers").isEqualTo(T0.plus(Duration.ofMinutes(5)));
    clock.advance(Duration.ofMinutes(4));
    assertThat(claim("w1", 5)).isEmpty();
    clock.advance(Duration.ofMinutes(1));
    assertThat(ids(claim("w1", 5))).containsExactly(id);
  }

  @Test
  void jobWithRunAtInThePastIsReadyAtOnce() {
    String id = enqueue(job("store.echo", json("x"), JobOptions.builder().runAt(T0.minusSeconds(60)).build()));
    assertThat(get(id).state()).isEqualTo(JobState.QUEUED);
  }

  @Test
  void uniqueKeyReturnsTheExistingJobInsteadOfAddingOne() {
    JobOptions o = JobOptions.builder().uniqueKey("invoice-42").build();
    EnqueueResult first = store.enqueue(List.of(job("store.echo", json("1"), o))).get(0);
    List<EnqueueResult> again = store.enqueue(List.of(job("store.echo", json("2"), o),
        job("store.echo", json("3"), JobOptions.builder().uniqueKey("invoice-43").build()),
        job("store.echo", json("4"), JobOptions.builder().uniqueKey("invoice-43").build())));
    assertThat(first.created()).isTrue();
    assertThat(again.get(0).created()).isFalse();
    assertThat(again.get(0).jobId()).isEqualTo(first.jobId());
    assertThat(again.get(1).created()).isTrue();
    assertThat(again.get(2).created()).as("duplicate within one batch").isFalse();
    assertThat(again.get(2).jobId()).isEqualTo(again.get(1).jobId());
    assertThat(get(first.jobId()).argsJson()).isEqualTo(json("1"));
    assertThat(get(first.jobId()).uniqueKey()).isEqualTo("invoice-42");
    assertThat(inspector.listJobs(JobFilter.all())).hasSize(2);
  }

  @Test
  void uniqueKeyIsFreedWhenTheJobIsPurged() {
    JobOptions o = JobOptions.builder().uniqueKey("k-" + key).build();
    String id = enqueue(job("store.echo", json("1"), o));
    assertThat(store.cancel(id, clock.instant())).isEqualTo(CancelResult.CANCELLED);
    assertThat(inspector.purge(JobFilter.all().withState(JobState.CANCELLED))).isEqualTo(1);
    EnqueueResult again = store.enqueue(List.of(job("store.echo", json("2"), o))).get(0);
    assertThat(again.created()).isTrue();
    assertThat(again.jobId()).isNotEqualTo(id);
  }

  @Test
  void idsAreNeverReusedEvenAfterTheNewestJobIsPurged() {
    enqueue(job("store.echo", json("a")));
    String newest = enqueue(job("store.echo", json("b")));
    store.cancel(newest, clock.instant());
    assertThat(inspector.purge(JobFilter.all().withState(JobState.CANCELLED))).isEqualTo(1);
    String next = enqueue(job("store.echo", json("c")));
    assertThat(Long.parseLong(next)).isGreaterThan(Long.parseLong(newest));
    store.cancel(next, clock.instant());
    clock.advance(JobPolicy.defaults().resultTtl().plusSeconds(1));
    assertThat(store.purgeExpired(clock.instant(), RetentionLimits.defaults())).isEqualTo(1);
    assertThat(Long.parseLong(enqueue(job("store.echo", json("d"))))).isGreaterThan(Long.parseLong(next));
  }

  // ================================================================ completion and fencing

  @Test
  void aSuccessWhosePolicyKeepsNoneIsGoneByTheNextRetentionPassAndAFailureStays() {
    JobOptions none = JobOptions.builder().retention(Duration.ZERO, Duration.ofDays(7)).build();
    String ok = enqueue(job("store.echo", json("x"), none));
    String failing = enqueue(job("store.echo", json("y"), none));
    register("w1", Duration.ofMinutes(1));
    List<JobInfo> c = claim("w1", 2);
    assertThat(c).extracting(JobInfo::id).containsExactly(ok, failing);
    assertThat(c.get(0).policy().resultTtl()).isZero();
    assertThat(store.complete(List.of(Completion.succeeded(ok, c.get(0).fence(), "w1", "\"done\""),
        Completion.failed(failing, c.get(1).fence(), "w1", JobError.of("x.Boom", "boom").toJson())),
        clock.instant())).containsExactly(true, true);
    clock.advance(Duration.ofSeconds(1));
    store.purgeExpired(clock.instant(), RetentionLimits.defaults());
    assertThat(store.find(ok)).as("a success is not kept").isEmpty();
    assertThat(store.find(failing)).hasValueSatisfying(j -> assertThat(j.state()).isEqualTo(JobState.FAILED));
  }

  @Test
  void succeededJobStoresResultTimesAndEntersTheFinishedFeed() {
    long cursor = store.finishCursor();
    String id = enqueue(job("store.echo", json("x")));
    register("w1", Duration.ofMinutes(1));
    JobInfo c = claim("w1", 1).get(0);
    clock.advance(Duration.ofSeconds(2));
    assertThat(store.complete(List.of(Completion.succeeded(id, c.fence(), "w1", "\"done\"")), clock.instant()))
        .containsExactly(true);
    JobInfo j = get(id);
    assertThat(j.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(j.resultJson()).isEqualTo("\"done\"");
    assertThat(j.finishedAt()).isEqualTo(T0.plusSeconds(2));
    assertThat(j.expiresAt()).isEqualTo(T0.plusSeconds(2).plus(JobPolicy.defaults().resultTtl()));
    assertThat(j.finishSeq()).isGreaterThan(cursor);
    assertThat(store.finishCursor()).isEqualTo(j.finishSeq());
    FinishedBatch feed = store.finishedAfter(cursor, 10);
    assertThat(ids(feed.jobs())).containsExactly(id);
    assertThat(feed.cursor()).isEqualTo(j.finishSeq());
    assertThat(store.finishedAfter(feed.cursor(), 10).jobs()).isEmpty();
  }

  @Test
  void finishedFeedIsOrderedAndPaged() {
    register("w1", Duration.ofMinutes(1));
    long cursor = store.finishCursor();
    List<String> order = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      enqueue(job("store.echo", json("j" + i)));
    }
    List<JobInfo> claimed = claim("w1", 5);
    List<JobInfo> reversed = new ArrayList<>(claimed);
    Collections.reverse(reversed);
    for (JobInfo c : reversed) {
      store.complete(List.of(Completion.succeeded(c.id(), c.fence(), "w1", "1")), clock.instant());
      order.add(c.id());
    }
    FinishedBatch p1 = store.finishedAfter(cursor, 2);
    FinishedBatch p2 = store.finishedAfter(p1.cursor(), 2);
    FinishedBatch p3 = store.finishedAfter(p2.cursor(), 2);
    List<String> seen = new ArrayList<>();
    seen.addAll(ids(p1.jobs()));
    seen.addAll(ids(p2.jobs()));
    seen.addAll(ids(p3.jobs()));
    assertThat(seen).containsExactlyElementsOf(order);
  }

  @Test
  void completionIsFencedByTokenAndWorker() {
    String id = enqueue(job("store.echo", json("x")));
    register("w1", Duration.ofMinutes(1));
    JobInfo c = claim("w1", 1).get(0);
    Instant now = clock.instant();
    assertThat(store.complete(List.of(Completion.succeeded(id, c.fence() + 1, "w1", "1")), now))
        .as("wrong fencing token").containsExactly(false);
    assertThat(store.complete(List.of(Completion.succeeded(id, c.fence(), "w2", "1")), now))
        .as("another worker").containsExactly(false);
    assertThat(store.complete(List.of(Completion.succeeded("999999", 1, "w1", "1")), now))
        .as("unknown job").containsExactly(false);
    assertThat(get(id).state()).isEqualTo(JobState.RUNNING);
    assertThat(store.complete(List.of(Completion.succeeded(id, c.fence(), "w1", "1"),
        Completion.succeeded(id, c.fence(), "w1", "2")), now)).as("only once").containsExactly(true, false);
    assertThat(get(id).resultJson()).isEqualTo("1");
  }

  @Test
  void workerThatLostItsLeaseCannotCompleteTheJobEvenAfterItWasClaimedAgain() {
    String id = enqueue(job("store.echo", json("x")));
    register("slow", Duration.ofSeconds(10));
    JobInfo first = claim("slow", 1).get(0);
    clock.advance(Duration.ofSeconds(11));
    assertThat(ids(store.reclaimExpired(clock.instant(), 100))).containsExactly(id);
    register("fast", Duration.ofSeconds(10));
    JobInfo second = claim("fast", 1).get(0);
    assertThat(second.fence()).isNotEqualTo(first.fence());
    assertThat(second.attempt()).isEqualTo(2);
    register("slow", Duration.ofSeconds(10));
    assertThat(store.complete(List.of(Completion.succeeded(id, first.fence(), "slow", "\"stale\"")),
        clock.instant())).containsExactly(false);
    assertThat(store.complete(List.of(Completion.succeeded(id, second.fence(), "fast", "\"fresh\"")),
        clock.instant())).containsExactly(true);
    assertThat(get(id).resultJson()).isEqualTo("\"fresh\"");
  }

  @Test
  void retryMovesToScheduledAtTheRetryTimeAndCountsTheFailure() {
    String id = enqueue(job("store.echo", json("x")));
    register("w1", Duration.ofMinutes(5));
    JobInfo c = claim("w1", 1).get(0);
    String err = JobError.of("java.lang.IllegalStateException", "boom").toJson();
    Instant at = clock.instant().plusSeconds(30);
    assertThat(store.complete(List.of(Completion.retry(id, c.fence(), "w1", err, at)), clock.instant()))
        .containsExactly(true);
    JobInfo j = get(id);
    assertThat(j.state()).isEqualTo(JobState.SCHEDULED);
    assertThat(j.runAt()).isEqualTo(at);
    assertThat(j.failures()).isEqualTo(1);
    assertThat(j.error().orElseThrow().message()).isEqualTo("boom");
    assertThat(j.finishSeq()).isZero();
    clock.advance(Duration.ofSeconds(30));
    JobInfo again = claim("w1", 1).get(0);
    assertThat(again.attempt()).isEqualTo(2);
    store.complete(List.of(Completion.retry(id, again.fence(), "w1", err, clock.instant())), clock.instant());
    assertThat(get(id).state()).as("a retry that is already due is QUEUED").isEqualTo(JobState.QUEUED);
    assertThat(get(id).failures()).isEqualTo(2);
  }

  @Test
  void failedAndDeadJobsAreTerminalWithTheirErrorAndReason() {
    String a = enqueue(job("store.echo", json("a")));
    String b = enqueue(job("store.echo", json("b")));
    register("w1", Duration.ofMinutes(5));
    List<JobInfo> c = claim("w1", 2);
    String err = JobError.of("java.lang.IllegalStateException", "broken").toJson();
    store.complete(List.of(Completion.failed(a, c.get(0).fence(), "w1", err),
        Completion.dead(b, c.get(1).fence(), "w1", JobInfo.UNKNOWN_TASK, err)), clock.instant());
    JobInfo fa = get(a);
    JobInfo fb = get(b);
    assertThat(fa.state()).isEqualTo(JobState.FAILED);
    assertThat(fa.failures()).isEqualTo(1);
    assertThat(fa.expiresAt()).isEqualTo(clock.instant().plus(JobPolicy.defaults().failureTtl()));
    assertThat(fb.state()).isEqualTo(JobState.DEAD);
    assertThat(fb.deadReason()).isEqualTo(JobInfo.UNKNOWN_TASK);
    assertThat(fb.error().orElseThrow().type()).isEqualTo("java.lang.IllegalStateException");
    assertThat(fb.finishSeq()).isGreaterThan(fa.finishSeq());
  }

  @Test
  void releasedJobGoesBackToQueuedWithoutCountingTheAttempt() {
    String id = enqueue(job("store.echo", json("x")));
    register("w1", Duration.ofMinutes(5));
    JobInfo c = claim("w1", 1).get(0);
    assertThat(store.complete(List.of(Completion.released(id, c.fence(), "w1")), clock.instant()))
        .containsExactly(true);
    JobInfo j = get(id);
    assertThat(j.state()).isEqualTo(JobState.QUEUED);
    assertThat(j.attempt()).isZero();
    assertThat(j.failures()).isZero();
    assertThat(j.workerLost()).isZero();
  }

  @Test
  void completeAndClaimAppliesCompletionsBeforeClaiming() {
    store.setQueueLimit("default", 1);
    String a = enqueue(job("store.echo", json("a")));
    String b = enqueue(job("store.echo", json("b")));
    register("w1", Duration.ofMinutes(5));
    JobInfo ca = claim("w1", 5).get(0);
    assertThat(ca.id()).isEqualTo(a);
    Exchange ex = store.completeAndClaim(List.of(Completion.succeeded(a, ca.fence(), "w1", "1")),
        new ClaimRequest("w1", List.of("default"), 5, clock.instant()), clock.instant());
    assertThat(ex.applied()).containsExactly(true);
    assertThat(ids(ex.claim().jobs())).as("the freed slot of the limited queue is usable at once").containsExactly(b);
    Exchange onlyComplete = store.completeAndClaim(
        List.of(Completion.succeeded(b, ex.claim().jobs().get(0).fence(), "w1", "2")), null, clock.instant());
    assertThat(onlyComplete.applied()).containsExactly(true);
    assertThat(onlyComplete.claim().jobs()).isEmpty();
  }

  // ================================================================ cancellation

  @Test
  void cancellingAWaitingJobMakesItCancelledAndItNeverRuns() {
    String q = enqueue(job("store.echo", json("q")));
    String s = enqueue(job("store.echo", json("s"), JobOptions.builder().delay(Duration.ofMinutes(1)).build()));
    assertThat(store.cancel(q, clock.instant())).isEqualTo(CancelResult.CANCELLED);
    assertThat(store.cancel(s, clock.instant())).isEqualTo(CancelResult.CANCELLED);
    assertThat(get(q).state()).isEqualTo(JobState.CANCELLED);
    assertThat(get(s).state()).isEqualTo(JobState.CANCELLED);
    assertThat(get(q).finishSeq()).isPositive();
    clock.advance(Duration.ofMinutes(2));
    register("w1", Duration.ofMinutes(5));
    assertThat(claim("w1", 5)).isEmpty();
    assertThat(store.cancel(q, clock.instant())).isEqualTo(CancelResult.ALREADY_FINISHED);
  }

  @Test
  void cancellingARunningJobAsksItsWorkerThroughTheHeartbeat() {
    String id = enqueue(job("store.echo", json("x")));
    register("w1", Duration.ofMinutes(5));
    JobInfo c = claim("w1", 1).get(0);
    assertThat(register("w1", Duration.ofMinutes(5)).cancelRequested()).isEmpty();
    assertThat(store.cancel(id, clock.instant())).isEqualTo(CancelResult.CANCEL_REQUESTED);
    assertThat(get(id).state()).isEqualTo(JobState.RUNNING);
    assertThat(get(id).cancelRequested()).isTrue();
    HeartbeatResult hb = register("w1", Duration.ofMinutes(5));
    assertThat(hb.held()).containsExactly(id);
    assertThat(hb.cancelRequested()).containsExactly(id);
    store.complete(List.of(Completion.cancelled(id, c.fence(), "w1")), clock.instant());
    assertThat(get(id).state()).isEqualTo(JobState.CANCELLED);
    assertThat(get(id).cancelRequested()).isFalse();
  }

  @Test
  void cancellingAJobThatSucceededChangesNothingAndSaysItFinished() {
    String id = enqueue(job("store.echo", json("x")));
    register("w1", Duration.ofMinutes(5));
    JobInfo c = claim("w1", 1).get(0);
    store.complete(List.of(Completion.succeeded(id, c.fence(), "w1", "1")), clock.instant());
    // a store may have moved it out of its hot table as it completed (PostgreSQL's history)
    assertThat(store.cancel(id, clock.instant())).isEqualTo(CancelResult.ALREADY_FINISHED);
    assertThat(get(id).state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(store.cancel("987654321", clock.instant())).isEqualTo(CancelResult.NOT_FOUND);
  }

  @Test
  void releasingAJobWhoseCancelWasRequestedCancelsIt() {
    String id = enqueue(job("store.echo", json("x")));
    register("w1", Duration.ofMinutes(5));
    JobInfo c = claim("w1", 1).get(0);
    store.cancel(id, clock.instant());
    assertThat(store.complete(List.of(Completion.released(id, c.fence(), "w1")), clock.instant()))
        .containsExactly(true);
    assertThat(get(id).state()).isEqualTo(JobState.CANCELLED);
  }

  // ================================================================ workers and leases

  @Test
  void heartbeatRegistersTheWorkerAndReportsTheJobsItHolds() {
    String a = enqueue(job("store.echo", json("a")));
    register("w1", Duration.ofMinutes(1));
    claim("w1", 1);
    HeartbeatResult hb = register("w1", Duration.ofMinutes(1));
    assertThat(hb.held()).containsExactly(a);
    assertThat(register("w2", Duration.ofMinutes(1)).held()).isEmpty();
    assertThat(inspector.workers()).extracting(WorkerRecord::id).containsExactlyInAnyOrder("w1", "w2");
    WorkerRecord w1 = inspector.workers().stream().filter(w -> w.id().equals("w1")).findFirst().orElseThrow();
    assertThat(w1.leaseUntil()).isEqualTo(T0.plus(Duration.ofMinutes(1)));
    assertThat(w1.isAlive(clock.instant())).isTrue();
  }

  @Test
  void jobsOfAWorkerWhoseLeaseExpiredAreReclaimedWithAStrike() {
    String id = enqueue(job("store.echo", json("x")));
    String other = enqueue(job("store.echo", json("y")));
    register("dead", Duration.ofSeconds(10));
    register("alive", Duration.ofMinutes(10));
    claim("dead", 1);
    claim("alive", 1);
    clock.advance(Duration.ofSeconds(9));
    assertThat(store.reclaimExpired(clock.instant(), 100)).as("lease still valid").isEmpty();
    clock.advance(Duration.ofSeconds(2));
    List<JobInfo> reclaimed = store.reclaimExpired(clock.instant(), 100);
    assertThat(ids(reclaimed)).containsExactly(id);
    assertThat(reclaimed.get(0).state()).isEqualTo(JobState.QUEUED);
    JobInfo j = get(id);
    assertThat(j.state()).isEqualTo(JobState.QUEUED);
    assertThat(j.workerLost()).isEqualTo(1);
    assertThat(get(other).state()).as("a live worker keeps its job").isEqualTo(JobState.RUNNING);
    assertThat(inspector.workers()).extracting(WorkerRecord::id).containsExactly("alive");
    assertThat(store.reclaimExpired(clock.instant(), 100)).isEmpty();
  }

  @Test
  void jobWhoseWorkerDiesKTimesIsDeadLetteredAsWorkerLost() {
    String id = enqueue(job("store.echo", json("x"), JobOptions.builder().maxWorkerLost(3).build()));
    for (int i = 1; i <= 3; i++) {
      register("w" + i, Duration.ofSeconds(5));
      assertThat(ids(claim("w" + i, 1))).containsExactly(id);
      clock.advance(Duration.ofSeconds(6));
      store.reclaimExpired(clock.instant(), 100);
      assertThat(get(id).workerLost()).isEqualTo(i);
    }
    JobInfo j = get(id);
    assertThat(j.state()).isEqualTo(JobState.DEAD);
    assertThat(j.deadReason()).isEqualTo(JobInfo.WORKER_LOST);
    assertThat(j.error().orElseThrow().message()).contains("lost its worker 3 time");
    assertThat(j.finishSeq()).isPositive();
  }

  @Test
  void jobsHeldByAnUnregisteredWorkerAreReclaimed() {
    String id = enqueue(job("store.echo", json("x")));
    register("w1", Duration.ofSeconds(5));
    claim("w1", 1);
    store.deregisterWorker("ghost", clock.instant());
    clock.advance(Duration.ofSeconds(6));
    store.reclaimExpired(clock.instant(), 100);
    assertThat(get(id).state()).isEqualTo(JobState.QUEUED);
  }

  @Test
  void reclaimOfAJobWithACancelRequestCancelsIt() {
    String id = enqueue(job("store.echo", json("x")));
    register("w1", Duration.ofSeconds(5));
    claim("w1", 1);
    store.cancel(id, clock.instant());
    clock.advance(Duration.ofSeconds(6));
    store.reclaimExpired(clock.instant(), 100);
    assertThat(get(id).state()).isEqualTo(JobState.CANCELLED);
  }

  @Test
  void reclaimHonoursItsLimit() {
    register("w1", Duration.ofSeconds(5));
    for (int i = 0; i < 5; i++) {
      enqueue(job("store.echo", json("j" + i)));
    }
    claim("w1", 5);
    clock.advance(Duration.ofSeconds(6));
    assertThat(store.reclaimExpired(clock.instant(), 2)).hasSize(2);
    assertThat(store.reclaimExpired(clock.instant(), 10)).hasSize(3);
  }

  @Test
  void deregisteringAWorkerThatStillHoldsAJobCountsItsAttemptAsAStrike() {
    String id = enqueue(job("store.echo", json("x")));
    register("w1", Duration.ofMinutes(5));
    claim("w1", 1);
    store.deregisterWorker("w1", clock.instant());
    JobInfo j = get(id);
    assertThat(j.state()).isEqualTo(JobState.QUEUED);
    assertThat(j.workerLost()).as("a job its worker could not stop lost its worker").isEqualTo(1);
    assertThat(j.attempt()).as("its attempt counts").isEqualTo(1);
    assertThat(inspector.workers()).isEmpty();
  }

  @Test
  void aJobWhoseWorkersStopHoldingItDeadLettersAtItsLimit() {
    // a task that calls System.exit: each worker stops (cleanly, from its shutdown hook) still holding it
    String id = enqueue(job("store.echo", json("x"), JobOptions.builder().maxWorkerLost(2).build()));
    for (int i = 1; i <= 2; i++) {
      register("w" + i, Duration.ofMinutes(5));
      assertThat(ids(claim("w" + i, 1))).containsExactly(id);
      store.deregisterWorker("w" + i, clock.instant());
    }
    JobInfo j = get(id);
    assertThat(j.state()).isEqualTo(JobState.DEAD);
    assertThat(j.deadReason()).isEqualTo(JobInfo.WORKER_LOST);
    assertThat(j.error().orElseThrow().message()).contains("lost its worker 2 time").contains("w2");
    assertThat(j.attempt()).isEqualTo(2);
    assertThat(j.finishSeq()).isPositive();
  }

  @Test
  void deregisteringAWorkerWhoseHeldJobHasACancelRequestCancelsIt() {
    String id = enqueue(job("store.echo", json("x")));
    register("w1", Duration.ofMinutes(5));
    claim("w1", 1);
    store.cancel(id, clock.instant());
    store.deregisterWorker("w1", clock.instant());
    assertThat(get(id).state()).isEqualTo(JobState.CANCELLED);
  }

  @Test
  void aJobHandedBackBeforeDeregisteringHasNoStrike() {
    String id = enqueue(job("store.echo", json("x")));
    register("w1", Duration.ofMinutes(5));
    JobInfo claimed = claim("w1", 1).get(0);
    store.complete(List.of(Completion.released(id, claimed.fence(), "w1")), clock.instant());
    store.deregisterWorker("w1", clock.instant());
    JobInfo j = get(id);
    assertThat(j.state()).isEqualTo(JobState.QUEUED);
    assertThat(j.workerLost()).isZero();
    assertThat(j.attempt()).isZero();
  }

  @Test
  void queueLimitIsEnforcedAcrossWorkers() {
    store.setQueueLimit("limited", 2);
    assertThat(inspector.queueLimits()).containsEntry("limited", 2);
    for (int i = 0; i < 5; i++) {
      enqueue(job("store.echo", json("j" + i), JobOptions.builder().queue("limited").build()));
    }
    String free = enqueue(job("store.echo", json("free"), JobOptions.builder().queue("free").build()));
    register("w1", Duration.ofMinutes(5));
    register("w2", Duration.ofMinutes(5));
    List<JobInfo> c1 = claim("w1", 1, "limited");
    List<JobInfo> c2 = claim("w2", 5, "limited", "free");
    assertThat(c1).hasSize(1);
    assertThat(c2).hasSize(2);
    assertThat(c2.get(1).id()).isEqualTo(free);
    assertThat(claim("w1", 5, "limited")).isEmpty();
    store.complete(List.of(Completion.succeeded(c1.get(0).id(), c1.get(0).fence(), "w1", "1")), clock.instant());
    assertThat(claim("w1", 5, "limited")).hasSize(1);
    store.setQueueLimit("limited", 0);
    assertThat(inspector.queueLimits()).doesNotContainKey("limited");
    assertThat(claim("w2", 5, "limited")).hasSize(2);
  }
}
