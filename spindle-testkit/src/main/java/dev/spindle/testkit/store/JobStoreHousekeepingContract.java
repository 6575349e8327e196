package dev.spindle.testkit.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.queue.DependencyPolicy;
import dev.spindle.queue.JobError;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobState;
import dev.spindle.queue.StoreException;
import dev.spindle.queue.WorkflowInput;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.Dependency;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.queue.spi.JobStore;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.RetentionLimits;
import dev.spindle.queue.spi.ScheduleRecord;
import dev.spindle.queue.spi.Subscription;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Part 2 of {@link JobStoreContract}: retention ({@link dev.spindle.queue.spi.JobStore#purgeExpired})
 * and the store's schedules, change signal and closing. Subclass {@link JobStoreContract}, not this.
 */
public abstract class JobStoreHousekeepingContract extends JobStoreSpiContract {
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

  @Test
  void aDependentStillWaitingGetsTheResultOfADependencyThatExpired() {
    JobOptions hour = JobOptions.builder().retention(Duration.ofHours(1), Duration.ofHours(1)).build();
    aDependentWaitingThroughRetentionGetsEveryResult(hour, () -> {
      clock.advance(Duration.ofHours(2)); // past the quick job's expiry
      store.purgeExpired(clock.instant(), new RetentionLimits(100, 100, 1000));
    });
  }

  @Test
  void aDependentStillWaitingGetsTheResultOfADependencyBeyondTheRetentionLimits() {
    aDependentWaitingThroughRetentionGetsEveryResult(JobOptions.defaults(),
        () -> store.purgeExpired(clock.instant(), new RetentionLimits(0, 0, 1000)));
  }

  /**
   * A dependent of a quick and a slow job (input: both results) still waits when the quick one ends
   * and {@code retention} runs (which may delete the quick one); once the slow one ends, the
   * dependent's input still holds both results.
   */
  private void aDependentWaitingThroughRetentionGetsEveryResult(JobOptions quickOptions, Runnable retention) {
    register("w1", Duration.ofDays(1));
    NewJob both = job("store.echo", "null").dependingOn(List.of(
        Dependency.onBatchJob(0, DependencyPolicy.REQUIRE_SUCCESS),
        Dependency.onBatchJob(1, DependencyPolicy.REQUIRE_SUCCESS)), WorkflowInput.RESULTS);
    List<String> ids = store.enqueue(List.of(job("store.echo", json("p"), quickOptions),
        job("store.echo", json("q")), both)).stream().map(EnqueueResult::jobId).toList();
    Map<String, JobInfo> running = new HashMap<>();
    claim("w1", 2).forEach(j -> running.put(j.id(), j));
    JobInfo quick = Objects.requireNonNull(running.get(ids.get(0)), "the quick job was claimed");
    JobInfo slow = Objects.requireNonNull(running.get(ids.get(1)), "the slow job was claimed");
    assertThat(store.complete(List.of(Completion.succeeded(quick.id(), quick.fence(), "w1", json("p"))),
        clock.instant())).containsExactly(true);

    retention.run();
    assertThat(get(ids.get(2)).state()).isEqualTo(JobState.WAITING);

    assertThat(store.complete(List.of(Completion.succeeded(slow.id(), slow.fence(), "w1", json("q"))),
        clock.instant())).containsExactly(true);
    JobInfo dependent = get(ids.get(2));
    assertThat(dependent.state()).isEqualTo(JobState.QUEUED);
    assertThat(dependent.argsJson()).as("both results are its input").isEqualTo("[\"p\",\"q\"]");
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
}
