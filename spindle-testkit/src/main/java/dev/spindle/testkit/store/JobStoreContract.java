package dev.spindle.testkit.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.spindle.ExecutionModel;
import dev.spindle.PayloadException;
import dev.spindle.Spindle;
import dev.spindle.TaskExecutor;
import dev.spindle.TaskFailedException;
import dev.spindle.TaskRegistry;
import dev.spindle.UnknownTaskException;
import dev.spindle.queue.DistributedOptions;
import dev.spindle.queue.IllegalJobTransitionException;
import dev.spindle.queue.JobError;
import dev.spindle.queue.JobEvent;
import dev.spindle.queue.JobHandle;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobNotFoundException;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobState;
import dev.spindle.queue.MisfirePolicy;
import dev.spindle.queue.RetryPolicy;
import dev.spindle.queue.Schedule;
import dev.spindle.queue.ScheduleInfo;
import dev.spindle.queue.StoreException;
import dev.spindle.queue.Worker;
import dev.spindle.queue.spi.CancelResult;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.ClaimResult;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.Exchange;
import dev.spindle.queue.spi.FinishedBatch;
import dev.spindle.queue.spi.HeartbeatResult;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.queue.spi.JobInspector;
import dev.spindle.queue.spi.JobStore;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.QueueSummary;
import dev.spindle.queue.spi.RetentionLimits;
import dev.spindle.queue.spi.ScheduleRecord;
import dev.spindle.queue.spi.Subscription;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.testkit.store.StoreContractTasks.AttemptInfo;
import dev.spindle.testkit.store.StoreContractTasks.FailTimes;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import org.assertj.core.api.ThrowableAssert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

