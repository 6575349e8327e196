package dev.spindle.testkit.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.queue.IllegalJobTransitionException;
import dev.spindle.queue.JobError;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobNotFoundException;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.AuditLog;
import dev.spindle.queue.spi.AuditRecord;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.queue.spi.JobInspector;
import dev.spindle.queue.spi.JobPage;
import dev.spindle.queue.spi.JobStatistics;
import dev.spindle.queue.spi.LiveView;
import dev.spindle.queue.spi.MinuteStats;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.QueueControl;
import dev.spindle.queue.spi.QueueSummary;
import dev.spindle.queue.spi.RetentionLimits;
import dev.spindle.queue.spi.ScheduleRecord;
import dev.spindle.queue.spi.StoreAdmin;
import dev.spindle.queue.spi.WorkerRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of the operators' SPI {@link StoreAdmin} and its roles: the {@link JobInspector}
 * called directly (requeue, purge, listing, summaries), {@link QueueControl} (pausing queues and
 * schedules, bulk requeue and cancel by filter, search by text and time range, deleting one
 * finished job), the {@link AuditLog}, the per-minute {@link JobStatistics} kept in the store and
 * the live view. Every backend's test subclasses it beside {@link JobStoreContract}: implement
 * {@link #openStore()}. A store without statistics overrides the tests that read them with ones
 * asserting {@link StoreAdmin#statistics()} is empty. Not thread-safe (one instance per test).
 */
public abstract class StoreAdminContract extends JobStoreContractFixture {
  /** The operators' controls of the store under test. */
  protected QueueControl control;

  @BeforeEach
  void openTheControls() {
    control = admin.control();
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
    store.setQueueLimit("c", 3);
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

  // ================================================================ controls, audit, statistics, live view

  /** Moves the store's clock to {@code t} (if that is later) and returns {@code t}: the caller's now. */
  private Instant at(Instant t) {
    if (t.isAfter(clock.instant())) {
      clock.set(t);
    }
    return t;
  }

  private String enqueue(String queue) {
    NewJob j = new NewJob("t.x", "1", queue, 0, T0, null, JobPolicy.defaults(), T0);
    return store.enqueue(List.of(j)).get(0).jobId();
  }

  private List<JobInfo> claim(int max, String... queues) {
    Instant now = at(T0.plusSeconds(1));
    store.heartbeat(new WorkerRecord("w1", "w", "host", 1, List.of(queues), 4, "THREADS", "RUNNING", now, now,
        now.plus(Duration.ofHours(1)), 0, 0, 0, 0));
    return store.claim(new ClaimRequest("w1", List.of(queues), max, now)).jobs();
  }

  @Test
  void aPausedQueueIsNotClaimedUntilResumed() {
    String mail = enqueue("mail");
    String other = enqueue(JobOptions.DEFAULT_QUEUE);
    control.pauseQueue("mail");
    control.pauseQueue("mail");
    assertThat(control.pausedQueues()).containsExactly("mail");
    assertThat(claim(10, "mail", JobOptions.DEFAULT_QUEUE)).extracting(JobInfo::id).containsExactly(other);
    assertThat(claim(10, "mail")).isEmpty();
    assertThat(store.find(mail).orElseThrow().state()).isEqualTo(JobState.QUEUED);
    control.resumeQueue("mail");
    assertThat(control.pausedQueues()).isEmpty();
    assertThat(claim(10, "mail")).extracting(JobInfo::id).containsExactly(mail);
    assertThatThrownBy(() -> control.pauseQueue("bad queue!")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void requeueMatchingMovesFinishedJobsBackNewestFirst() {
    List<String> ids = List.of(enqueue("a"), enqueue("a"), enqueue("a"), enqueue("b"));
    ids.forEach(id -> store.cancel(id, T0));
    JobFilter a = JobFilter.all().withQueue("a").withLimit(2);
    assertThat(control.requeueMatching(a, at(T0.plusSeconds(5)))).isEqualTo(2);
    assertThat(store.find(ids.get(2)).orElseThrow().state()).isEqualTo(JobState.QUEUED);
    assertThat(store.find(ids.get(1)).orElseThrow().state()).isEqualTo(JobState.QUEUED);
    assertThat(store.find(ids.get(0)).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
    assertThat(store.find(ids.get(3)).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
    assertThat(control.requeueMatching(a.withLimit(100), T0)).isEqualTo(1);
    assertThatThrownBy(() -> control.requeueMatching(JobFilter.all().withState(JobState.QUEUED), T0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void cancelMatchingCancelsWaitingJobsAndAsksRunningOnesToStop() {
    String a1 = enqueue("a");
    String a2 = enqueue("a");
    String a3 = enqueue("a");
    String b1 = enqueue("b");
    assertThat(claim(1, "a")).extracting(JobInfo::id).containsExactly(a1);
    JobFilter a = JobFilter.all().withQueue("a").withLimit(100);
    assertThat(control.cancelMatching(a, at(T0.plusSeconds(2)))).isEqualTo(3);
    assertThat(store.find(a1).orElseThrow().state()).isEqualTo(JobState.RUNNING);
    assertThat(store.find(a1).orElseThrow().cancelRequested()).isTrue();
    assertThat(store.find(a2).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
    assertThat(store.find(a3).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
    assertThat(store.find(b1).orElseThrow().state()).isEqualTo(JobState.QUEUED);
    assertThat(control.cancelMatching(a, at(T0.plusSeconds(3)))).isZero();
    assertThat(store.finishedAfter(0, 10).jobs()).extracting(JobInfo::id).containsExactlyInAnyOrder(a2, a3);
    assertThatThrownBy(() -> control.cancelMatching(JobFilter.all().withState(JobState.DEAD), T0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void deleteJobDeletesOnlyFinishedJobsAndIdsAreNeverReused() {
    String waiting = enqueue("a");
    String done = enqueue("a");
    store.cancel(done, T0);
    assertThat(control.deleteJob(waiting)).isEqualTo(QueueControl.DeleteResult.NOT_FINISHED);
    assertThat(control.deleteJob(done)).isEqualTo(QueueControl.DeleteResult.DELETED);
    assertThat(control.deleteJob(done)).isEqualTo(QueueControl.DeleteResult.NOT_FOUND);
    assertThat(control.deleteJob("nope")).isEqualTo(QueueControl.DeleteResult.NOT_FOUND);
    assertThat(store.find(done)).isEmpty();
    assertThat(Long.parseLong(enqueue("a"))).isGreaterThan(Long.parseLong(done));
  }

  @Test
  void theAuditLogKeepsEntriesNewestFirst() {
    AuditLog log = admin.auditLog();
    for (int i = 0; i < 3; i++) {
      log.appendAudit(new AuditRecord(0, T0.plusSeconds(i), "alice", "job.retry", "job " + i, i == 1 ? null
          : "ok\tand\\ a\nnew line"));
    }
    List<AuditRecord> recent = log.recentAudit(2);
    assertThat(recent).extracting(AuditRecord::target).containsExactly("job 2", "job 1");
    assertThat(recent.get(0).id()).isGreaterThan(recent.get(1).id());
    assertThat(recent.get(0).at()).isEqualTo(T0.plusSeconds(2));
    assertThat(recent.get(1).detail()).isNull();
    assertThat(recent.get(0).user()).isEqualTo("alice");
    assertThat(recent.get(0).detail()).isEqualTo("ok\tand\\ a\nnew line");
  }

  private String enqueueAt(String queue, String args, Instant created, int priority) {
    NewJob j = new NewJob("t.x", args, queue, priority, created, null, JobPolicy.defaults(), at(created));
    return store.enqueue(List.of(j)).get(0).jobId();
  }

  @Test
  void searchFindsTextInArgumentsOrTheLastErrorAndFiltersByTimeRanges() {
    String a = enqueueAt("a", "{\"order\":\"Order-ABC-1\"}", T0, 0);
    String b = enqueueAt("a", "{\"order\":\"order-abc-2\"}", T0.plusSeconds(10), 0);
    String c = enqueueAt("b", "{\"order\":\"XYZ-3\"}", T0.plusSeconds(20), 0);
    JobFilter all = JobFilter.all();
    assertThat(ids(admin.inspector().listJobs(all.withText("ABC")))).containsExactly(b, a);
    assertThat(ids(admin.inspector().listJobs(all.withText("der-abc-1")))).containsExactly(a);
    assertThat(ids(admin.inspector().listJobs(all.withText("abc").withQueue("b")))).isEmpty();
    assertThat(ids(admin.inspector().listJobs(all.withText("nothing-like-this")))).isEmpty();
    assertThat(ids(admin.inspector().listJobs(all.withCreated(T0.plusSeconds(10), null)))).containsExactly(c, b);
    assertThat(ids(admin.inspector().listJobs(all.withCreated(T0, T0.plusSeconds(10))))).containsExactly(a);
    assertThat(ids(admin.inspector().listJobs(all.withCreated(T0.plusSeconds(5), T0.plusSeconds(15)))))
        .containsExactly(b);
    // the error is searched too, and only the last one
    List<JobInfo> held = claim(10, "b");
    JobInfo job = held.get(0);
    Instant t1 = at(T0.plusSeconds(30));
    store.complete(List.of(Completion.retry(c, job.fence(), "w1",
        JobError.of("java.io.IOException", "first problem: PAYMENTS timed out").toJson(), t1)), t1);
    assertThat(ids(admin.inspector().listJobs(all.withText("payments")))).containsExactly(c);
    job = claim(10, "b").get(0);
    Instant t2 = at(T0.plusSeconds(40));
    store.complete(List.of(Completion.failed(c, job.fence(), "w1",
        JobError.of("java.io.IOException", "second problem: ledger closed").toJson())), t2);
    assertThat(ids(admin.inspector().listJobs(all.withText("payments")))).isEmpty();
    assertThat(ids(admin.inspector().listJobs(all.withText("Ledger Closed")))).containsExactly(c);
    assertThat(ids(admin.inspector().listJobs(all.withFinishedAfter(t2)))).containsExactly(c);
    assertThat(ids(admin.inspector().listJobs(all.withFinishedAfter(t2.plusSeconds(1))))).isEmpty();
    assertThat(ids(admin.inspector().listJobs(all.withFinishedBefore(t2.plusSeconds(1))
        .withFinishedAfter(T0)))).containsExactly(c);
    // the same filters drive paging and the bulk changes
    JobPage page = admin.inspector().page(all.withText("abc").withLimit(1));
    assertThat(ids(page.jobs())).containsExactly(b);
    assertThat(page.nextBeforeId()).isNotNull();
    JobPage rest = admin.inspector().page(all.withText("abc").withLimit(5).withBeforeId(page.nextBeforeId()));
    assertThat(ids(rest.jobs())).containsExactly(a);
    assertThat(rest.nextBeforeId()).isNull();
    assertThat(control.cancelMatching(all.withText("order-abc-2"), at(T0.plusSeconds(50)))).isEqualTo(1);
    assertThat(store.find(b).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
    assertThat(store.find(a).orElseThrow().state()).isEqualTo(JobState.QUEUED);
    assertThat(control.requeueMatching(all.withText("LEDGER"), at(T0.plusSeconds(60)))).isEqualTo(1);
    assertThat(store.find(c).orElseThrow().state()).isEqualTo(JobState.QUEUED);
    assertThatThrownBy(() -> all.withText("ab")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("3 to 200 characters");
    assertThatThrownBy(() -> all.withCreated(T0, T0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void statisticsCountStartsOutcomesAndWaitTimesPerMinuteInTheStore() {
    JobStatistics stats = admin.statistics().orElseThrow();
    assertThat(stats.minutes(T0.minusSeconds(3600), T0.plusSeconds(3600))).isEmpty();
    assertThat(stats.oldestWaiting()).isEmpty();
    String j1 = enqueueAt("a", "1", T0, 0);
    String j2 = enqueueAt("a", "2", T0, 0);
    String j3 = enqueueAt("a", "3", T0, 0);
    String late = enqueueAt("b", "4", T0.plusSeconds(1), 5);
    assertThat(stats.oldestWaiting()).contains(T0);
    assertThat(admin.inspector().oldestReady()).containsEntry("a", T0).containsEntry("b", T0.plusSeconds(1))
        .hasSize(2);
    List<JobInfo> held = claim(3, "a"); // at T0 + 1 s: each waited 1 s
    assertThat(stats.oldestWaiting()).contains(T0.plusSeconds(1));
    Instant t = at(T0.plusSeconds(2));
    String err = JobError.of("x.Y", "boom").toJson();
    store.complete(List.of(Completion.succeeded(j1, held.get(0).fence(), "w1", "1"),
        Completion.failed(j2, held.get(1).fence(), "w1", err),
        Completion.retry(j3, held.get(2).fence(), "w1", err, t.plusSeconds(3600))), t);
    assertThat(store.cancel(late, at(T0.plusSeconds(65)))).isNotNull();
    assertThat(stats.oldestWaiting()).isEmpty();
    List<MinuteStats> m = stats.minutes(T0.minusSeconds(3600), T0.plusSeconds(3600));
    assertThat(m).hasSize(2);
    MinuteStats first = m.get(0);
    assertThat(first.minute()).isEqualTo(T0);
    assertThat(List.of(first.started(), first.succeeded(), first.failed(), first.retried(), first.dead(),
        first.cancelled())).containsExactly(3L, 1L, 1L, 1L, 0L, 0L);
    int b1s = MinuteStats.bucket(Duration.ofSeconds(1));
    assertThat(first.waitBuckets()[b1s]).isEqualTo(3);
    assertThat(MinuteStats.percentileMillis(MinuteStats.sumWaits(m), 0.99)).isEqualTo(MinuteStats.bucketEnd(b1s));
    assertThat(m.get(1).minute()).isEqualTo(T0.plusSeconds(60));
    assertThat(m.get(1).cancelled()).isEqualTo(1);
    assertThat(m.get(1).started()).isZero();
    // a window covering only the second minute, and one ending where it starts
    assertThat(stats.minutes(T0.plusSeconds(61), T0.plusSeconds(62))).extracting(MinuteStats::minute)
        .containsExactly(T0.plusSeconds(60));
    assertThat(stats.minutes(T0, T0.plusSeconds(60))).extracting(MinuteStats::minute).containsExactly(T0);
  }

  @Test
  void waitBucketsAreLogLinearAndPercentilesReadFromThem() {
    assertThat(MinuteStats.bucket(Duration.ofMillis(0))).isZero();
    assertThat(MinuteStats.bucket(Duration.ofMillis(-5))).isZero();
    for (long ms : new long[] {1, 3, 4, 5, 7, 8, 100, 999, 1000, 1001, 65_000, 86_400_000L}) {
      int b = MinuteStats.bucket(Duration.ofMillis(ms));
      assertThat(MinuteStats.bucketEnd(b)).as("end of the bucket of %d ms", ms).isGreaterThan(ms)
          .isLessThanOrEqualTo(Math.max(ms + 1, (long) Math.ceil(ms * 1.25) + 1));
      assertThat(b == 0 || MinuteStats.bucketEnd(b - 1) <= ms).as("bucket %d starts at or below %d", b, ms).isTrue();
    }
    long[] h = new long[MinuteStats.BUCKETS];
    h[MinuteStats.bucket(Duration.ofMillis(10))] = 90;
    h[MinuteStats.bucket(Duration.ofMillis(1000))] = 10;
    assertThat(MinuteStats.percentileMillis(h, 0.5)).isEqualTo(MinuteStats.bucketEnd(MinuteStats.bucket(
        Duration.ofMillis(10))));
    assertThat(MinuteStats.percentileMillis(h, 0.95)).isEqualTo(MinuteStats.bucketEnd(MinuteStats.bucket(
        Duration.ofMillis(1000))));
    assertThat(MinuteStats.percentileMillis(new long[3], 0.5)).isEqualTo(-1);
  }

  @Test
  void aPausedScheduleIsNeverDueUntilResumed() {
    store.saveSchedule(new ScheduleRecord("s1", "{\"a\":1}", T0, null, 0, T0));
    store.saveSchedule(new ScheduleRecord("s2", "{\"a\":2}", T0.plusSeconds(1), null, 0, T0));
    assertThat(control.pauseSchedule("s1")).isTrue();
    assertThat(control.pauseSchedule("s1")).isTrue();
    assertThat(control.pauseSchedule("nope")).isFalse();
    assertThat(control.pausedSchedules()).containsExactly("s1");
    assertThat(store.dueSchedules(T0.plusSeconds(5), 1)).extracting(ScheduleRecord::name).containsExactly("s2");
    assertThat(store.schedules()).extracting(ScheduleRecord::name).containsExactly("s1", "s2");
    assertThat(control.resumeSchedule("s1")).isTrue();
    assertThat(control.resumeSchedule("nope")).isFalse();
    assertThat(control.pausedSchedules()).isEmpty();
    assertThat(store.dueSchedules(T0.plusSeconds(5), 10)).extracting(ScheduleRecord::name)
        .containsExactly("s1", "s2");
    control.pauseSchedule("s2");
    assertThat(store.deleteSchedule("s2")).isTrue();
    assertThat(control.pausedSchedules()).isEqualTo(Set.of());
    store.saveSchedule(new ScheduleRecord("s2", "{\"a\":2}", T0, null, 0, T0));
    assertThat(store.dueSchedules(T0.plusSeconds(5), 10)).hasSize(2);
    assertThat(Optional.of(control.pausedSchedules())).contains(Set.of());
  }

  @Test
  void stateFiltersPageNewestFirstWhateverIndexTheStoreUses() {
    List<String> ids = new java.util.ArrayList<>();
    for (int i = 0; i < 6; i++) {
      ids.add(enqueueAt("a", Integer.toString(i), T0, 0));
    }
    NewJob later = new NewJob("t.x", "9", "a", 0, T0.plusSeconds(3600), null, JobPolicy.defaults(), T0);
    String scheduled = store.enqueue(List.of(later)).get(0).jobId();
    List<JobInfo> held = claim(6, "a");
    String err = JobError.of("x.Y", "boom").toJson();
    Instant t = at(T0.plusSeconds(2));
    store.complete(List.of(Completion.failed(ids.get(0), held.get(0).fence(), "w1", err),
        Completion.dead(ids.get(1), held.get(1).fence(), "w1", "poison", err),
        Completion.failed(ids.get(2), held.get(2).fence(), "w1", err)), t);
    JobFilter bad = JobFilter.all().withStates(java.util.EnumSet.of(JobState.FAILED, JobState.DEAD));
    assertThat(ids(admin.inspector().listJobs(bad))).containsExactly(ids.get(2), ids.get(1), ids.get(0));
    assertThat(ids(admin.inspector().listJobs(bad.withLimit(2)))).containsExactly(ids.get(2), ids.get(1));
    assertThat(ids(admin.inspector().listJobs(bad.withBeforeId(ids.get(1))))).containsExactly(ids.get(0));
    assertThat(ids(admin.inspector().listJobs(JobFilter.all().withState(JobState.DEAD))))
        .containsExactly(ids.get(1));
    JobFilter running = JobFilter.all().withState(JobState.RUNNING);
    assertThat(ids(admin.inspector().listJobs(running))).containsExactly(ids.get(5), ids.get(4), ids.get(3));
    assertThat(ids(admin.inspector().listJobs(running.withBeforeId(ids.get(4))))).containsExactly(ids.get(3));
    assertThat(ids(admin.inspector().listJobs(running.withText("NOPE-NOPE")))).isEmpty();
    assertThat(ids(admin.inspector().listJobs(JobFilter.all().withState(JobState.SCHEDULED))))
        .containsExactly(scheduled);
    JobPage p = admin.inspector().page(bad.withLimit(2));
    assertThat(ids(p.jobs())).containsExactly(ids.get(2), ids.get(1));
    assertThat(ids(admin.inspector().page(bad.withLimit(2).withBeforeId(p.nextBeforeId())).jobs()))
        .containsExactly(ids.get(0));
  }

  @Test
  void theLiveViewReadsWhatTheSeparateCallsRead() {
    String a = enqueueAt("a", "1", T0, 0);
    enqueueAt("b", "2", T0, 3);
    List<JobInfo> held = claim(1, "a");
    store.complete(List.of(Completion.succeeded(a, held.get(0).fence(), "w1", "1")), T0.plusSeconds(2));
    control.pauseQueue("b");
    LiveView.Request all = new LiveView.Request(0, 100,
        T0.minusSeconds(3600), T0.plusSeconds(3600), true);
    LiveView v = admin.liveView(all);
    LiveView w = LiveView.compose(admin, all);
    assertThat(v.workers()).isEqualTo(w.workers());
    assertThat(v.pausedQueues()).containsExactly("b");
    assertThat(ids(v.finished().jobs())).containsExactly(a);
    assertThat(v.finished().cursor()).isEqualTo(w.finished().cursor()).isEqualTo(v.finishCursor());
    assertThat(v.finishCursor()).isEqualTo(store.finishCursor());
    assertThat(v.minutes()).isEqualTo(w.minutes()).isNotEmpty();
    assertThat(v.queues()).isEqualTo(admin.inspector().queueSummaries());
    assertThat(v.oldestWaiting()).isEqualTo(admin.statistics().orElseThrow().oldestWaiting()).contains(T0);
    LiveView cheap = admin.liveView(new LiveView.Request(-1, 100,
        T0, T0, false));
    assertThat(cheap.queues()).isNull();
    assertThat(cheap.oldestWaiting()).isNull();
    assertThat(cheap.finished().jobs()).isEmpty();
    assertThat(cheap.finished().cursor()).isEqualTo(store.finishCursor());
    assertThat(cheap.minutes()).isEmpty();
    assertThat(admin.liveView(new LiveView.Request(v.finishCursor(), 100, T0, T0, false))
        .finished().jobs()).isEmpty();
  }
}
