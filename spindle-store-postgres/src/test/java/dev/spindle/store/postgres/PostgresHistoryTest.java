package dev.spindle.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.spindle.TaskFuture;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.DependencyPolicy;
import dev.spindle.queue.JobError;
import dev.spindle.queue.JobHandle;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobNotFoundException;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobState;
import dev.spindle.queue.Worker;
import dev.spindle.queue.WorkflowInput;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.Dependency;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.RetentionLimits;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.testkit.postgres.PostgresServer;
import dev.spindle.testkit.store.ManualClock;
import dev.spindle.testkit.store.StoreContractTasks;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The history of finished jobs: retention moves them out of the hot table into {@code
 * spindle_history} (partitioned by expiry day), every read still finds them, an operator's
 * requeue brings one back, and a day of expired jobs goes as one dropped partition.
 */
class PostgresHistoryTest {
  private static final Instant T0 = Instant.parse("2030-01-07T10:00:00Z");
  private final ManualClock clock = new ManualClock(T0);

  private NewJob job(String arg, JobOptions o) {
    Instant now = clock.instant();
    return new NewJob("store.echo", "\"" + arg + "\"", o.queue(), o.priority(), o.effectiveRunAt(now),
        o.uniqueKey(), o.policy(), now);
  }

  private List<String> runToSuccess(PostgresJobStore store, int n, JobOptions o) {
    Instant now = clock.instant();
    store.heartbeat(new WorkerRecord("w1", "w", "host", 1, List.of("default"), 1, "THREADS", "RUNNING", now, now,
        now.plus(Duration.ofDays(30)), 0, 0, 0, 0));
    List<NewJob> jobs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      jobs.add(job("j" + i, o));
    }
    return enqueueAndSucceed(store, jobs, clock.instant());
  }

  /** Enqueues {@code jobs}, claims them all as worker w1 and completes each with result 1; their ids. */
  static List<String> enqueueAndSucceed(PostgresJobStore store, List<NewJob> jobs, Instant now) {
    List<String> ids = store.enqueue(jobs).stream().map(r -> r.jobId()).toList();
    List<JobInfo> claimed = store.claim(new ClaimRequest("w1", List.of("default"), jobs.size(), now)).jobs();
    assertThat(claimed).hasSize(jobs.size());
    store.complete(claimed.stream().map(c -> Completion.succeeded(c.id(), c.fence(), "w1", "1")).toList(), now);
    return ids;
  }

  private static long count(PostgresJobStore store, String table) {
    String out = PostgresServer.shared().psql("SELECT count(*) FROM " + store.schema() + "." + table).strip();
    return Long.parseLong(out);
  }

  private static long partitions(PostgresJobStore store) {
    return Long.parseLong(PostgresServer.shared().psql("SELECT count(*) FROM pg_inherits WHERE inhparent = '"
        + store.schema() + ".spindle_history'::regclass").strip());
  }

  @Test
  void finishedJobsMoveToTheHistoryAndStayVisible() {
    try (PostgresJobStore store = SharedPostgres.builder("history").clock(clock)
        .archiveAfter(Duration.ofMinutes(1)).open()) {
      JobOptions keyed = JobOptions.builder().uniqueKey("only-once").build();
      List<String> ids = runToSuccess(store, 20, JobOptions.defaults());
      String unique = store.enqueue(List.of(job("u", keyed))).get(0).jobId();
      List<JobInfo> c = store.claim(new ClaimRequest("w1", List.of("default"), 1, clock.instant())).jobs();
      store.complete(List.of(Completion.succeeded(c.get(0).id(), c.get(0).fence(), "w1", "2")), clock.instant());
      String failed = store.enqueue(List.of(job("f", JobOptions.defaults()))).get(0).jobId();
      c = store.claim(new ClaimRequest("w1", List.of("default"), 1, clock.instant())).jobs();
      store.complete(List.of(Completion.failed(c.get(0).id(), c.get(0).fence(), "w1",
          JobError.of("x.Boom", "boom").toJson())), clock.instant());

      assertThat(store.purgeExpired(clock.instant(), RetentionLimits.defaults())).isZero();
      assertThat(count(store, "spindle_history")).as("not archived before the delay").isZero();

      clock.advance(Duration.ofMinutes(2));
      assertThat(store.purgeExpired(clock.instant(), RetentionLimits.defaults())).as("moved, not deleted").isZero();
      assertThat(count(store, "spindle_jobs")).as("the hot table is empty").isZero();
      assertThat(count(store, "spindle_history")).isEqualTo(22);
      assertThat(partitions(store)).as("forever, the successes' expiry day, the failure's").isEqualTo(3);

      assertThat(store.find(ids.get(3))).hasValueSatisfying(j -> assertThat(j.state()).isEqualTo(JobState.SUCCEEDED));
      assertThat(store.inspector().listJobs(JobFilter.all().withState(JobState.SUCCEEDED))).hasSize(21);
      assertThat(store.inspector().queueSummaries()).singleElement().satisfies(q -> {
        assertThat(q.count(JobState.SUCCEEDED)).as("counted in the history").isEqualTo(21);
        assertThat(q.count(JobState.FAILED)).isEqualTo(1);
      });
      assertThat(store.finishedAfter(0, 100).jobs()).hasSize(22);
      assertThat(store.enqueue(List.of(job("u2", keyed))).get(0)).satisfies(r -> {
        assertThat(r.created()).as("a unique key in the history still counts").isFalse();
        assertThat(r.jobId()).isEqualTo(unique);
      });

      JobInfo again = store.inspector().requeue(failed, clock.instant());
      assertThat(again.state()).isEqualTo(JobState.QUEUED);
      assertThat(count(store, "spindle_jobs")).as("requeue brings it back to the hot table").isEqualTo(1);
      assertThat(count(store, "spindle_history")).isEqualTo(21);
      assertThat(store.control().deleteJob(ids.get(1))).isEqualTo(dev.spindle.queue.spi.QueueControl.DeleteResult.DELETED);
      assertThat(store.find(ids.get(1))).isEmpty();
    }
  }

  @Test
  void byDefaultSuccessesMoveToTheHistoryInTheirCompletingStatementAndStayVisible() {
    try (PostgresJobStore store = SharedPostgres.builder("historydirect").clock(clock).open()) {
      List<String> ids = runToSuccess(store, 12, JobOptions.defaults());
      assertThat(count(store, "spindle_jobs")).as("no finished row version in the hot table").isZero();
      assertThat(count(store, "spindle_history")).isEqualTo(12);
      assertThat(store.find(ids.get(4))).hasValueSatisfying(j -> {
        assertThat(j.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(j.resultJson()).isEqualTo("1");
        assertThat(j.finishedAt()).isEqualTo(clock.instant());
        assertThat(j.expiresAt()).isEqualTo(clock.instant().plus(JobOptions.defaults().policy().resultTtl()));
        assertThat(j.finishSeq()).isPositive();
        assertThat(j.workerId()).isEqualTo("w1");
        assertThat(j.attempt()).isEqualTo(1);
      });
      assertThat(store.finishedAfter(0, 100).jobs()).extracting(JobInfo::id).containsExactlyInAnyOrderElementsOf(ids);
      assertThat(store.inspector().queueSummaries()).singleElement()
          .satisfies(q -> assertThat(q.count(JobState.SUCCEEDED)).as("counted in the history").isEqualTo(12));
      assertThat(PostgresServer.shared().psql("SELECT count(DISTINCT shard) > 0 AND sum(n) = 12 FROM "
          + store.schema() + ".spindle_history_counts WHERE state = 3").strip()).isEqualTo("t");
      // a completion sent again after a commit that was cut off finds its own earlier success there
      JobInfo j = store.find(ids.get(0)).orElseThrow();
      assertThat(store.complete(List.of(Completion.succeeded(j.id(), j.fence(), "w1", "1")), clock.instant()))
          .containsExactly(true);
      assertThat(store.purgeExpired(clock.instant(), RetentionLimits.defaults())).isZero();
      assertThat(count(store, "spindle_history")).isEqualTo(12);
    }
  }

  @Test
  void successesWithoutAKnownDayOrInAWorkflowFinishInTheHotTable() {
    try (PostgresJobStore store = SharedPostgres.builder("historykept").clock(clock).open()) {
      Instant now = clock.instant();
      store.heartbeat(new WorkerRecord("w1", "w", "host", 1, List.of("default"), 1, "THREADS", "RUNNING", now, now,
          now.plus(Duration.ofDays(30)), 0, 0, 0, 0));
      NewJob dependent = job("child", JobOptions.defaults()).dependingOn(
          List.of(Dependency.onBatchJob(0, DependencyPolicy.REQUIRE_SUCCESS)), WorkflowInput.ARGS);
      String parent = store.enqueue(List.of(job("parent", JobOptions.defaults()), dependent)).get(0).jobId();
      JobInfo p = store.claim(new ClaimRequest("w1", List.of("default"), 1, clock.instant())).jobs().get(0);
      assertThat(p.id()).isEqualTo(parent);
      store.complete(List.of(Completion.succeeded(parent, p.fence(), "w1", "1")), clock.instant());
      JobInfo d = store.claim(new ClaimRequest("w1", List.of("default"), 1, clock.instant())).jobs().get(0);
      assertThat(d.id()).as("the dependent, now ready").isNotEqualTo(parent);
      store.complete(List.of(Completion.succeeded(d.id(), d.fence(), "w1", "2")), clock.instant());
      assertThat(count(store, "spindle_jobs")).as("the workflow's parent and its dependent").isEqualTo(2);
      assertThat(store.find(d.id())).hasValueSatisfying(j -> assertThat(j.state()).isEqualTo(JobState.SUCCEEDED));
      assertThat(store.find(parent)).hasValueSatisfying(j -> assertThat(j.state()).isEqualTo(JobState.SUCCEEDED));

      // a week-long retention: its expiry day has no partition until a completion asks for it
      JobOptions week = JobOptions.builder().retention(Duration.ofDays(7), Duration.ofDays(7)).build();
      long partitionsBefore = partitions(store);
      String first = runToSuccess(store, 1, week).get(0);
      assertThat(PostgresServer.shared().psql("SELECT count(*) FROM " + store.schema() + ".spindle_jobs WHERE id = "
          + first).strip()).as("its day was not known: finished in the hot table").isEqualTo("1");
      assertThat(partitions(store)).as("the completion made the days its policies need").isGreaterThan(partitionsBefore);
      String second = runToSuccess(store, 1, week).get(0);
      assertThat(PostgresServer.shared().psql("SELECT count(*) FROM " + store.schema() + ".spindle_history WHERE id = "
          + second).strip()).as("the next one moved").isEqualTo("1");
      assertThat(store.find(first)).hasValueSatisfying(j -> assertThat(j.state()).isEqualTo(JobState.SUCCEEDED));
    }
  }

  @Test
  void workflowJobsKeptInTheHotTableDoNotStopTheArchiveOfTheJobsAfterThem() {
    try (PostgresJobStore store = SharedPostgres.builder("historyflow").clock(clock)
        .archiveAfter(Duration.ofMinutes(1)).open()) {
      JobOptions hour = JobOptions.builder().retention(Duration.ofHours(1), Duration.ofHours(1)).build();
      JobOptions week = JobOptions.builder().retention(Duration.ofDays(7), Duration.ofDays(7)).build();
      // a job and its dependent, finished first: their edge keeps both in the hot table
      NewJob dependent = job("child", hour).dependingOn(
          List.of(Dependency.onBatchJob(0, DependencyPolicy.REQUIRE_SUCCESS)), WorkflowInput.ARGS);
      List<String> flow = store.enqueue(List.of(job("parent", hour), dependent)).stream()
          .map(r -> r.jobId()).toList();
      Instant now = clock.instant();
      store.heartbeat(new WorkerRecord("w1", "w", "host", 1, List.of("default"), 1, "THREADS", "RUNNING", now, now,
          now.plus(Duration.ofDays(30)), 0, 0, 0, 0));
      for (String id : flow) {
        List<JobInfo> c = store.claim(new ClaimRequest("w1", List.of("default"), 1, clock.instant())).jobs();
        assertThat(c).singleElement().satisfies(j -> assertThat(j.id()).isEqualTo(id));
        store.complete(List.of(Completion.succeeded(id, c.get(0).fence(), "w1", "1")), clock.instant());
      }
      // then a job kept for a week: its expiry day has no partition yet
      clock.advance(Duration.ofMinutes(1));
      String later = runToSuccess(store, 1, week).get(0);
      clock.advance(Duration.ofMinutes(2));

      assertThat(store.archiveFinished(2)).as("the later job moves, the workflow's stay").isEqualTo(1);
      assertThat(count(store, "spindle_history")).isEqualTo(1);
      assertThat(count(store, "spindle_jobs")).isEqualTo(2);
      assertThat(store.find(later)).hasValueSatisfying(j -> assertThat(j.state()).isEqualTo(JobState.SUCCEEDED));
      assertThat(flow).allSatisfy(id -> assertThat(store.find(id)).as(id).isPresent());
    }
  }

  @Test
  void aSuccessWhosePolicyKeepsNoneIsDeletedInItsCompletingStatementUnlessAWorkflowNeedsIt() {
    try (PostgresJobStore store = SharedPostgres.builder("keepnone").clock(clock).open()) {
      JobOptions none = JobOptions.builder().retention(Duration.ZERO, Duration.ofDays(7)).build();
      long cursor = store.finishCursor();
      List<String> gone = runToSuccess(store, 4, none);
      assertThat(count(store, "spindle_jobs")).as("deleted as it succeeded").isZero();
      assertThat(count(store, "spindle_history")).isZero();
      assertThat(gone).allSatisfy(id -> assertThat(store.find(id)).as(id).isEmpty());
      assertThat(store.finishedAfter(cursor, 10).jobs()).as("no finish number, nothing in the feed").isEmpty();
      assertThat(store.statistics().orElseThrow().minutes(clock.instant().minusSeconds(60), clock.instant().plusSeconds(60)))
          .as("still counted").extracting(m -> m.succeeded()).containsExactly(4L);

      // kept and not kept in one completion call; a completion fenced off deletes nothing
      List<String> mixed = store.enqueue(List.of(job("kept", JobOptions.defaults()), job("not", none))).stream()
          .map(r -> r.jobId()).toList();
      List<JobInfo> c = store.claim(new ClaimRequest("w1", List.of("default"), 2, clock.instant())).jobs();
      assertThat(store.complete(List.of(Completion.succeeded(mixed.get(1), c.get(1).fence() + 1, "w1", "1")),
          clock.instant())).containsExactly(false);
      assertThat(store.find(mixed.get(1))).hasValueSatisfying(j -> assertThat(j.state()).isEqualTo(JobState.RUNNING));
      assertThat(store.complete(c.stream().map(j -> Completion.succeeded(j.id(), j.fence(), "w1", "2")).toList(),
          clock.instant())).containsExactly(true, true);
      assertThat(store.find(mixed.get(0))).hasValueSatisfying(j -> assertThat(j.resultJson()).isEqualTo("2"));
      assertThat(store.find(mixed.get(1))).isEmpty();

      // a failure is kept for its failure TTL
      String failing = store.enqueue(List.of(job("f", none))).get(0).jobId();
      JobInfo f = store.claim(new ClaimRequest("w1", List.of("default"), 1, clock.instant())).jobs().get(0);
      store.complete(List.of(Completion.failed(failing, f.fence(), "w1", JobError.of("x.Boom", "boom").toJson())),
          clock.instant());
      assertThat(store.find(failing)).hasValueSatisfying(j -> assertThat(j.state()).isEqualTo(JobState.FAILED));

      // a workflow's parent stays until retention: its dependent reads its result
      NewJob dependent = job("child", none).dependingOn(
          List.of(Dependency.onBatchJob(0, DependencyPolicy.REQUIRE_SUCCESS)), WorkflowInput.RESULTS);
      String parent = store.enqueue(List.of(job("parent", none), dependent)).get(0).jobId();
      JobInfo p = store.claim(new ClaimRequest("w1", List.of("default"), 1, clock.instant())).jobs().get(0);
      assertThat(p.id()).isEqualTo(parent);
      store.complete(List.of(Completion.succeeded(parent, p.fence(), "w1", "\"r\"")), clock.instant());
      assertThat(store.find(parent)).hasValueSatisfying(j -> assertThat(j.state()).isEqualTo(JobState.SUCCEEDED));
      JobInfo d = store.claim(new ClaimRequest("w1", List.of("default"), 1, clock.instant())).jobs().get(0);
      assertThat(d.argsJson()).as("the parent's result").isEqualTo("[\"r\"]");
      store.complete(List.of(Completion.succeeded(d.id(), d.fence(), "w1", "3")), clock.instant());
      clock.advance(Duration.ofSeconds(1));
      store.purgeExpired(clock.instant(), RetentionLimits.defaults());
      assertThat(store.find(parent)).as("gone at the next retention pass").isEmpty();
      assertThat(store.find(d.id())).isEmpty();
    }
  }

  @Test
  void waitingForASuccessThatIsNotKeptEndsWithJobNotFound() throws Exception {
    try (PostgresJobStore store = SharedPostgres.builder("keepnonewait").open();
         JobQueue q = JobQueue.builder(store).build()) {
      JobHandle<Long> h = q.enqueue(StoreContractTasks.SQUARE, 7L,
          JobOptions.builder().retention(Duration.ZERO, Duration.ofDays(7)).build());
      TaskFuture<Long> f = h.future(); // watched before it runs: its end is not in the finished feed
      try (Worker w = Worker.builder(store).registry(TaskRegistry.of(StoreContractTasks.class)).concurrency(1)
          .pollInterval(Duration.ofMillis(50)).start()) {
        assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(JobNotFoundException.class);
        // the worker counts the success once its completion call returns, which may be after the
        // watcher saw the job gone
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(w.stats().succeeded()).isEqualTo(1));
      }
    }
  }

  @Test
  void anExpiredJobStaysWhileADependentStillWaitsForItsResult() {
    try (PostgresJobStore store = SharedPostgres.builder("historywait").clock(clock)
        .archiveAfter(Duration.ofMinutes(1)).open()) {
      JobOptions hour = JobOptions.builder().retention(Duration.ofHours(1), Duration.ofHours(1)).build();
      NewJob dependent = job("both", JobOptions.defaults()).dependingOn(List.of(
          Dependency.onBatchJob(0, DependencyPolicy.REQUIRE_SUCCESS),
          Dependency.onBatchJob(1, DependencyPolicy.REQUIRE_SUCCESS)), WorkflowInput.RESULTS);
      List<String> ids = store.enqueue(List.of(job("quick", hour), job("slow", JobOptions.defaults()), dependent))
          .stream().map(r -> r.jobId()).toList();
      Instant now = clock.instant();
      store.heartbeat(new WorkerRecord("w1", "w", "host", 1, List.of("default"), 1, "THREADS", "RUNNING", now, now,
          now.plus(Duration.ofDays(30)), 0, 0, 0, 0));
      List<JobInfo> running = store.claim(new ClaimRequest("w1", List.of("default"), 2, now)).jobs();
      assertThat(running).extracting(JobInfo::id).containsExactly(ids.get(0), ids.get(1));
      store.complete(List.of(Completion.succeeded(ids.get(0), running.get(0).fence(), "w1", "\"p\"")), now);

      // the quick job's result expires while the dependent still waits for the slow one
      clock.advance(Duration.ofHours(2));
      store.purgeExpired(clock.instant(), RetentionLimits.defaults());
      store.complete(List.of(Completion.succeeded(ids.get(1), running.get(1).fence(), "w1", "\"q\"")),
          clock.instant());

      assertThat(store.find(ids.get(2))).hasValueSatisfying(j -> {
        assertThat(j.state()).isEqualTo(JobState.QUEUED);
        assertThat(j.argsJson()).as("both results are its input").isEqualTo("[\"p\",\"q\"]");
      });
    }
  }

  @Test
  void aDayOfExpiredJobsIsDroppedAsOnePartition() {
    try (PostgresJobStore store = SharedPostgres.builder("historydrop").clock(clock)
        .archiveAfter(Duration.ofMinutes(1)).open()) {
      JobOptions hour = JobOptions.builder().retention(Duration.ofHours(1), Duration.ofHours(1)).build();
      JobOptions week = JobOptions.builder().retention(Duration.ofDays(7), Duration.ofDays(7)).build();
      List<String> shortLived = runToSuccess(store, 30, hour);
      List<String> longLived = runToSuccess(store, 5, week);
      clock.advance(Duration.ofMinutes(2));
      assertThat(store.archiveFinished(1000)).isEqualTo(35);
      assertThat(partitions(store)).as("forever, today's and next week's").isEqualTo(3);

      clock.advance(Duration.ofDays(1));
      RetentionLimits big = new RetentionLimits(1_000_000, 1_000_000, 10);
      assertThat(store.purgeExpired(clock.instant(), big)).as("a whole partition, past the batch of 10").isEqualTo(30);
      assertThat(partitions(store)).isEqualTo(2);
      assertThat(store.inspector().queueSummaries()).singleElement()
          .satisfies(q -> assertThat(q.count(JobState.SUCCEEDED)).as("the dropped day's jobs are no longer counted")
              .isEqualTo(5));
      assertThat(shortLived).allSatisfy(id -> assertThat(store.find(id)).isEmpty());
      assertThat(longLived).allSatisfy(id -> assertThat(store.find(id)).isPresent());
    }
  }

  @Test
  void aRetentionLimitDeletesTheOldestABatchPerCallAndThenTheJobsThatFinishedMeanwhile() {
    try (PostgresJobStore store = SharedPostgres.builder("limit").clock(clock).archiveAfter(null).open()) {
      List<String> first = runToSuccess(store, 30, JobOptions.defaults());
      RetentionLimits tenByFour = new RetentionLimits(10, 100, 4);
      // 20 beyond the limit: 4 per call, oldest first
      for (int call = 0; call < 5; call++) {
        assertThat(store.purgeExpired(clock.instant(), tenByFour)).as("call " + call).isEqualTo(4);
        assertThat(store.find(first.get(4 * call + 3))).isEmpty();
        assertThat(store.find(first.get(4 * call + 4))).isPresent();
      }
      // 5 more finish: the 5 oldest of the kept 10 are now beyond the limit, and go next
      List<String> second = runToSuccess(store, 5, JobOptions.defaults());
      assertThat(store.purgeExpired(clock.instant(), tenByFour)).isEqualTo(4);
      assertThat(store.purgeExpired(clock.instant(), tenByFour)).isEqualTo(1);
      assertThat(store.purgeExpired(clock.instant(), tenByFour)).isZero();
      List<String> kept = new ArrayList<>(first.subList(25, 30));
      kept.addAll(second);
      assertThat(kept).allSatisfy(id -> assertThat(store.find(id)).as(id).isPresent());
      assertThat(first.subList(0, 25)).allSatisfy(id -> assertThat(store.find(id)).as(id).isEmpty());
      assertThat(count(store, "spindle_jobs")).isEqualTo(10);
    }
  }
  @Test
  void aJobTheLimitPassedByWhileADependentWaitedForItGoesWhenDeletionsStartFromTheOldestAgain() {
    try (PostgresJobStore store = SharedPostgres.builder("limitpassed").clock(clock).archiveAfter(null).open()) {
      NewJob dependent = job("both", JobOptions.defaults()).dependingOn(List.of(
          Dependency.onBatchJob(0, DependencyPolicy.REQUIRE_SUCCESS),
          Dependency.onBatchJob(1, DependencyPolicy.REQUIRE_SUCCESS)), WorkflowInput.RESULTS);
      List<String> ids = store.enqueue(List.of(job("quick", JobOptions.defaults()), job("slow", JobOptions.defaults()),
          dependent)).stream().map(r -> r.jobId()).toList();
      Instant now = clock.instant();
      store.heartbeat(new WorkerRecord("w1", "w", "host", 1, List.of("default"), 1, "THREADS", "RUNNING", now, now,
          now.plus(Duration.ofDays(30)), 0, 0, 0, 0));
      List<JobInfo> parents = store.claim(new ClaimRequest("w1", List.of("default"), 2, now)).jobs();
      store.complete(List.of(Completion.succeeded(ids.get(0), parents.get(0).fence(), "w1", "\"p\"")), now);
      List<String> later = runToSuccess(store, 3, JobOptions.defaults());
      RetentionLimits keepOne = new RetentionLimits(1, 100, 10);

      assertThat(store.purgeExpired(clock.instant(), keepOne)).as("the quick job is awaited: kept").isEqualTo(2);
      store.complete(List.of(Completion.succeeded(ids.get(1), parents.get(1).fence(), "w1", "\"q\"")),
          clock.instant());
      assertThat(store.find(ids.get(2))).hasValueSatisfying(j -> assertThat(j.state()).isEqualTo(JobState.QUEUED));
      assertThat(store.purgeExpired(clock.instant(), keepOne)).as("from where the last deletion ended").isEqualTo(1);
      assertThat(store.find(later.get(2))).isEmpty();
      assertThat(store.find(ids.get(0))).as("passed by, no longer awaited").isPresent();

      clock.advance(Duration.ofMinutes(10));
      assertThat(store.purgeExpired(clock.instant(), keepOne)).as("from the oldest again").isEqualTo(1);
      assertThat(store.find(ids.get(0))).isEmpty();
      assertThat(store.find(ids.get(1))).as("the newest success").isPresent();
    }
  }

  @Test
  void jobsBeyondALimitAreDeletedBeforeAnyIsArchived() {
    try (PostgresJobStore store = SharedPostgres.builder("limitfirst").clock(clock)
        .archiveAfter(Duration.ofMinutes(1)).open()) {
      List<String> ids = runToSuccess(store, 30, JobOptions.defaults());
      clock.advance(Duration.ofMinutes(2)); // all 30 are old enough to archive
      RetentionLimits tenByFour = new RetentionLimits(10, 100, 4);
      // 20 beyond the limit, 4 per call: while a call deletes a full batch, nothing is archived
      for (int call = 0; call < 5; call++) {
        assertThat(store.purgeExpired(clock.instant(), tenByFour)).as("call " + call).isEqualTo(4);
        assertThat(count(store, "spindle_history")).as("archived after call " + call).isZero();
      }
      // none left beyond the limit: this call archives the 10 kept ones
      assertThat(store.purgeExpired(clock.instant(), tenByFour)).isZero();
      assertThat(count(store, "spindle_history")).isEqualTo(10);
      assertThat(count(store, "spindle_jobs")).isZero();
      assertThat(ids.subList(20, 30)).allSatisfy(id -> assertThat(store.find(id)).as(id).isPresent());
      assertThat(ids.subList(0, 20)).allSatisfy(id -> assertThat(store.find(id)).as(id).isEmpty());
    }
  }
}