/**
 * The contract every job store honours, in two parts: the {@link JobStore} SPI and the
 * {@link JobInspector} called directly (states, ordering, fencing, leases, schedules, retention),
 * and the whole queue - {@link JobQueue}, {@link Worker}, the DISTRIBUTED model - running on the
 * store (retries, timeouts, cancellation, dead letters, graceful shutdown, per-queue limits,
 * exactly-once recurring ticks with three workers).
 *
 * <p>Subclass it once per backend and implement {@link #openStore()}; the in-memory, SQLite and
 * Redis stores all run it. Time is a {@link ManualClock}; blocking tasks wait on latches the test
 * releases ({@link StoreContractTasks}); waits for worker threads use Awaitility. No test sleeps.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
public abstract class JobStoreContract {
  /** The manual clock's start. */
  protected static final Instant T0 = Instant.parse("2030-01-07T10:00:00Z");
  private static final Duration WAIT = Duration.ofSeconds(30);

  /** The time source of every store call and worker in the test. */
  protected ManualClock clock;
  /** The store under test. */
  protected JobStore store;
  /** Its inspector. */
  protected JobInspector inspector;
  /** A key unique to the test, for latches and counters. */
  protected String key;
  private final List<Worker> workers = new CopyOnWriteArrayList<>();
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final Set<String> gates = ConcurrentHashMap.newKeySet();

  /** Opens a new, empty store for one test; it is closed after the test. */
  protected abstract JobStore openStore() throws Exception;

  @BeforeEach
  void openTheStore() throws Exception {
    clock = new ManualClock(T0);
    store = openStore();
    inspector = store.inspector();
    key = UUID.randomUUID().toString().substring(0, 8);
  }

  @AfterEach
  void closeTheStore() throws Exception {
    gates.forEach(StoreContractTasks::release);
    for (Worker w : workers) {
      w.stop(Duration.ZERO);
    }
    for (AutoCloseable c : closeables) {
      c.close();
    }
    store.close();
  }

  // ---------------------------------------------------------------- helpers

  /** A job of {@code task} with {@code args}, enqueued now with {@code options}. */
  protected NewJob job(String task, String args, JobOptions options) {
    Instant now = clock.instant();
    return new NewJob(task, args, options.queue(), options.priority(), options.effectiveRunAt(now),
        options.uniqueKey(), options.policy(), now);
  }

  /** A job with default options. */
  protected NewJob job(String task, String args) {
    return job(task, args, JobOptions.defaults());
  }

  /** Enqueues one job and returns its id. */
  protected String enqueue(NewJob job) {
    return store.enqueue(List.of(job)).get(0).jobId();
  }

  /** The job's snapshot. */
  protected JobInfo get(String id) {
    return store.find(id).orElseThrow(() -> new AssertionError("job " + id + " is missing"));
  }

  /** Registers a worker id with a lease from now. */
  protected HeartbeatResult register(String workerId, Duration lease) {
    Instant now = clock.instant();
    return store.heartbeat(new WorkerRecord(workerId, "w", "host", 1, List.of("default"), 1, "THREADS",
        "RUNNING", now, now, now.plus(lease), 0, 0, 0, 0));
  }

  /** Claims up to {@code max} jobs from the queues for a registered worker. */
  protected List<JobInfo> claim(String workerId, int max, String... queues) {
    List<String> qs = queues.length == 0 ? List.of("default") : List.of(queues);
    return store.claim(new ClaimRequest(workerId, qs, max, clock.instant())).jobs();
  }

  private static List<String> ids(List<JobInfo> jobs) {
    return jobs.stream().map(JobInfo::id).toList();
  }

  /** A worker on the store with test defaults, customized by {@code custom}, started. */
  protected Worker startWorker(UnaryOperator<Worker.Builder> custom) {
    Worker.Builder b = Worker.builder(store).registry(TaskRegistry.of(StoreContractTasks.class)).clock(clock)
        .concurrency(2).pollInterval(Duration.ofMillis(20)).heartbeatInterval(Duration.ofSeconds(1))
        .leaseDuration(Duration.ofHours(1)).shutdownGrace(Duration.ofSeconds(5)).random(new SplittableRandom(7))
        .name("contract-" + key);
    Worker w = custom.apply(b).start();
    workers.add(w);
    return w;
  }

  /** A queue client on the store with the contract tasks as its registry. */
  protected JobQueue queue() {
    JobQueue q = JobQueue.builder(store).clock(clock).registry(TaskRegistry.of(StoreContractTasks.class)).build();
    closeables.add(q);
    return q;
  }

  /** A unique latch key for {@link StoreContractTasks#BLOCK}; released after the test. */
  protected String gate(String name) {
    String g = key + "-" + name;
    gates.add(g);
    return g;
  }

  private static String json(String s) {
    return "\"" + s + "\"";
  }

  private static void eventually(ThrowableAssert.ThrowingCallable assertion) {
    await().atMost(WAIT).pollInterval(Duration.ofMillis(5)).untilAsserted(assertion::call);
  }

  private static void arrived(String gate) throws InterruptedException {
    assertThat(StoreContractTasks.awaitArrived(gate, WAIT.toSeconds(), TimeUnit.SECONDS))
        .as("task blocked on %s started", gate).isTrue();
  }

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
    inspector.setQueueLimit("default", 1);
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
  void deregisteringAWorkerReleasesItsJobsWithoutAStrike() {
    String id = enqueue(job("store.echo", json("x")));
    register("w1", Duration.ofMinutes(5));
    claim("w1", 1);
    store.deregisterWorker("w1", clock.instant());
    JobInfo j = get(id);
    assertThat(j.state()).isEqualTo(JobState.QUEUED);
    assertThat(j.workerLost()).isZero();
    assertThat(j.attempt()).isZero();
    assertThat(inspector.workers()).isEmpty();
  }

  @Test
  void queueLimitIsEnforcedAcrossWorkers() {
    inspector.setQueueLimit("limited", 2);
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
    inspector.setQueueLimit("limited", 0);
    assertThat(inspector.queueLimits()).doesNotContainKey("limited");
    assertThat(claim("w2", 5, "limited")).hasSize(2);
  }

  // ================================================================ inspector: requeue, purge, listing

  @Test
  void requeueBringsBackFailedDeadAndCancelledJobsOnly() {
    String failed = enqueue(job("store.echo", json("f")));
    String ok = enqueue(job("store.echo", json("o")));
    String waiting = enqueue(job("store.echo", json("w"), JobOptions.builder().queue("other").build()));
    register("w1", Duration.ofMinutes(5));
    List<JobInfo> c = claim("w1", 2);
    String err = JobError.of("java.lang.RuntimeException", "x").toJson();
    store.complete(List.of(Completion.failed(failed, c.get(0).fence(), "w1", err),
        Completion.succeeded(ok, c.get(1).fence(), "w1", "1")), clock.instant());
    JobInfo r = inspector.requeue(failed, clock.instant());
    assertThat(r.state()).isEqualTo(JobState.QUEUED);
    assertThat(r.failures()).isZero();
    assertThat(r.finishedAt()).isNull();
    assertThat(r.expiresAt()).isNull();
    assertThat(r.finishSeq()).isZero();
    assertThat(get(failed).state()).isEqualTo(JobState.QUEUED);
    assertThatThrownBy(() -> inspector.requeue(ok, clock.instant()))
        .isInstanceOf(IllegalJobTransitionException.class).hasMessageContaining("SUCCEEDED");
    assertThatThrownBy(() -> inspector.requeue(waiting, clock.instant()))
        .isInstanceOf(IllegalJobTransitionException.class);
    assertThatThrownBy(() -> inspector.requeue("424242", clock.instant())).isInstanceOf(JobNotFoundException.class);
    assertThat(get(ok).state()).isEqualTo(JobState.SUCCEEDED);
  }

  @Test
  void listJobsFiltersAndPagesNewestFirst() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      ids.add(enqueue(job(i % 2 == 0 ? "store.echo" : "store.square", i % 2 == 0 ? json("x") : "3",
          JobOptions.builder().queue(i < 3 ? "a" : "b").build())));
    }
    store.cancel(ids.get(0), clock.instant());
    assertThat(ids(inspector.listJobs(JobFilter.all()))).containsExactlyElementsOf(reversed(ids));
    assertThat(ids(inspector.listJobs(JobFilter.all().withLimit(2)))).containsExactly(ids.get(5), ids.get(4));
    assertThat(ids(inspector.listJobs(JobFilter.all().withBeforeId(ids.get(4)).withLimit(2))))
        .containsExactly(ids.get(3), ids.get(2));
    assertThat(ids(inspector.listJobs(JobFilter.all().withQueue("a")))).containsExactly(ids.get(2), ids.get(1),
        ids.get(0));
    assertThat(ids(inspector.listJobs(JobFilter.all().withTask("store.square")))).containsExactly(ids.get(5),
        ids.get(3), ids.get(1));
    assertThat(ids(inspector.listJobs(JobFilter.all().withState(JobState.CANCELLED)))).containsExactly(ids.get(0));
  }

  private static List<String> reversed(List<String> l) {
    List<String> r = new ArrayList<>(l);
    Collections.reverse(r);
    return r;
  }

  @Test
  void queueSummariesCountJobsByState() {
    enqueue(job("store.echo", json("1"), JobOptions.builder().queue("a").build()));
    enqueue(job("store.echo", json("2"), JobOptions.builder().queue("a").build()));
    enqueue(job("store.echo", json("3"), JobOptions.builder().queue("a").delay(Duration.ofHours(1)).build()));
    enqueue(job("store.echo", json("4"), JobOptions.builder().queue("b").build()));
    register("w1", Duration.ofMinutes(5));
    claim("w1", 1, "a");
    inspector.setQueueLimit("c", 3);
    Map<String, QueueSummary> byName = new java.util.HashMap<>();
    inspector.queueSummaries().forEach(s -> byName.put(s.queue(), s));
    assertThat(byName.keySet()).containsExactlyInAnyOrder("a", "b", "c");
    QueueSummary a = Objects.requireNonNull(byName.get("a"));
    assertThat(a.count(JobState.RUNNING)).isEqualTo(1);
    assertThat(a.count(JobState.QUEUED)).isEqualTo(1);
    assertThat(a.count(JobState.SCHEDULED)).isEqualTo(1);
    assertThat(a.waiting()).isEqualTo(2);
    assertThat(Objects.requireNonNull(byName.get("b")).count(JobState.QUEUED)).isEqualTo(1);
    assertThat(Objects.requireNonNull(byName.get("c")).limit()).isEqualTo(3);
    assertThat(Objects.requireNonNull(byName.get("c")).waiting()).isZero();
  }

  @Test
  void queueSummariesStillCountFinishedJobsThatRetentionKeeps() {
    register("w1", Duration.ofHours(5));
    JobOptions done = JobOptions.builder().queue("done").build();
    for (int i = 0; i < 3; i++) {
      enqueue(job("store.echo", json("s" + i), done));
    }
    String cancelled = enqueue(job("store.echo", json("c"), done));
    store.cancel(cancelled, clock.instant());
    for (JobInfo c : claim("w1", 3, "done")) {
      store.complete(List.of(Completion.succeeded(c.id(), c.fence(), "w1", "1")), clock.instant());
    }
    enqueue(job("store.echo", json("w"), done));
    // housekeeping well within the jobs' TTL (1 day): a store may move them elsewhere, never forget them
    clock.advance(Duration.ofMinutes(10));
    assertThat(store.purgeExpired(clock.instant(), RetentionLimits.defaults())).isZero();
    QueueSummary s = inspector.queueSummaries().stream().filter(q -> q.queue().equals("done")).findFirst()
        .orElseThrow();
    assertThat(s.count(JobState.SUCCEEDED)).isEqualTo(3);
    assertThat(s.count(JobState.CANCELLED)).isEqualTo(1);
    assertThat(s.count(JobState.QUEUED)).isEqualTo(1);
    inspector.requeue(cancelled, clock.instant());
    QueueSummary after = inspector.queueSummaries().stream().filter(q -> q.queue().equals("done")).findFirst()
        .orElseThrow();
    assertThat(after.count(JobState.CANCELLED)).as("requeued: counted once, as waiting").isZero();
    assertThat(after.count(JobState.QUEUED)).isEqualTo(2);
  }

  @Test
  void purgeDeletesOnlyFinishedJobsMatchingTheFilter() {
    String done = enqueue(job("store.echo", json("d")));
    String cancelled = enqueue(job("store.echo", json("c")));
    String waiting = enqueue(job("store.echo", json("w"), JobOptions.builder().queue("later").build()));
    register("w1", Duration.ofMinutes(5));
    JobInfo c = claim("w1", 1).get(0);
    store.complete(List.of(Completion.succeeded(done, c.fence(), "w1", "1")), clock.instant());
    store.cancel(cancelled, clock.instant());
    assertThatThrownBy(() -> inspector.purge(JobFilter.all().withState(JobState.QUEUED)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("QUEUED");
    assertThat(inspector.purge(JobFilter.all().withState(JobState.SUCCEEDED))).isEqualTo(1);
    assertThat(store.find(done)).isEmpty();
    assertThat(inspector.purge(JobFilter.all())).isEqualTo(1);
    assertThat(store.find(cancelled)).isEmpty();
    assertThat(store.find(waiting)).isPresent();
  }

  @Test
  void retentionDeletesExpiredJobsThenTheOldestBeyondTheLimits() {
    JobOptions shortTtl = JobOptions.builder().retention(Duration.ofMinutes(1), Duration.ofMinutes(2)).build();
    register("w1", Duration.ofHours(5));
    List<String> ok = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      ok.add(enqueue(job("store.echo", json("s" + i), shortTtl)));
    }
    String bad = enqueue(job("store.echo", json("f"), shortTtl));
    for (JobInfo c : claim("w1", 5)) {
      Completion k = c.id().equals(bad) ? Completion.failed(c.id(), c.fence(), "w1",
          JobError.of("x.Y", "z").toJson()) : Completion.succeeded(c.id(), c.fence(), "w1", "1");
      store.complete(List.of(k), clock.instant());
      clock.advance(Duration.ofSeconds(1));
    }
    RetentionLimits roomy = new RetentionLimits(100, 100, 1000);
    assertThat(store.purgeExpired(clock.instant(), roomy)).isZero();
    assertThat(store.purgeExpired(clock.instant(), new RetentionLimits(2, 100, 1000)))
        .as("the two oldest successes beyond the limit").isEqualTo(2);
    assertThat(store.find(ok.get(0))).isEmpty();
    assertThat(store.find(ok.get(1))).isEmpty();
    assertThat(store.find(ok.get(2))).isPresent();
    clock.advance(Duration.ofSeconds(60));
    assertThat(store.purgeExpired(clock.instant(), roomy)).as("successes expired after 1 min").isEqualTo(2);
    assertThat(store.find(bad)).as("failures are kept 2 min").isPresent();
    clock.advance(Duration.ofMinutes(1));
    assertThat(store.purgeExpired(clock.instant(), new RetentionLimits(100, 100, 1))).isEqualTo(1);
    assertThat(store.find(bad)).isEmpty();
  }

  @Test
  void expiredJobsOfOneBatchArePurgedAcrossSeveralCallsWhileTheirLongerLivedNeighboursStay() {
    JobOptions shortTtl = JobOptions.builder().retention(Duration.ofMinutes(1), Duration.ofMinutes(1)).build();
    JobOptions longTtl = JobOptions.builder().retention(Duration.ofMinutes(10), Duration.ofMinutes(10)).build();
    register("w1", Duration.ofHours(5));
    List<String> shortLived = new ArrayList<>();
    List<String> longLived = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      String id = enqueue(job("store.echo", json("j" + i), i % 2 == 0 ? shortTtl : longTtl));
      (i % 2 == 0 ? shortLived : longLived).add(id);
    }
    List<Completion> all = new ArrayList<>();
    for (JobInfo c : claim("w1", 10)) {
      all.add(c.id().equals(shortLived.get(4))
          ? Completion.failed(c.id(), c.fence(), "w1", JobError.of("x.Y", "z").toJson())
          : Completion.succeeded(c.id(), c.fence(), "w1", "1"));
    }
    store.complete(all, clock.instant());
    clock.advance(Duration.ofSeconds(61));
    RetentionLimits twoAtATime = new RetentionLimits(100, 100, 2);
    assertThat(store.purgeExpired(clock.instant(), twoAtATime)).isEqualTo(2);
    assertThat(store.purgeExpired(clock.instant(), twoAtATime)).isEqualTo(2);
    assertThat(store.purgeExpired(clock.instant(), twoAtATime)).isEqualTo(1);
    assertThat(store.purgeExpired(clock.instant(), twoAtATime)).isZero();
    assertThat(shortLived).allSatisfy(id -> assertThat(store.find(id)).as(id).isEmpty());
    assertThat(longLived).allSatisfy(id -> assertThat(store.find(id)).as(id).isPresent());
    clock.advance(Duration.ofMinutes(10));
    assertThat(store.purgeExpired(clock.instant(), new RetentionLimits(100, 100, 1000))).isEqualTo(5);
    assertThat(longLived).allSatisfy(id -> assertThat(store.find(id)).as(id).isEmpty());
  }

  @Test
  void aRequeuedJobIsNotPurgedByTheExpiryOfItsEarlierFinish() {
    JobOptions shortTtl = JobOptions.builder().retention(Duration.ofMinutes(1), Duration.ofMinutes(1)).build();
    register("w1", Duration.ofHours(5));
    String id = enqueue(job("store.echo", json("again"), shortTtl));
    JobInfo first = claim("w1", 1).get(0);
    store.complete(List.of(Completion.failed(id, first.fence(), "w1", JobError.of("x.Y", "z").toJson())),
        clock.instant());
    clock.advance(Duration.ofSeconds(30));
    assertThat(inspector.requeue(id, clock.instant()).state()).isEqualTo(JobState.QUEUED);
    clock.advance(Duration.ofSeconds(40)); // past the first finish's expiry
    assertThat(store.purgeExpired(clock.instant(), new RetentionLimits(100, 100, 1000))).isZero();
    assertThat(store.find(id)).hasValueSatisfying(j -> assertThat(j.state()).isEqualTo(JobState.QUEUED));
  }

  // ================================================================ schedules in the store

  private ScheduleRecord scheduleRecord(String name, String definition, Instant next) {
    return new ScheduleRecord(name, definition, next, null, 0, clock.instant());
  }

  @Test
  void savingAnIdenticalScheduleKeepsItAndAChangedOneReplacesIt() {
    ScheduleRecord saved = store.saveSchedule(scheduleRecord("s1", "{\"v\":1}", T0.plusSeconds(60)));
    assertThat(saved.version()).isPositive();
    assertThat(saved.nextFireAt()).isEqualTo(T0.plusSeconds(60));
    ScheduleRecord same = store.saveSchedule(scheduleRecord("s1", "{\"v\":1}", T0.plusSeconds(999)));
    assertThat(same).isEqualTo(saved);
    ScheduleRecord changed = store.saveSchedule(scheduleRecord("s1", "{\"v\":2}", T0.plusSeconds(120)));
    assertThat(changed.version()).isGreaterThan(saved.version());
    assertThat(changed.definition()).isEqualTo("{\"v\":2}");
    assertThat(changed.nextFireAt()).isEqualTo(T0.plusSeconds(120));
    assertThat(store.schedules()).containsExactly(changed);
    assertThat(store.deleteSchedule("s1")).isTrue();
    assertThat(store.deleteSchedule("s1")).isFalse();
    assertThat(store.schedules()).isEmpty();
  }

  @Test
  void firingAScheduleIsACompareAndSetThatEnqueuesTheTickJob() {
    store.saveSchedule(scheduleRecord("s1", "{}", T0));
    store.saveSchedule(scheduleRecord("s2", "{}", T0.plusSeconds(600)));
    List<ScheduleRecord> due = store.dueSchedules(clock.instant(), 10);
    assertThat(due).extracting(ScheduleRecord::name).containsExactly("s1");
    ScheduleRecord s = due.get(0);
    NewJob tick = job("store.count", json(key), JobOptions.builder().uniqueKey("schedule:s1:" + T0.toEpochMilli())
        .build());
    assertThat(store.fireSchedule("s1", s.version(), T0.plusSeconds(60), T0, List.of(tick))).isTrue();
    assertThat(store.fireSchedule("s1", s.version(), T0.plusSeconds(60), T0, List.of(tick)))
        .as("second fire of the same version").isFalse();
    ScheduleRecord after = store.schedules().get(0);
    assertThat(after.nextFireAt()).isEqualTo(T0.plusSeconds(60));
    assertThat(after.lastFireAt()).isEqualTo(T0);
    assertThat(after.version()).isGreaterThan(s.version());
    assertThat(inspector.listJobs(JobFilter.all())).hasSize(1).allSatisfy(j -> {
      assertThat(j.uniqueKey()).isEqualTo("schedule:s1:" + T0.toEpochMilli());
      assertThat(j.state()).isEqualTo(JobState.QUEUED);
    });
    assertThat(store.dueSchedules(clock.instant(), 10)).isEmpty();
    assertThat(store.fireSchedule("missing", 1, T0, T0, List.of(tick))).isFalse();
  }

  @Test
  void racingFiresOfOneTickEnqueueExactlyOneJobPerTick() throws Exception {
    store.saveSchedule(scheduleRecord("race", "{}", T0));
    int ticks = 60;
    int threads = 3;
    AtomicInteger wins = new AtomicInteger();
    CyclicBarrier barrier = new CyclicBarrier(threads);
    List<Thread> ts = new ArrayList<>();
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    for (int t = 0; t < threads; t++) {
      ts.add(Thread.ofPlatform().start(() -> {
        try {
          for (int i = 0; i < ticks; i++) {
            barrier.await(30, TimeUnit.SECONDS);
            Instant tick = T0.plusSeconds(60L * i);
            for (ScheduleRecord r : store.dueSchedules(tick, 10)) {
              NewJob j = new NewJob("store.count", json(key), "default", 0, tick, "schedule:race:" + tick.toEpochMilli(),
                  JobPolicy.defaults(), tick);
              if (store.fireSchedule(r.name(), r.version(), tick.plusSeconds(60), tick, List.of(j))) {
                wins.incrementAndGet();
              }
            }
            barrier.await(30, TimeUnit.SECONDS);
          }
        } catch (Throwable e) {
          errors.add(e);
          barrier.reset();
        }
      }));
    }
    for (Thread t : ts) {
      t.join();
    }
    assertThat(errors).isEmpty();
    assertThat(wins.get()).isEqualTo(ticks);
    List<JobInfo> jobs = inspector.listJobs(JobFilter.all().withLimit(1000));
    assertThat(jobs).hasSize(ticks);
    assertThat(jobs.stream().map(JobInfo::uniqueKey).distinct().count()).isEqualTo(ticks);
  }

  // ================================================================ change signal, closing

  @Test
  void subscribersHearAboutEnqueuesAndCompletions() {
    AtomicInteger calls = new AtomicInteger();
    Subscription sub = store.subscribe(calls::incrementAndGet);
    try {
      sub.waiting();
      enqueue(job("store.echo", json("x")));
      eventually(() -> assertThat(calls.get()).isPositive());
      int before = calls.get();
      register("w1", Duration.ofMinutes(1));
      JobInfo c = claim("w1", 1).get(0);
      sub.waiting();
      store.complete(List.of(Completion.succeeded(c.id(), c.fence(), "w1", "1")), clock.instant());
      eventually(() -> assertThat(calls.get()).isGreaterThan(before));
    } finally {
      sub.close();
    }
  }

  @Test
  void aClaimThatFoundTooFewJobsHearsTheNextEnqueue() {
    AtomicInteger calls = new AtomicInteger();
    Subscription sub = store.subscribe(calls::incrementAndGet);
    try {
      // the subscription is live (a store may connect it asynchronously, and a wake-up published
      // before that is lost) once it has heard a change: say "waiting" and enqueue until one is heard
      eventually(() -> {
        if (calls.get() == 0) {
          sub.waiting();
          enqueue(job("store.echo", json("warm-up")));
        }
        assertThat(calls.get()).isPositive();
      });
      register("w1", Duration.ofMinutes(1));
      while (!claim("w1", 100).isEmpty()) {
        // the warm-up jobs
      }
      assertThat(claim("w1", 1)).isEmpty(); // the worker waits next, without saying so
      int before = calls.get();
      enqueue(job("store.echo", json("x")));
      eventually(() -> assertThat(calls.get()).isGreaterThan(before));
    } finally {
      sub.close();
    }
  }

  @Test
  void aClosedStoreRefusesCalls() throws Exception {
    JobStore s = openStore();
    s.close();
    s.close();
    assertThatThrownBy(() -> s.enqueue(List.of(job("store.echo", json("x"))))).isInstanceOf(StoreException.class)
        .satisfies(e -> assertThat(((StoreException) e).reason()).isEqualTo(StoreException.Reason.CLOSED));
  }

  // ================================================================ the queue on this store

  @Test
  void workerRunsTypedAndByNameJobsAndHandlesReturnResults() {
    JobQueue q = queue();
    startWorker(b -> b);
    JobHandle<Long> square = q.enqueue(StoreContractTasks.SQUARE, 12L);
    JobHandle<JsonNode> echo = q.enqueue("store.echo", json("hello"), JobOptions.defaults());
    assertThat(square.result(WAIT)).isEqualTo(144L);
    assertThat(echo.result(WAIT).asString()).isEqualTo("hello");
    assertThat(square.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(square.future().result(WAIT)).isEqualTo(144L);
    JobInfo info = square.info().orElseThrow();
    assertThat(info.attempt()).isEqualTo(1);
    assertThat(q.job(echo.id()).result(WAIT).asString()).isEqualTo("hello");
  }

  @Test
  void batchEnqueueRunsEveryJob() {
    JobQueue q = queue();
    List<JobHandle<Long>> hs = q.enqueueAll(StoreContractTasks.SQUARE,
        IntStream.rangeClosed(1, 50).mapToObj(i -> (long) i).toList(), JobOptions.defaults());
    startWorker(b -> b.concurrency(4));
    for (int i = 0; i < hs.size(); i++) {
      assertThat(hs.get(i).result(WAIT)).isEqualTo((long) (i + 1) * (i + 1));
    }
  }

  @Test
  void taskSeesTheJobIdAttemptAndWorkerInItsContext() {
    JobQueue q = queue();
    startWorker(b -> b);
    JobHandle<AttemptInfo> h = q.enqueue(StoreContractTasks.ATTEMPT, "x");
    AttemptInfo seen = h.result(WAIT);
    assertThat(seen.jobId()).isEqualTo(h.id());
    assertThat(seen.attempt()).isEqualTo(1);
    assertThat(seen.worker()).isEqualTo("contract-" + key);
  }

  @Test
  void failedJobIsRetriedAfterItsBackoffAndThenSucceeds() {
    JobQueue q = queue();
    List<JobEvent> events = new CopyOnWriteArrayList<>();
    startWorker(b -> b.listener(events::add));
    RetryPolicy retry = RetryPolicy.builder().maxAttempts(3).initialDelay(Duration.ofSeconds(10)).multiplier(2)
        .jitter(0).build();
    JobHandle<Integer> h = q.enqueue(StoreContractTasks.FAIL_TIMES, new FailTimes(key, 2, "state"),
        JobOptions.builder().retry(retry).build());
    eventually(() -> {
      JobInfo j = h.info().orElseThrow();
      assertThat(j.state()).isEqualTo(JobState.SCHEDULED);
      assertThat(j.failures()).isEqualTo(1);
      assertThat(j.runAt()).isEqualTo(T0.plusSeconds(10));
      assertThat(j.error().orElseThrow().message()).isEqualTo("planned failure 1 of 2");
    });
    clock.advance(Duration.ofSeconds(10));
    eventually(() -> {
      JobInfo j = h.info().orElseThrow();
      assertThat(j.failures()).isEqualTo(2);
      assertThat(j.runAt()).as("second backoff doubles").isEqualTo(T0.plusSeconds(10 + 20));
    });
    clock.advance(Duration.ofSeconds(20));
    assertThat(h.result(WAIT)).isEqualTo(3);
    assertThat(h.info().orElseThrow().attempt()).isEqualTo(3);
    eventually(() -> assertThat(events).extracting(JobEvent::type).contains(JobEvent.Type.STARTED,
        JobEvent.Type.RETRY_SCHEDULED, JobEvent.Type.SUCCEEDED));
  }

  @Test
  void jobThatKeepsFailingEndsFailedAndTheHandleThrowsTheRemoteError() {
    JobQueue q = queue();
    startWorker(b -> b);
    JobHandle<Integer> h = q.enqueue(StoreContractTasks.FAIL_TIMES, new FailTimes(key, 99, "state"),
        JobOptions.builder().retry(RetryPolicy.builder().maxAttempts(2).initialDelay(Duration.ZERO).jitter(0)
            .build()).build());
    assertThatThrownBy(() -> h.result(WAIT)).isInstanceOf(TaskFailedException.class)
        .cause().isInstanceOf(dev.spindle.RemoteTaskException.class)
        .satisfies(c -> {
          dev.spindle.RemoteTaskException r = (dev.spindle.RemoteTaskException) c;
          assertThat(r.remoteType()).isEqualTo(IllegalStateException.class.getName());
          assertThat(r.remoteMessage()).isEqualTo("planned failure 2 of 99");
          assertThat(r.getStackTrace()).isNotEmpty();
        });
    JobInfo j = h.info().orElseThrow();
    assertThat(j.state()).isEqualTo(JobState.FAILED);
    assertThat(j.failures()).isEqualTo(2);
    assertThat(StoreContractTasks.runs(key)).isEqualTo(2);
  }

  @Test
  void giveUpOnRuleFailsTheJobAtOnceAndRetryOnRuleLimitsRetries() {
    JobQueue q = queue();
    startWorker(b -> b);
    RetryPolicy giveUp = RetryPolicy.builder().maxAttempts(5).initialDelay(Duration.ZERO).jitter(0)
        .giveUpOn(IllegalArgumentException.class).build();
    JobHandle<Integer> a = q.enqueue(StoreContractTasks.FAIL_TIMES, new FailTimes(key + "a", 3, "argument"),
        JobOptions.builder().retry(giveUp).build());
    RetryPolicy onlyState = RetryPolicy.builder().maxAttempts(5).initialDelay(Duration.ZERO).jitter(0)
        .retryOn(IllegalStateException.class).build();
    JobHandle<Integer> b = q.enqueue(StoreContractTasks.FAIL_TIMES, new FailTimes(key + "b", 3, "unsupported"),
        JobOptions.builder().retry(onlyState).build());
    JobHandle<Integer> c = q.enqueue(StoreContractTasks.FAIL_TIMES, new FailTimes(key + "c", 2, "state"),
        JobOptions.builder().retry(onlyState).build());
    assertThat(a.await(WAIT).state()).isEqualTo(JobState.FAILED);
    assertThat(b.await(WAIT).state()).isEqualTo(JobState.FAILED);
    assertThat(c.result(WAIT)).isEqualTo(3);
    assertThat(StoreContractTasks.runs(key + "a")).isEqualTo(1);
    assertThat(StoreContractTasks.runs(key + "b")).isEqualTo(1);
  }

  @Test
  void jobOverItsTimeoutIsStoppedAndCountsAsAFailure() throws Exception {
    JobQueue q = queue();
    startWorker(b -> b);
    String g = gate("timeout");
    JobHandle<String> h = q.enqueue(StoreContractTasks.BLOCK, g, JobOptions.builder().timeout(Duration.ofSeconds(30))
        .retry(RetryPolicy.none()).build());
    arrived(g);
    clock.advance(Duration.ofSeconds(31));
    JobInfo j = h.await(WAIT);
    assertThat(j.state()).isEqualTo(JobState.FAILED);
    assertThat(j.error().orElseThrow().type()).isEqualTo(dev.spindle.TaskTimeoutException.class.getName());
    assertThat(j.error().orElseThrow().message()).contains("exceeded its timeout of PT30S");
  }

  @Test
  void cancellingARunningJobStopsIt() throws Exception {
    JobQueue q = queue();
    Worker w = startWorker(b -> b.heartbeatInterval(Duration.ofMillis(500)).leaseDuration(Duration.ofHours(1)));
    String g = gate("cancel");
    JobHandle<String> h = q.enqueue(StoreContractTasks.BLOCK, g);
    arrived(g);
    assertThat(h.cancel()).isTrue();
    // the next heartbeat picks up the request: the manual clock moves on until one has (a heartbeat
    // that was running when the clock moved schedules its successor on the moved clock, so one
    // step alone can leave the worker waiting for a time that never comes)
    await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> {
      clock.advance(Duration.ofSeconds(1));
      return store.find(h.id()).map(JobInfo::state).orElse(null) == JobState.CANCELLED;
    });
    assertThat(h.await(WAIT).state()).isEqualTo(JobState.CANCELLED);
    assertThatThrownBy(() -> h.result(WAIT)).isInstanceOf(CancellationException.class);
    eventually(() -> assertThat(w.stats().cancelled()).isEqualTo(1));
  }

  @Test
  void cancellingAQueuedJobThroughItsFutureMeansItNeverRuns() {
    JobQueue q = queue();
    JobHandle<Integer> h = q.enqueue(StoreContractTasks.COUNT, key);
    assertThat(h.future().cancel(true)).isTrue();
    assertThat(h.state()).isEqualTo(JobState.CANCELLED);
    startWorker(b -> b);
    JobHandle<Integer> after = q.enqueue(StoreContractTasks.COUNT, key + "-after");
    assertThat(after.result(WAIT)).isEqualTo(1);
    assertThat(StoreContractTasks.runs(key)).isZero();
  }

  @Test
  void unknownTaskIsDeadLetteredWithTheReason() {
    JobQueue anyName = JobQueue.builder(store).clock(clock).build();
    closeables.add(anyName);
    startWorker(b -> b);
    JobHandle<JsonNode> h = anyName.enqueue("no.such.task", "{}");
    JobInfo j = h.await(WAIT);
    assertThat(j.state()).isEqualTo(JobState.DEAD);
    assertThat(j.deadReason()).isEqualTo(JobInfo.UNKNOWN_TASK);
    assertThat(j.error().orElseThrow().message()).contains("unknown task 'no.such.task'").contains("store.echo");
    assertThatThrownBy(() -> h.result(WAIT)).isInstanceOf(TaskFailedException.class)
        .hasMessageContaining("unknown task");
  }

  @Test
  void argumentsThatDoNotFitTheTaskAreDeadLettered() {
    JobQueue anyName = JobQueue.builder(store).clock(clock).build();
    closeables.add(anyName);
    startWorker(b -> b);
    JobInfo j = anyName.enqueue("store.square", "{\"not\":\"a number\"}").await(WAIT);
    assertThat(j.state()).isEqualTo(JobState.DEAD);
    assertThat(j.deadReason()).isEqualTo(JobInfo.BAD_ARGS);
    assertThat(j.error().orElseThrow().type()).isEqualTo(PayloadException.class.getName());
  }

  @Test
  void aQueueWithARegistryRefusesUnknownTasksAndBadArgumentsAtEnqueue() {
    JobQueue q = queue();
    assertThatThrownBy(() -> q.enqueue("no.such.task", "{}")).isInstanceOf(UnknownTaskException.class)
        .hasMessageContaining("no.such.task");
    assertThatThrownBy(() -> q.enqueue("store.square", "\"twelve\"")).isInstanceOf(PayloadException.class)
        .hasMessageContaining("store.square");
    assertThatThrownBy(() -> q.enqueue("store.echo", "{not json")).isInstanceOf(PayloadException.class);
    JobQueue small = JobQueue.builder(store).clock(clock).maxPayloadBytes(64).build();
    closeables.add(small);
    assertThatThrownBy(() -> small.enqueue(StoreContractTasks.ECHO, "x".repeat(100)))
        .isInstanceOf(PayloadException.class).hasMessageContaining("over the limit of 64 bytes");
    assertThat(inspector.listJobs(JobFilter.all())).as("nothing was stored").isEmpty();
  }

  @Test
  void workerClaimsOnlyWhenASlotIsFree() throws Exception {
    JobQueue q = queue();
    String g = gate("busy");
    JobHandle<String> blocked = q.enqueue(StoreContractTasks.BLOCK, g);
    List<JobHandle<Integer>> rest = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      rest.add(q.enqueue(StoreContractTasks.COUNT, key + i));
    }
    Worker one = startWorker(b -> b.concurrency(1).name("one-" + key));
    arrived(g);
    eventually(() -> assertThat(one.stats().claimed()).isEqualTo(1));
    assertThat(rest.get(0).state()).as("no prefetch while the only slot is busy").isEqualTo(JobState.QUEUED);
    startWorker(b -> b.concurrency(1).name("two-" + key));
    for (JobHandle<Integer> h : rest) {
      assertThat(h.result(WAIT)).isEqualTo(1);
    }
    assertThat(blocked.state()).isEqualTo(JobState.RUNNING);
    assertThat(one.stats().claimed()).isEqualTo(1);
    StoreContractTasks.release(g);
    assertThat(blocked.result(WAIT)).isEqualTo(g);
  }

  @Test
  void queueConcurrencyLimitHoldsAcrossWorkers() throws Exception {
    JobQueue q = queue();
    inspector.setQueueLimit("narrow", 1);
    JobOptions narrow = JobOptions.builder().queue("narrow").build();
    String g1 = gate("n1");
    String g2 = gate("n2");
    JobHandle<String> h1 = q.enqueue(StoreContractTasks.BLOCK, g1, narrow);
    JobHandle<String> h2 = q.enqueue(StoreContractTasks.BLOCK, g2, narrow);
    startWorker(b -> b.queues("narrow").concurrency(2).name("a-" + key));
    startWorker(b -> b.queues("narrow").concurrency(2).name("b-" + key));
    arrived(g1);
    JobHandle<Integer> probe = q.enqueue(StoreContractTasks.COUNT, key, narrow);
    assertThat(h2.state()).isEqualTo(JobState.QUEUED);
    assertThat(probe.state()).isEqualTo(JobState.QUEUED);
    StoreContractTasks.release(g1);
    arrived(g2);
    assertThat(h1.result(WAIT)).isEqualTo(g1);
    assertThat(probe.state()).isEqualTo(JobState.QUEUED);
    StoreContractTasks.release(g2);
    assertThat(probe.result(WAIT)).isEqualTo(1);
    assertThat(h2.result(WAIT)).isEqualTo(g2);
  }

  @Test
  void jobsOfADeadWorkerRunAgainOnALiveOneAndTheDeadOneIsFenced() {
    JobQueue q = queue();
    JobHandle<Integer> h = q.enqueue(StoreContractTasks.COUNT, key);
    register("crashed", Duration.ofSeconds(10));
    JobInfo zombie = claim("crashed", 1).get(0);
    List<JobEvent> events = new CopyOnWriteArrayList<>();
    startWorker(b -> b.listener(events::add).heartbeatInterval(Duration.ofSeconds(1))
        .leaseDuration(Duration.ofMinutes(1)));
    clock.advance(Duration.ofSeconds(11));
    assertThat(h.result(WAIT)).isEqualTo(1);
    JobInfo j = h.info().orElseThrow();
    assertThat(j.workerLost()).isEqualTo(1);
    assertThat(j.attempt()).isEqualTo(2);
    assertThat(store.complete(List.of(Completion.succeeded(h.id(), zombie.fence(), "crashed", "99")),
        clock.instant())).containsExactly(false);
    eventually(() -> assertThat(events).extracting(JobEvent::type).contains(JobEvent.Type.RECLAIMED));
  }

  @Test
  void gracefulShutdownFinishesQuickJobsAndHandsBackTheRestWithoutAStrike() throws Exception {
    JobQueue q = queue();
    String g = gate("slow");
    JobHandle<String> slow = q.enqueue(StoreContractTasks.BLOCK, g);
    Worker w = startWorker(b -> b.concurrency(2));
    arrived(g);
    Thread stopper = Thread.ofPlatform().start(() -> w.stop(Duration.ofMillis(200)));
    stopper.join(WAIT.toMillis());
    assertThat(stopper.isAlive()).isFalse();
    assertThat(w.isTerminated()).isTrue();
    JobInfo j = slow.info().orElseThrow();
    assertThat(j.state()).as("handed back").isEqualTo(JobState.QUEUED);
    assertThat(j.attempt()).isZero();
    assertThat(j.workerLost()).isZero();
    assertThat(w.stats().released()).isEqualTo(1);
    assertThat(inspector.workers()).extracting(WorkerRecord::id).doesNotContain(w.id());
    StoreContractTasks.release(g);
    startWorker(b -> b.name("next-" + key));
    assertThat(slow.result(WAIT)).isEqualTo(g);
  }

  @Test
  void shutdownLetsRunningJobsFinishAndStopsClaiming() throws Exception {
    JobQueue q = queue();
    String g = gate("finish");
    JobHandle<String> running = q.enqueue(StoreContractTasks.BLOCK, g);
    Worker w = startWorker(b -> b.concurrency(2));
    arrived(g);
    w.shutdown();
    JobHandle<Integer> later = q.enqueue(StoreContractTasks.COUNT, key);
    assertThat(w.awaitTermination(Duration.ofMillis(50))).isFalse();
    StoreContractTasks.release(g);
    assertThat(w.awaitTermination(WAIT)).isTrue();
    assertThat(running.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(later.state()).isEqualTo(JobState.QUEUED);
  }

  @Test
  void workerEventsFollowTheJob() {
    List<JobEvent> events = new CopyOnWriteArrayList<>();
    JobQueue q = JobQueue.builder(store).clock(clock).registry(TaskRegistry.of(StoreContractTasks.class))
        .listener(events::add).build();
    closeables.add(q);
    JobHandle<Long> h = q.enqueue(StoreContractTasks.SQUARE, 3L);
    startWorker(b -> b.listener(events::add));
    h.result(WAIT);
    eventually(() -> assertThat(events).filteredOn(e -> e.jobId().equals(h.id())).extracting(JobEvent::type)
        .containsExactly(JobEvent.Type.ENQUEUED, JobEvent.Type.STARTED, JobEvent.Type.SUCCEEDED));
  }

  @Test
  void recurringJobFiresExactlyOncePerTickWithThreeWorkers() {
    JobQueue q = queue();
    ScheduleInfo info = q.addSchedule(Schedule.every("tick-" + key, Duration.ofMinutes(1))
        .task(StoreContractTasks.COUNT, key).build());
    assertThat(info.nextFireAt()).isEqualTo(T0.plus(Duration.ofMinutes(1)));
    for (int i = 0; i < 3; i++) {
      int n = i;
      startWorker(b -> b.name("w" + n + "-" + key).concurrency(2));
    }
    int ticks = 60;
    for (int i = 1; i <= ticks; i++) {
      clock.advance(Duration.ofMinutes(1));
      int expected = i;
      eventually(() -> assertThat(StoreContractTasks.runs(key)).isEqualTo(expected));
    }
    // the task counts its run before its worker stores the outcome: wait for the last outcome
    eventually(() -> assertThat(inspector.listJobs(JobFilter.all().withLimit(1000))).hasSize(ticks)
        .allSatisfy(j -> assertThat(j.state()).isEqualTo(JobState.SUCCEEDED)));
    List<JobInfo> jobs = inspector.listJobs(JobFilter.all().withLimit(1000));
    Set<String> keys = new HashSet<>();
    jobs.forEach(j -> keys.add(j.uniqueKey()));
    assertThat(keys).hasSize(ticks);
    for (int i = 1; i <= ticks; i++) {
      assertThat(keys).contains("schedule:tick-" + key + ":" + T0.plus(Duration.ofMinutes(i)).toEpochMilli());
    }
    assertThat(StoreContractTasks.runs(key)).isEqualTo(ticks);
  }

  @Test
  void cronScheduleFiresOnItsTicksAndCanBeRemovedAtRuntime() {
    JobQueue q = queue();
    Schedule s = Schedule.cron("cron-" + key, "*/15 * * * *", ZoneOffset.UTC).task(StoreContractTasks.COUNT, key)
        .build();
    assertThat(q.addSchedule(s).nextFireAt()).isEqualTo(T0.plus(Duration.ofMinutes(15)));
    assertThat(q.addSchedule(s).version()).as("adding the same schedule again changes nothing")
        .isEqualTo(q.schedules().get(0).version());
    startWorker(b -> b);
    clock.advance(Duration.ofMinutes(14));
    clock.advance(Duration.ofMinutes(1));
    eventually(() -> assertThat(StoreContractTasks.runs(key)).isEqualTo(1));
    clock.advance(Duration.ofMinutes(15));
    eventually(() -> assertThat(StoreContractTasks.runs(key)).isEqualTo(2));
    eventually(() -> assertThat(q.schedules().get(0).nextFireAt()).isEqualTo(T0.plus(Duration.ofMinutes(45))));
    assertThat(q.removeSchedule(s.name())).isTrue();
    clock.advance(Duration.ofMinutes(15));
    JobHandle<Integer> marker = q.enqueue(StoreContractTasks.COUNT, key + "-marker");
    assertThat(marker.result(WAIT)).isEqualTo(1);
    assertThat(StoreContractTasks.runs(key)).isEqualTo(2);
  }

  @Test
  void missedTicksFollowTheMisfirePolicy() {
    JobQueue q = queue();
    q.addSchedule(Schedule.every("once-" + key, Duration.ofMinutes(1)).task(StoreContractTasks.COUNT, key + "once")
        .misfire(MisfirePolicy.FIRE_ONCE).build());
    q.addSchedule(Schedule.every("all-" + key, Duration.ofMinutes(1)).task(StoreContractTasks.COUNT, key + "all")
        .misfire(MisfirePolicy.FIRE_ALL).build());
    q.addSchedule(Schedule.every("skip-" + key, Duration.ofMinutes(1)).task(StoreContractTasks.COUNT, key + "skip")
        .misfire(MisfirePolicy.SKIP).misfireGrace(Duration.ofSeconds(30)).build());
    clock.advance(Duration.ofMinutes(10).plusSeconds(45)); // no worker ran for 10 ticks; now 45 s after the last
    startWorker(b -> b.concurrency(4));
    eventually(() -> assertThat(StoreContractTasks.runs(key + "all")).isEqualTo(10));
    eventually(() -> assertThat(StoreContractTasks.runs(key + "once")).isEqualTo(1));
    eventually(() -> assertThat(q.schedules()).allSatisfy(
        s -> assertThat(s.nextFireAt()).isEqualTo(T0.plus(Duration.ofMinutes(11)))));
    assertThat(StoreContractTasks.runs(key + "skip")).isZero();
    clock.advance(Duration.ofSeconds(15));
    eventually(() -> assertThat(StoreContractTasks.runs(key + "skip")).isEqualTo(1));
  }

  @Test
  void distributedExecutorRunsTasksThroughTheStore() throws Exception {
    try (TaskExecutor pool = Spindle.executor(ExecutionModel.DISTRIBUTED).workers(2).clock(clock)
        .registry(TaskRegistry.of(StoreContractTasks.class))
        .with(DistributedOptions.builder().store(store).build()).start()) {
      assertThat(pool.submit(StoreContractTasks.SQUARE, 9L).result(WAIT)).isEqualTo(81L);
      List<Long> out = new ArrayList<>();
      pool.map(StoreContractTasks.SQUARE, List.of(1L, 2L, 3L, 4L)).forEachRemaining(out::add);
      assertThat(out).containsExactly(1L, 4L, 9L, 16L);
      eventually(() -> assertThat(pool.stats().executed()).isEqualTo(5));
    }
    assertThat(inspector.listJobs(JobFilter.all().withState(JobState.SUCCEEDED))).hasSize(5);
  }
}
