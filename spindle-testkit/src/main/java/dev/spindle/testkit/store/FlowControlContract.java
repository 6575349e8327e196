package dev.spindle.testkit.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.queue.DependencyPolicy;
import dev.spindle.queue.FlowLimit;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobState;
import dev.spindle.queue.WorkflowInput;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.ClaimResult;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.Dependency;
import dev.spindle.queue.spi.FlowAdmin;
import dev.spindle.queue.spi.FlowControl;
import dev.spindle.queue.spi.FlowHold;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.queue.spi.WorkerRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link FlowControl} and {@link FlowAdmin}: limits checked inside the claim, so a job over a
 * limit is never fetched; concurrency permits bound to the running job (freed when it ends or its
 * lease expires); GCRA rate with burst; sliding window; keys per argument, task and queue; fair
 * round-robin across keys of one queue; pausing a key (a task's rate limit) without using up an
 * attempt; why a job waits; run-time changes; jobs whose key could not be computed are dead-lettered.
 * Time is the store's clock, a {@link ManualClock} the tests move. Subclass it per backend and
 * implement {@link #openStore()}.
 */
public abstract class FlowControlContract {
  private static final Instant T0 = Instant.parse("2030-01-07T10:00:00Z");

  /** The store's clock: open the store with it. */
  protected ManualClock clock;
  /** The store under test. */
  protected StoreBackend store;
  private FlowControl flow;
  private FlowAdmin flowAdmin;

  /** Opens a new, empty store on {@link #clock}. */
  protected abstract StoreBackend openStore() throws Exception;

  @BeforeEach
  void open() throws Exception {
    clock = new ManualClock(T0);
    store = openStore();
    flow = store.flow().orElseThrow();
    flowAdmin = store.flowAdmin().orElseThrow();
    register("w1", Duration.ofHours(1));
  }

  @AfterEach
  void close() {
    store.close();
  }

  private void register(String worker, Duration lease) {
    Instant now = clock.instant();
    store.heartbeat(new WorkerRecord(worker, "w", "host", 1, List.of("q"), 64, "THREADS", "RUNNING", now, now,
        now.plus(lease), 0, 0, 0, 0));
  }

  private String enqueue(String queue, String task, String args, @Nullable FlowLimit limit) {
    Instant now = clock.instant();
    NewJob j = new NewJob(task, args, queue, 0, now, null, JobPolicy.defaults(), now, null);
    if (limit != null) {
      String key;
      try {
        key = limit.keyFor(queue, task, args);
      } catch (IllegalArgumentException e) {
        key = FlowControl.badKey(e.getMessage());
      }
      j = j.withFlowKey(key);
    }
    return store.enqueue(List.of(j)).get(0).jobId();
  }

  private String tenantJob(FlowLimit limit, String tenant) {
    return enqueue("q", "t.call", "{\"tenant\":\"" + tenant + "\",\"n\":1}", limit);
  }

  private List<JobInfo> claim(String worker, int max, String... queues) {
    return store.claim(new ClaimRequest(worker, List.of(queues.length == 0 ? new String[] {"q"} : queues), max,
        clock.instant())).jobs();
  }

  private List<JobInfo> claim(int max) {
    return claim("w1", max);
  }

  private void succeed(JobInfo j) {
    assertThat(store.complete(List.of(Completion.succeeded(j.id(), j.fence(),
        Objects.requireNonNull(j.workerId(), "a claimed job's worker"), "1")), clock.instant()))
        .containsExactly(true);
  }

  private static Map<String, Integer> byTenant(List<JobInfo> jobs) {
    Map<String, Integer> m = new TreeMap<>();
    for (JobInfo j : jobs) {
      String t = j.argsJson().replaceAll(".*\"tenant\":\"([^\"]*)\".*", "$1");
      m.merge(t, 1, Integer::sum);
    }
    return m;
  }

  @Test
  void concurrencyPermitsPerArgumentKeyAreNeverExceededAndFreedWhenAJobEnds() {
    FlowLimit limit = FlowLimit.builder("api").perArgument("tenant").concurrency(2).build();
    flowAdmin.putLimit(limit);
    for (int i = 0; i < 5; i++) {
      tenantJob(limit, "a");
    }
    tenantJob(limit, "b");
    List<JobInfo> first = claim(10);
    assertThat(byTenant(first)).isEqualTo(Map.of("a", 2, "b", 1));
    assertThat(claim(10)).isEmpty();
    succeed(first.stream().filter(j -> j.argsJson().contains("\"a\"")).findFirst().orElseThrow());
    assertThat(byTenant(claim(10))).isEqualTo(Map.of("a", 1));
    assertThat(claim(10)).isEmpty();
  }

  @Test
  void theKeysOfALimitTellWhatEachHoldsNow() {
    FlowLimit limit = FlowLimit.builder("api").perArgument("tenant").concurrency(2).build();
    FlowLimit other = FlowLimit.builder("apix").perArgument("tenant").concurrency(5).build();
    flowAdmin.putLimit(limit);
    flowAdmin.putLimit(other);
    for (int i = 0; i < 3; i++) {
      tenantJob(limit, "a");
    }
    tenantJob(limit, "b");
    tenantJob(other, "a");
    assertThat(claim(10)).hasSize(4); // two of a (its permits), b, and the other limit's a
    List<dev.spindle.queue.spi.FlowKeyState> keys = flowAdmin.keys("api", 100);
    assertThat(keys).extracting(dev.spindle.queue.spi.FlowKeyState::key).containsExactly("api:a", "api:b");
    dev.spindle.queue.spi.FlowKeyState a = keys.get(0);
    assertThat(List.of(a.running(), a.ready())).containsExactly(2, 1);
    assertThat(java.util.Objects.requireNonNull(a.hold()).rule()).isEqualTo(FlowHold.Rule.CONCURRENCY);
    dev.spindle.queue.spi.FlowKeyState b = keys.get(1);
    assertThat(List.of(b.running(), b.ready())).containsExactly(1, 0);
    assertThat(b.hold()).isNull();
    assertThat(a.value()).isEqualTo("a");
    assertThat(flowAdmin.keys("api", 1)).hasSize(1);
    assertThat(flowAdmin.keys("none", 10)).isEmpty();
    assertThatThrownBy(() -> flowAdmin.keys("api", 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aClaimOfSomeTasksHonoursFlowLimitsAndPassesTheOtherTasksBy() {
    FlowLimit limit = FlowLimit.builder("one").perArgument("tenant").concurrency(1).build();
    flowAdmin.putLimit(limit);
    String otherTask = enqueue("q", "t.b", "{\"tenant\":\"a\",\"n\":1}", limit);
    String a1 = enqueue("q", "t.a", "{\"tenant\":\"a\",\"n\":2}", limit);
    String a2 = enqueue("q", "t.a", "{\"tenant\":\"a\",\"n\":3}", limit);
    String b1 = enqueue("q", "t.a", "{\"tenant\":\"b\",\"n\":4}", limit);
    ClaimRequest ofA = new ClaimRequest("w1", List.of("q"), 10, clock.instant(), java.util.Set.of("t.a"));
    List<JobInfo> first = store.claim(ofA).jobs();
    assertThat(first).extracting(JobInfo::id).containsExactlyInAnyOrder(a1, b1);
    assertThat(store.claim(ofA).jobs()).as("each tenant's one permit is held").isEmpty();
    succeed(first.stream().filter(j -> j.id().equals(a1)).findFirst().orElseThrow());
    assertThat(store.claim(ofA).jobs()).extracting(JobInfo::id).containsExactly(a2);
    assertThat(claim(10)).as("an unfiltered claim: tenant a's permit is held by a2").isEmpty();
    JobInfo passed = store.find(otherTask).orElseThrow();
    assertThat(passed.state()).isEqualTo(JobState.QUEUED);
    assertThat(passed.attempt()).isZero();
  }

  @Test
  void aPermitIsFreedWhenTheLeaseExpiresAndTheOldHolderIsFencedOff() {
    FlowLimit limit = FlowLimit.builder("one").concurrency(1).build();
    flowAdmin.putLimit(limit);
    enqueue("q", "t.x", "1", limit);
    enqueue("q", "t.x", "2", limit);
    register("w2", Duration.ofSeconds(30));
    List<JobInfo> held = claim("w2", 10);
    assertThat(held).hasSize(1);
    assertThat(claim(10)).isEmpty();
    clock.advance(Duration.ofSeconds(31));
    assertThat(store.reclaimExpired(clock.instant(), 10)).hasSize(1);
    List<JobInfo> next = claim(10);
    assertThat(next).hasSize(1);
    assertThat(store.complete(List.of(Completion.succeeded(held.get(0).id(), held.get(0).fence(), "w2", "1")),
        clock.instant())).containsExactly(false);
    assertThat(claim(10)).isEmpty();
  }

  @Test
  void aRateWithBurstAdmitsTheBurstThenOneJobPerInterval() {
    FlowLimit limit = FlowLimit.builder("rate").perTask().rate(2, Duration.ofSeconds(1)).burst(3).build();
    flowAdmin.putLimit(limit);
    for (int i = 0; i < 10; i++) {
      enqueue("q", "t.rated", Integer.toString(i), limit);
    }
    String other = enqueue("q", "t.other", "0", limit);
    List<JobInfo> burst = claim(20);
    assertThat(burst).extracting(JobInfo::task).filteredOn("t.rated"::equals).hasSize(3);
    assertThat(burst).extracting(JobInfo::id).contains(other);
    ClaimResult held = store.claim(new ClaimRequest("w1", List.of("q"), 20, clock.instant()));
    assertThat(held.jobs()).isEmpty();
    assertThat(held.nextRunAt()).as("idle workers wake when the rate lifts").isEqualTo(T0.plusMillis(500));
    FlowHold hold = flowAdmin.holdOf("4").orElseThrow(); // jobs 1-3 started

    assertThat(hold.rule()).isEqualTo(FlowHold.Rule.RATE);
    assertThat(hold.limit()).isEqualTo("rate");
    assertThat(hold.until()).isEqualTo(T0.plusMillis(500));
    clock.advance(Duration.ofMillis(499));
    assertThat(claim(20)).isEmpty();
    clock.advance(Duration.ofMillis(1));
    assertThat(claim(20)).hasSize(1);
    clock.advance(Duration.ofSeconds(2));
    assertThat(claim(20)).hasSize(3); // refilled up to the burst, not beyond
    assertThat(claim(20)).isEmpty();
  }

  @Test
  void aSlidingWindowCountsStartsInAnyWindow() {
    FlowLimit limit = FlowLimit.builder("win").window(3, Duration.ofSeconds(10)).build();
    flowAdmin.putLimit(limit);
    for (int i = 0; i < 8; i++) {
      enqueue("q", "t.x", Integer.toString(i), limit);
    }
    assertThat(claim(2)).hasSize(2);
    clock.advance(Duration.ofSeconds(6));
    assertThat(claim(5)).hasSize(1);
    FlowHold hold = flowAdmin.holdOf(Integer.toString(4)).orElseThrow();
    assertThat(hold.rule()).isEqualTo(FlowHold.Rule.WINDOW);
    assertThat(hold.until()).isEqualTo(T0.plusSeconds(10));
    clock.advance(Duration.ofMillis(3999));
    assertThat(claim(5)).isEmpty();
    clock.advance(Duration.ofMillis(1));
    assertThat(claim(5)).hasSize(2); // the two first starts left the window
    clock.advance(Duration.ofSeconds(6));
    assertThat(claim(5)).hasSize(1);
  }

  @Test
  void keysOfOneQueueAreServedRoundRobinSoABigBacklogDoesNotStarveASmallOne() {
    FlowLimit fair = FlowLimit.builder("fair").perArgument("tenant").build();
    flowAdmin.putLimit(fair);
    List<NewJob> batch = new ArrayList<>();
    Instant now = clock.instant();
    for (int i = 0; i < 500; i++) {
      String args = "{\"tenant\":\"a\",\"n\":" + i + "}";
      batch.add(new NewJob("t.x", args, "q", 0, now, null, JobPolicy.defaults(), now, null)
          .withFlowKey(fair.keyFor("q", "t.x", args)));
    }
    store.enqueue(batch);
    for (int i = 0; i < 5; i++) {
      tenantJob(fair, "b");
    }
    enqueue("q", "t.plain", "{}", null);
    List<JobInfo> got = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      got.addAll(claim(3));
    }
    assertThat(byTenant(got.stream().filter(j -> !j.task().equals("t.plain")).toList()).get("b")).isEqualTo(5);
    assertThat(got).extracting(JobInfo::task).contains("t.plain");
    assertThat(got).hasSize(15);
  }

  @Test
  void weightsThreeToOneGetThreeToOneServiceUnderBacklogAndChangeAtRunTime() {
    FlowLimit weighted = FlowLimit.builder("wfair").perArgument("tenant").weight("a", 3).build();
    flowAdmin.putLimit(weighted);
    List<NewJob> batch = new ArrayList<>();
    Instant now = clock.instant();
    for (int i = 0; i < 400; i++) {
      String tenant = i % 2 == 0 ? "a" : "b";
      String args = "{\"tenant\":\"" + tenant + "\",\"n\":" + i + "}";
      batch.add(new NewJob("t.x", args, "q", 0, now, null, JobPolicy.defaults(), now, null)
          .withFlowKey(weighted.keyFor("q", "t.x", args)));
    }
    store.enqueue(batch);
    // claims of uneven sizes, so turns are cut across claims: 80 jobs, 20 full rounds of a,a,a,b
    List<JobInfo> got = new ArrayList<>();
    int[] sizes = {1, 2, 5, 3, 1, 7};
    for (int i = 0; got.size() < 80; i++) {
      got.addAll(claim(Math.min(sizes[i % sizes.length], 80 - got.size())));
    }
    assertThat(byTenant(got)).containsEntry("a", 60).containsEntry("b", 20);
    // the weight changes at run time: a and b now alternate
    flowAdmin.putLimit(FlowLimit.builder("wfair").perArgument("tenant").weight("b", 1).build());
    List<JobInfo> more = new ArrayList<>();
    while (more.size() < 40) {
      more.addAll(claim(Math.min(4, 40 - more.size())));
    }
    assertThat(byTenant(more).get("a")).isBetween(19, 21);
    assertThat(byTenant(more).get("b")).isBetween(19, 21);
  }

  @Test
  void aPausedKeyWaitsUntilThenWithoutUsingUpAnAttempt() {
    FlowLimit limit = FlowLimit.builder("svc").perArgument("tenant").build();
    flowAdmin.putLimit(limit);
    String a = tenantJob(limit, "a");
    String a2 = tenantJob(limit, "a");
    String b = tenantJob(limit, "b");
    JobInfo running = claim(1).get(0);
    assertThat(running.id()).isEqualTo(a);
    assertThat(flow.pauseKey(a, running.fence() + 1, clock.instant().plusSeconds(30), clock.instant())).isFalse();
    assertThat(flow.pauseKey(a, running.fence(), clock.instant().plusSeconds(30), clock.instant())).isTrue();
    assertThat(store.complete(List.of(Completion.released(a, running.fence(), "w1")), clock.instant()))
        .containsExactly(true);
    JobInfo back = store.find(a).orElseThrow();
    assertThat(back.state()).isEqualTo(JobState.QUEUED);
    assertThat(back.attempt()).isZero();
    FlowHold hold = flowAdmin.holdOf(a2).orElseThrow();
    assertThat(hold.rule()).isEqualTo(FlowHold.Rule.PAUSED);
    assertThat(hold.until()).isEqualTo(T0.plusSeconds(30));
    assertThat(claim(10)).extracting(JobInfo::id).containsExactly(b);
    clock.advance(Duration.ofSeconds(30));
    assertThat(claim(10)).extracting(JobInfo::id).containsExactlyInAnyOrder(a, a2);
    assertThat(store.find(a).orElseThrow().attempt()).isEqualTo(1);
  }

  @Test
  void limitsChangeAtRunTimeAndAStoredLimitWinsOverALaterDefinition() {
    FlowLimit one = FlowLimit.builder("conc").concurrency(1).build();
    assertThat(flow.defineLimit(one)).isTrue();
    assertThat(flow.defineLimit(FlowLimit.builder("conc").concurrency(9).build())).isFalse();
    assertThat(flowAdmin.limits()).containsExactly(one);
    for (int i = 0; i < 5; i++) {
      enqueue("q", "t.x", Integer.toString(i), one);
    }
    assertThat(claim(10)).hasSize(1);
    FlowHold hold = flowAdmin.holdOf("2").orElseThrow();
    assertThat(hold.rule()).isEqualTo(FlowHold.Rule.CONCURRENCY);
    assertThat(hold.until()).isNull();
    assertThat(hold.detail()).isEqualTo("1 of 1 running");
    FlowLimit three = FlowLimit.builder("conc").concurrency(3).build();
    flowAdmin.putLimit(three);
    assertThat(flowAdmin.limits()).containsExactly(three);
    assertThat(claim(10)).hasSize(2);
    assertThat(flowAdmin.removeLimit("conc")).isTrue();
    assertThat(flowAdmin.removeLimit("conc")).isFalse();
    assertThat(flowAdmin.holdOf("4")).isEmpty();
    assertThat(claim(10)).hasSize(2);
  }

  @Test
  void aJobWhoseKeyCannotBeComputedIsDeadLetteredWithTheReason() {
    FlowLimit limit = FlowLimit.builder("api").perArgument("tenant").concurrency(1).build();
    flowAdmin.putLimit(limit);
    String bad = enqueue("q", "t.x", "{\"user\":\"x\"}", limit);
    JobInfo j = store.find(bad).orElseThrow();
    assertThat(j.state()).isEqualTo(JobState.DEAD);
    assertThat(j.deadReason()).isEqualTo(FlowControl.BAD_FLOW_KEY);
    assertThat(j.errorJson()).contains("argument 'tenant', which the job's arguments lack");
    assertThat(claim(10)).isEmpty();
  }

  /** A job that waits for others is dead-lettered too: released later it would run past the limit. */
  @Test
  void aDependentJobWhoseKeyCannotBeComputedIsDeadLetteredNotRunUnlimited() {
    FlowLimit limit = FlowLimit.builder("api").perArgument("tenant").concurrency(1).build();
    flowAdmin.putLimit(limit);
    Instant now = clock.instant();
    NewJob parent = new NewJob("t.x", "{\"tenant\":\"a\"}", "q", 0, now, null, JobPolicy.defaults(), now, null);
    NewJob child = new NewJob("t.x", "{\"user\":\"x\"}", "q", 0, now, null, JobPolicy.defaults(), now, null)
        .dependingOn(List.of(Dependency.onBatchJob(0, DependencyPolicy.ALWAYS)), WorkflowInput.ARGS)
        .withFlowKey(FlowControl.badKey("the flow key needs argument 'tenant', which the job's arguments lack"));
    List<String> ids = store.enqueue(List.of(parent, child)).stream().map(r -> r.jobId()).toList();
    JobInfo j = store.find(ids.get(1)).orElseThrow();
    assertThat(j.state()).isEqualTo(JobState.DEAD);
    assertThat(j.deadReason()).isEqualTo(FlowControl.BAD_FLOW_KEY);
    List<JobInfo> claimed = claim(10);
    assertThat(claimed).extracting(JobInfo::id).containsExactly(ids.get(0));
    store.complete(List.of(Completion.succeeded(ids.get(0), claimed.get(0).fence(), "w1", "1")), clock.instant());
    assertThat(claim(10)).isEmpty();
    assertThat(store.find(ids.get(1)).orElseThrow().state()).isEqualTo(JobState.DEAD);
  }

  @Test
  void anUnlimitedQueueIsNotHeldByLimitsOnOthers() {
    FlowLimit limit = FlowLimit.builder("slow").concurrency(1).build();
    flowAdmin.putLimit(limit);
    enqueue("limited", "t.x", "1", limit);
    enqueue("limited", "t.x", "2", limit);
    for (int i = 0; i < 20; i++) {
      enqueue("free", "t.x", Integer.toString(i), null);
    }
    List<JobInfo> got = claim("w1", 30, "limited", "free");
    assertThat(got).filteredOn(j -> j.queue().equals("limited")).hasSize(1);
    assertThat(got).filteredOn(j -> j.queue().equals("free")).hasSize(20);
    assertThat(flowAdmin.holdOf(got.get(0).id())).isEmpty();
  }
}
