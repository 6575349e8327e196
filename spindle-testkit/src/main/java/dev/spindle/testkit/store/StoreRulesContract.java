package dev.spindle.testkit.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.queue.DependencyPolicy;
import dev.spindle.queue.JobError;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.RetryPolicy;
import dev.spindle.queue.WorkflowInput;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.Dependency;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.RetentionLimits;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.queue.spi.WorkerRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The job rules every store applies, as one scenario table run against each store: each row sets
 * jobs up, acts on them (enqueue, claim, complete with each outcome, cancel, release, reclaim,
 * requeue, a dependency's end under each {@link DependencyPolicy}, retention) and names the state
 * every job of the row ends in ({@link #GONE} if retention deleted it). A row that a store ends
 * differently fails with the row's name and the differing jobs. Time is {@link #clock}; subclass
 * per backend, open the store on that clock in {@link #openStore()}.
 */
public abstract class StoreRulesContract {
  /** The expected "state" of a job that no longer exists. */
  public static final String GONE = "GONE";

  private static final Instant T0 = Instant.parse("2030-03-04T10:00:00Z");
  private static final Duration LEASE = Duration.ofHours(1);
  private static final Duration RESULT_TTL = Duration.ofMinutes(10);
  private static final Duration FAILURE_TTL = Duration.ofMinutes(20);
  private static final JobPolicy POLICY =
      new JobPolicy(null, RetryPolicy.defaults(), 2, RESULT_TTL, FAILURE_TTL);
  private static final RetentionLimits ROOMY = new RetentionLimits(100, 100, 1000);
  private static final String ERROR = JobError.of("x.Boom", "boom").toJson();

  /** The store's clock; the store under test must read time from it. */
  protected final ManualClock clock = new ManualClock(T0);

  /** The store under test. */
  protected StoreBackend store;

  /** Opens a new, empty store on {@link #clock}. */
  protected abstract StoreBackend openStore() throws Exception;

  /**
   * Enqueues one batch; a store whose guarantees hold per partition keeps a row's jobs on one
   * partition here.
   */
  protected List<EnqueueResult> enqueue(List<NewJob> jobs) {
    return store.enqueue(jobs);
  }

  @BeforeEach
  void open() throws Exception {
    store = openStore();
    register();
  }

  @AfterEach
  void close() {
    store.close();
  }

  private void register() {
    Instant now = clock.instant();
    store.heartbeat(new WorkerRecord("w1", "w", "host", 1, List.of(JobOptions.DEFAULT_QUEUE), 64, "THREADS",
        "RUNNING", now, now, now.plus(LEASE), 0, 0, 0, 0));
  }

  // ---------------------------------------------------------------- the table

  /** Every row of the table. */
  static Stream<Row> rows() {
    List<Row> rows = new ArrayList<>();
    // enqueue, claim, complete
    rows.add(row("enqueued job is QUEUED").enqueue("a").expect("a", "QUEUED"));
    rows.add(row("delayed job is SCHEDULED").enqueueDelayed("a", Duration.ofMinutes(5)).expect("a", "SCHEDULED"));
    rows.add(row("delayed job is promoted when due and claimed").enqueueDelayed("a", Duration.ofMinutes(5))
        .advance(Duration.ofMinutes(5)).claim("a").expect("a", "RUNNING"));
    rows.add(row("claimed job is RUNNING").enqueue("a").claim("a").expect("a", "RUNNING"));
    rows.add(row("success").enqueue("a").claim("a").complete("a", Ending.SUCCEEDED).expect("a", "SUCCEEDED"));
    rows.add(row("failure with retries left, due now").enqueue("a").claim("a").complete("a", Ending.RETRY_NOW)
        .expect("a", "QUEUED"));
    rows.add(row("failure with retries left, later").enqueue("a").claim("a").complete("a", Ending.RETRY_LATER)
        .expect("a", "SCHEDULED"));
    rows.add(row("retry runs again once its time comes").enqueue("a").claim("a").complete("a", Ending.RETRY_LATER)
        .advance(Duration.ofHours(1)).claim("a").expect("a", "RUNNING"));
    rows.add(row("failure with retries exhausted").enqueue("a").claim("a").complete("a", Ending.FAILED)
        .expect("a", "FAILED"));
    rows.add(row("dead letter").enqueue("a").claim("a").complete("a", Ending.DEAD).expect("a", "DEAD"));
    rows.add(row("cancelled while running (outcome)").enqueue("a").claim("a").complete("a", Ending.CANCELLED)
        .expect("a", "CANCELLED"));
    rows.add(row("released").enqueue("a").claim("a").complete("a", Ending.RELEASED).expect("a", "QUEUED"));
    rows.add(row("released after a cancel request").enqueue("a").claim("a").cancel("a")
        .complete("a", Ending.RELEASED).expect("a", "CANCELLED"));
    rows.add(row("success after a cancel request").enqueue("a").claim("a").cancel("a")
        .complete("a", Ending.SUCCEEDED).expect("a", "SUCCEEDED"));
    rows.add(row("completion with a stale fence is fenced off").enqueue("a").claim("a").expireLeases()
        .completeFenced("a").expect("a", "QUEUED"));
    // cancel
    rows.add(row("cancel queued").enqueue("a").cancel("a").expect("a", "CANCELLED"));
    rows.add(row("cancel scheduled").enqueueDelayed("a", Duration.ofMinutes(5)).cancel("a").expect("a", "CANCELLED"));
    rows.add(row("cancel running only requests it").enqueue("a").claim("a").cancel("a").expect("a", "RUNNING"));
    rows.add(row("cancel waiting").enqueue("p").enqueueAfter("c", "p", DependencyPolicy.REQUIRE_SUCCESS).cancel("c")
        .expect("p", "QUEUED").expect("c", "CANCELLED"));
    rows.add(row("cancel finished changes nothing").enqueue("a").claim("a").complete("a", Ending.FAILED).cancel("a")
        .expect("a", "FAILED"));
    // lost workers
    rows.add(row("reclaimed after the lease: QUEUED").enqueue("a").claim("a").expireLeases().expect("a", "QUEUED"));
    rows.add(row("reclaimed at the strike limit: DEAD").enqueue("a").claim("a").expireLeases().claim("a")
        .expireLeases().expect("a", "DEAD"));
    rows.add(row("reclaimed with a cancel request: CANCELLED").enqueue("a").claim("a").cancel("a").expireLeases()
        .expect("a", "CANCELLED"));
    // requeue
    rows.add(row("requeue failed").enqueue("a").claim("a").complete("a", Ending.FAILED).requeue("a")
        .expect("a", "QUEUED"));
    rows.add(row("requeue dead").enqueue("a").claim("a").complete("a", Ending.DEAD).requeue("a").expect("a", "QUEUED"));
    rows.add(row("requeue cancelled").enqueue("a").cancel("a").requeue("a").expect("a", "QUEUED"));
    rows.add(row("requeued parent revives the child it cancelled").enqueue("p")
        .enqueueAfter("c", "p", DependencyPolicy.REQUIRE_SUCCESS).claim("p").complete("p", Ending.FAILED)
        .requeue("p").expect("p", "QUEUED").expect("c", "WAITING"));
    // dependencies: each policy, each way the parent ends
    String[][] effects = {
      // policy, then the child's state after the parent SUCCEEDED, FAILED, DEAD, CANCELLED
      {"REQUIRE_SUCCESS", "QUEUED", "CANCELLED", "CANCELLED", "CANCELLED"},
      {"ALLOW_FAILURE", "QUEUED", "QUEUED", "QUEUED", "CANCELLED"},
      {"ALWAYS", "QUEUED", "QUEUED", "QUEUED", "QUEUED"},
      {"ON_FAILURE", "CANCELLED", "QUEUED", "QUEUED", "QUEUED"},
    };
    Ending[] ends = {Ending.SUCCEEDED, Ending.FAILED, Ending.DEAD, Ending.CANCELLED};
    for (String[] e : effects) {
      DependencyPolicy p = DependencyPolicy.valueOf(e[0]);
      rows.add(row(p + ": child of a waiting parent waits").enqueue("p").enqueueAfter("c", "p", p)
          .expect("p", "QUEUED").expect("c", "WAITING"));
      for (int i = 0; i < ends.length; i++) {
        rows.add(row(p + ": parent " + ends[i]).enqueue("p").enqueueAfter("c", "p", p).claim("p")
            .complete("p", ends[i]).expect("p", ends[i].state).expect("c", e[i + 1]));
      }
      rows.add(row(p + ": parent cancelled while queued").enqueue("p").enqueueAfter("c", "p", p).cancel("p")
          .expect("p", "CANCELLED").expect("c", e[4]));
    }
    rows.add(row("a cancelled child cancels its own child").enqueue("p")
        .enqueueAfter("c", "p", DependencyPolicy.REQUIRE_SUCCESS).enqueueAfter("g", "c", DependencyPolicy.REQUIRE_SUCCESS)
        .claim("p").complete("p", Ending.FAILED).expect("p", "FAILED").expect("c", "CANCELLED").expect("g", "CANCELLED"));
    rows.add(row("released child waits for its own run time").enqueue("p")
        .enqueueAfterDelayed("c", "p", Duration.ofMinutes(30)).claim("p").complete("p", Ending.SUCCEEDED)
        .expect("c", "SCHEDULED"));
    // retention: which time to live and which limit each end is kept under
    rows.add(row("retention: nothing due").finish("a", Ending.SUCCEEDED).purge(ROOMY).expect("a", "SUCCEEDED"));
    for (Ending end : ends) {
      boolean failure = end == Ending.FAILED || end == Ending.DEAD;
      rows.add(row("retention: " + end + " after the result TTL").finish("a", end).advance(RESULT_TTL).purge(ROOMY)
          .expect("a", failure ? end.state : GONE));
      rows.add(row("retention: " + end + " after the failure TTL").finish("a", end).advance(FAILURE_TTL)
          .purge(ROOMY).expect("a", GONE));
    }
    rows.add(row("retention: the succeeded limit counts SUCCEEDED and CANCELLED").finish("a", Ending.SUCCEEDED)
        .finish("b", Ending.CANCELLED).finish("c", Ending.FAILED).finish("d", Ending.DEAD)
        .purge(new RetentionLimits(1, 100, 1000))
        .expect("a", GONE).expect("b", "CANCELLED").expect("c", "FAILED").expect("d", "DEAD"));
    rows.add(row("retention: the failed limit counts FAILED and DEAD").finish("a", Ending.FAILED)
        .finish("b", Ending.DEAD).finish("c", Ending.SUCCEEDED).finish("d", Ending.CANCELLED)
        .purge(new RetentionLimits(100, 1, 1000))
        .expect("a", GONE).expect("b", "DEAD").expect("c", "SUCCEEDED").expect("d", "CANCELLED"));
    rows.add(row("retention: the batch bounds one purge").finish("a", Ending.SUCCEEDED).finish("b", Ending.SUCCEEDED)
        .advance(RESULT_TTL).purge(new RetentionLimits(100, 100, 1)).expect("a", GONE).expect("b", "SUCCEEDED"));
    rows.add(row("retention: running and waiting jobs are never purged").enqueue("a").claim("a").enqueue("b")
        .enqueueDelayed("c", Duration.ofDays(1)).advance(FAILURE_TTL).purge(new RetentionLimits(0, 0, 1000))
        .expect("a", "RUNNING").expect("b", "QUEUED").expect("c", "SCHEDULED"));
    rows.add(row("retention: keeps an expired dependency a waiting job still needs").enqueue("p").enqueue("q")
        .enqueueAfterBoth("c", "p", "q").claim("p").complete("p", Ending.SUCCEEDED).advance(FAILURE_TTL)
        .purge(new RetentionLimits(0, 0, 1000)).expect("p", "SUCCEEDED").expect("q", "RUNNING").expect("c", "WAITING"));
    rows.add(row("retention: the dependency goes once its dependent is released").enqueue("p").enqueue("q")
        .enqueueAfterBoth("c", "p", "q").claim("p").complete("p", Ending.SUCCEEDED)
        .complete("q", Ending.SUCCEEDED).advance(FAILURE_TTL).purge(ROOMY)
        .expect("p", GONE).expect("q", GONE).expect("c", "QUEUED"));
    return rows.stream();
  }

  // ---------------------------------------------------------------- running a row

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void theStoreEndsEachRowAsTheTableSays(Row row) {
    Run run = new Run();
    for (Consumer<Run> step : row.steps) {
      step.accept(run);
    }
    Map<String, String> actual = new LinkedHashMap<>();
    for (String label : row.expected.keySet()) {
      actual.put(label, store.find(run.id(label)).map(j -> j.state().name()).orElse(GONE));
    }
    assertThat(actual).as("row \"%s\": the states its jobs end in", row.name).isEqualTo(row.expected);
  }

  /** One row's jobs by label, and the fence of each one's latest claim. */
  final class Run {
    final Map<String, String> ids = new HashMap<>();
    final Map<String, Long> fences = new HashMap<>();

    String id(String label) {
      return Objects.requireNonNull(ids.get(label), () -> "no job labelled " + label + " in this row");
    }

    void add(String label, NewJob job) {
      ids.put(label, enqueue(List.of(job)).get(0).jobId());
    }

    void claim(String label) {
      List<JobInfo> got = store.claim(new ClaimRequest("w1", List.of(JobOptions.DEFAULT_QUEUE), 64,
          clock.instant())).jobs();
      for (JobInfo j : got) {
        fences.put(j.id(), j.fence());
      }
      assertThat(got).as("claim of %s", label).extracting(JobInfo::id).contains(id(label));
    }

    boolean complete(String label, Ending end) {
      String id = id(label);
      long fence = Objects.requireNonNull(fences.get(id), () -> label + " was not claimed");
      Instant now = clock.instant();
      Completion c = switch (end) {
        case SUCCEEDED -> Completion.succeeded(id, fence, "w1", "1");
        case RETRY_NOW -> Completion.retry(id, fence, "w1", ERROR, now);
        case RETRY_LATER -> Completion.retry(id, fence, "w1", ERROR, now.plus(Duration.ofHours(1)));
        case FAILED -> Completion.failed(id, fence, "w1", ERROR);
        case DEAD -> Completion.dead(id, fence, "w1", JobInfo.BAD_ARGS, ERROR);
        case CANCELLED -> Completion.cancelled(id, fence, "w1");
        case RELEASED -> Completion.released(id, fence, "w1");
      };
      return store.complete(List.of(c), now).get(0);
    }

    Instant clock() {
      return clock.instant();
    }

    void advance(Duration d) {
      clock.advance(d);
    }

    void cancelJob(String label) {
      store.cancel(id(label), clock.instant());
    }

    void requeueJob(String label) {
      store.inspector().requeue(id(label), clock.instant());
    }

    void expireLeases() {
      clock.advance(LEASE.plusSeconds(1));
      store.reclaimExpired(clock.instant(), 100);
      register();
    }

    void purge(RetentionLimits limits) {
      store.purgeExpired(clock.instant(), limits);
    }
  }

  /** How a row ends a claimed job. */
  enum Ending {
    SUCCEEDED("SUCCEEDED"),
    RETRY_NOW("QUEUED"),
    RETRY_LATER("SCHEDULED"),
    FAILED("FAILED"),
    DEAD("DEAD"),
    CANCELLED("CANCELLED"),
    RELEASED("QUEUED");

    final String state;

    Ending(String state) {
      this.state = state;
    }
  }

  private static Row row(String name) {
    return new Row(name);
  }

  private static NewJob job(Instant now, Duration delay) {
    return new NewJob("rules.x", "1", JobOptions.DEFAULT_QUEUE, 0, now.plus(delay), null, POLICY, now);
  }

  /** A row of the table: a name, its steps and the state each of its jobs ends in. */
  static final class Row {
    final String name;
    final List<Consumer<Run>> steps = new ArrayList<>();
    final Map<String, String> expected = new LinkedHashMap<>();

    Row(String name) {
      this.name = name;
    }

    private Row step(Consumer<Run> s) {
      steps.add(s);
      return this;
    }

    Row enqueue(String label) {
      return enqueueDelayed(label, Duration.ZERO);
    }

    Row enqueueDelayed(String label, Duration delay) {
      return step(r -> r.add(label, job(r.clock(), delay)));
    }

    Row enqueueAfter(String label, String parent, DependencyPolicy policy) {
      return step(r -> r.add(label, job(r.clock(), Duration.ZERO)
          .dependingOn(List.of(Dependency.onJob(r.id(parent), policy)), WorkflowInput.ARGS)));
    }

    Row enqueueAfterDelayed(String label, String parent, Duration delay) {
      return step(r -> r.add(label, job(r.clock(), delay)
          .dependingOn(List.of(Dependency.onJob(r.id(parent), DependencyPolicy.REQUIRE_SUCCESS)), WorkflowInput.ARGS)));
    }

    Row enqueueAfterBoth(String label, String first, String second) {
      return step(r -> r.add(label, job(r.clock(), Duration.ZERO).dependingOn(List.of(
          Dependency.onJob(r.id(first), DependencyPolicy.REQUIRE_SUCCESS),
          Dependency.onJob(r.id(second), DependencyPolicy.REQUIRE_SUCCESS)), WorkflowInput.ARGS)));
    }

    /** Claims every ready job (at most 64), {@code label} among them. */
    Row claim(String label) {
      return step(r -> r.claim(label));
    }

    Row complete(String label, Ending end) {
      return step(r -> assertThat(r.complete(label, end)).as("%s applies to %s", end, label).isTrue());
    }

    /** A completion of {@code label} under its old fence, after it was reclaimed: not applied. */
    Row completeFenced(String label) {
      return step(r -> assertThat(r.complete(label, Ending.SUCCEEDED)).as("stale completion of %s", label).isFalse());
    }

    /** Enqueues, claims and ends {@code label} {@code end}, a second later than the row's last step. */
    Row finish(String label, Ending end) {
      Row r = end == Ending.CANCELLED ? enqueue(label).cancel(label) : enqueue(label).claim(label).complete(label, end);
      return r.advance(Duration.ofSeconds(1));
    }

    Row cancel(String label) {
      return step(r -> r.cancelJob(label));
    }

    Row requeue(String label) {
      return step(r -> r.requeueJob(label));
    }

    Row advance(Duration d) {
      return step(r -> r.advance(d));
    }

    /** Lets the worker's lease run out and reclaims its jobs, then registers it again. */
    Row expireLeases() {
      return step(Run::expireLeases);
    }

    Row purge(RetentionLimits limits) {
      return step(r -> r.purge(limits));
    }

    Row expect(String label, String state) {
      expected.put(label, state);
      return this;
    }

    @Override
    public String toString() {
      return name;
    }
  }
}
