package dev.spindle.testkit.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.Exchange;
import dev.spindle.queue.spi.UnroutableTask;
import dev.spindle.queue.spi.WorkerRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * Part of {@link JobStoreContract}: claims limited to the tasks a worker knows ({@link
 * ClaimRequest#tasks}), the task names workers register ({@link WorkerRecord#tasks}) and the
 * waiting jobs no live worker knows ({@link dev.spindle.queue.spi.JobInspector#unroutable}). A worker
 * that knows only task A never claims, counts or dead-letters a job of task B; a worker that knows B
 * then runs it. Subclass {@link JobStoreContract}, not this.
 */
public abstract class TaskRoutingContract extends JobStoreContractFixture {
  private static final String A = "route.a";
  private static final String B = "route.b";

  private List<JobInfo> claimOf(String workerId, int max, Set<String> tasks, String... queues) {
    List<String> qs = queues.length == 0 ? List.of("default") : List.of(queues);
    return store.claim(new ClaimRequest(workerId, qs, max, clock.instant(), tasks)).jobs();
  }

  private String enqueue(String task, String name, int priority, String queue) {
    return enqueueOrdered(job(task, json(name), JobOptions.builder().priority(priority).queue(queue).build()));
  }

  /**
   * Adds a job whose claim order (and queue limit) a test asserts. A store whose order and limits
   * hold per partition overrides it to put every such job on one partition.
   */
  protected String enqueueOrdered(dev.spindle.queue.spi.NewJob job) {
    return enqueue(job);
  }

  private void registerKnowing(String workerId, List<String> queues, @Nullable Set<String> tasks) {
    Instant now = clock.instant();
    store.heartbeat(new WorkerRecord(workerId, "w", "host", 1, queues, 1, "THREADS", "RUNNING", now, now,
        now.plus(Duration.ofMinutes(10)), 0, 0, 0, 0, null, tasks));
  }

  private WorkerRecord worker(String id) {
    return inspector.workers().stream().filter(w -> w.id().equals(id)).findFirst()
        .orElseThrow(() -> new AssertionError("worker " + id + " is not registered"));
  }

  @Test
  void aClaimOfSomeTasksPassesTheOthersByInPriorityThenIdOrder() {
    String b1 = enqueue(B, "b1", 0, "default");
    String aLow = enqueue(A, "a-low", -1, "default");
    String a1 = enqueue(A, "a1", 0, "default");
    String bHigh = enqueue(B, "b-high", 5, "default");
    String aHigh = enqueue(A, "a-high", 5, "default");
    String a2 = enqueue(A, "a2", 0, "default");
    register("wa", Duration.ofMinutes(1));
    register("wb", Duration.ofMinutes(1));
    assertThat(ids(claimOf("wa", 2, Set.of(A)))).containsExactly(aHigh, a1);
    assertThat(ids(claimOf("wa", 10, Set.of(A)))).containsExactly(a2, aLow);
    assertThat(claimOf("wa", 10, Set.of(A))).isEmpty();
    for (String b : List.of(b1, bHigh)) {
      JobInfo j = get(b);
      assertThat(j.state()).isEqualTo(JobState.QUEUED);
      assertThat(j.attempt()).isZero();
      assertThat(j.workerLost()).isZero();
    }
    List<JobInfo> bs = claimOf("wb", 10, Set.of(B));
    assertThat(ids(bs)).containsExactly(bHigh, b1);
    assertThat(bs).allSatisfy(j -> assertThat(j.attempt()).isEqualTo(1));
  }

  @Test
  void aClaimOfNoKnownTaskTakesNothingAndAnUnfilteredClaimStillTakesEveryTask() {
    String b = enqueue(B, "b", 0, "default");
    String a = enqueue(A, "a", 0, "default");
    register("w", Duration.ofMinutes(1));
    assertThat(claimOf("w", 10, Set.of())).isEmpty();
    assertThat(claimOf("w", 10, Set.of("route.none"))).isEmpty();
    assertThat(ids(claim("w", 10))).containsExactly(b, a);
  }

  @Test
  void aJobOfAnUnknownTaskHandedBackStaysQueuedWithoutAnAttemptOrStrikeForAWorkerThatKnowsIt() {
    String b = enqueue(B, "b", 0, "default");
    String a = enqueue(A, "a", 0, "default");
    register("wa", Duration.ofMinutes(1));
    register("wb", Duration.ofMinutes(1));
    // an unfiltered claim meets the job of B first: it is handed back, and the next claim names A
    JobInfo met = claim("wa", 1).get(0);
    assertThat(met.id()).isEqualTo(b);
    Exchange ex = store.completeAndClaim(List.of(Completion.released(b, met.fence(), "wa")),
        new ClaimRequest("wa", List.of("default"), 10, clock.instant(), Set.of(A)), clock.instant());
    assertThat(ex.applied()).containsExactly(true);
    assertThat(ids(ex.claim().jobs())).containsExactly(a);
    JobInfo waiting = get(b);
    assertThat(waiting.state()).isEqualTo(JobState.QUEUED);
    assertThat(waiting.attempt()).isZero();
    assertThat(waiting.workerLost()).isZero();
    assertThat(waiting.deadReason()).isNull();
    assertThat(claimOf("wa", 10, Set.of(A))).isEmpty();
    JobInfo run = claimOf("wb", 10, Set.of(B)).get(0);
    assertThat(run.id()).isEqualTo(b);
    assertThat(run.attempt()).isEqualTo(1);
    assertThat(store.complete(List.of(Completion.succeeded(b, run.fence(), "wb", "1")), clock.instant()))
        .containsExactly(true);
    assertThat(get(b).state()).isEqualTo(JobState.SUCCEEDED);
  }

  @Test
  void aFilteredClaimKeepsQueueOrderAndQueueLimits() {
    store.setQueueLimit("first", 1);
    enqueue(B, "b", 9, "first");
    String f1 = enqueue(A, "f1", 0, "first");
    enqueue(A, "f2", 0, "first");
    String s1 = enqueue(A, "s1", 0, "second");
    enqueue(B, "sb", 0, "second");
    String s2 = enqueue(A, "s2", 0, "second");
    register("wa", Duration.ofMinutes(1));
    assertThat(ids(claimOf("wa", 10, Set.of(A), "first", "second"))).containsExactly(f1, s1, s2);
    assertThat(claimOf("wa", 10, Set.of(A), "first", "second")).as("the first queue's limit is reached").isEmpty();
  }

  @Test
  void aHeartbeatRegistersTaskNamesAndOneWithoutThemKeepsThem() {
    registerKnowing("w1", List.of("default"), Set.of(A, B));
    assertThat(worker("w1").tasks()).containsExactlyInAnyOrder(A, B);
    registerKnowing("w1", List.of("default"), null);
    assertThat(worker("w1").tasks()).as("a beat without names keeps them").containsExactlyInAnyOrder(A, B);
    registerKnowing("w1", List.of("default"), Set.of(A));
    assertThat(worker("w1").tasks()).containsExactly(A);
    registerKnowing("w2", List.of("default"), null);
    assertThat(worker("w2").tasks()).as("a worker that never named its tasks").isNull();
    store.deregisterWorker("w1", clock.instant());
    registerKnowing("w1", List.of("default"), null);
    assertThat(worker("w1").tasks()).as("a worker registered again has no names until it sends them").isNull();
  }

  @Test
  void unroutableListsWaitingJobsWhoseTaskNoLiveWorkerOfTheirQueueKnows() {
    enqueue(B, "b1", 0, "default");
    enqueue(B, "b2", 0, "default");
    enqueue(A, "a", 0, "default");
    enqueue(B, "other", 0, "other");
    assertThat(inspector.unroutable(store.storeTime())).as("no live worker: the ordinary case").isEmpty();
    registerKnowing("wa", List.of("default"), Set.of(A));
    assertThat(inspector.unroutable(store.storeTime())).containsExactly(new UnroutableTask("default", B, 2));
    registerKnowing("wb", List.of("default"), Set.of(B));
    assertThat(inspector.unroutable(store.storeTime())).isEmpty();
    store.deregisterWorker("wb", clock.instant());
    registerKnowing("old", List.of("default"), null);
    assertThat(inspector.unroutable(store.storeTime())).as("a worker that never named its tasks may know any")
        .isEmpty();
  }
}
