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
import dev.spindle.queue.JobEvent;
import dev.spindle.queue.JobHandle;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobState;
import dev.spindle.queue.MisfirePolicy;
import dev.spindle.queue.RetryPolicy;
import dev.spindle.queue.Schedule;
import dev.spindle.queue.ScheduleInfo;
import dev.spindle.queue.Worker;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.queue.spi.JobStore;
import dev.spindle.queue.spi.UnroutableTask;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.testkit.store.StoreContractTasks.AttemptInfo;
import dev.spindle.testkit.store.StoreContractTasks.FailTimes;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

/**
 * The contract of the hot-path {@link JobStore} SPI every store honours, in three parts on one
 * fixture ({@link JobStoreContractFixture}): the SPI called directly ({@link JobStoreSpiContract}:
 * states, ordering, fencing, leases; {@link JobStoreHousekeepingContract}: retention, schedules,
 * the change signal, closing), and here the whole queue - {@link JobQueue}, {@link Worker}, the
 * DISTRIBUTED model - running on the store (retries, timeouts, cancellation, dead letters, graceful
 * shutdown, per-queue limits, exactly-once recurring ticks with three workers).
 *
 * <p>Subclass it once per backend and implement {@link #openStore()}, beside {@link
 * StoreAdminContract} for the operators' side; every store runs both. Time is a {@link ManualClock}; blocking tasks wait on latches the test
 * releases ({@link StoreContractTasks}); waits for worker threads use Awaitility. No test sleeps.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
public abstract class JobStoreContract extends JobStoreHousekeepingContract {
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
  void jobsEnqueuedWithoutWaitingRunAndTheirHandlesReturnResults() throws Exception {
    JobQueue q = queue();
    List<CompletableFuture<JobHandle<Long>>> sent = new ArrayList<>();
    for (long i = 1; i <= 40; i++) {
      sent.add(q.enqueueAsync(StoreContractTasks.SQUARE, i));
    }
    CompletableFuture<JobHandle<JsonNode>> byName = q.enqueueAsync("store.echo", json("hi"), JobOptions.defaults());
    startWorker(b -> b.concurrency(4));
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < sent.size(); i++) {
      JobHandle<Long> h = sent.get(i).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(ids.add(h.id())).as("a job id answered twice: " + h.id()).isTrue();
      assertThat(h.result(WAIT)).isEqualTo((long) (i + 1) * (i + 1));
    }
    assertThat(byName.get(WAIT.toMillis(), TimeUnit.MILLISECONDS).result(WAIT).asString()).isEqualTo("hi");
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
    // a timeout is measured on the monotonic clock (no step of the clock moves it), so it is a short real one
    JobHandle<String> h = q.enqueue(StoreContractTasks.BLOCK, g, JobOptions.builder().timeout(Duration.ofMillis(300))
        .retry(RetryPolicy.none()).build());
    arrived(g);
    JobInfo j = h.await(WAIT);
    assertThat(j.state()).isEqualTo(JobState.FAILED);
    assertThat(j.error().orElseThrow().type()).isEqualTo(dev.spindle.TaskTimeoutException.class.getName());
    assertThat(j.error().orElseThrow().message()).contains("exceeded its timeout of PT0.3S");
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
  void aJobOfATaskTheWorkerDoesNotKnowWaitsQueuedAndIsListedUnroutable() {
    JobQueue anyName = JobQueue.builder(store).clock(clock).build();
    closeables.add(anyName);
    startWorker(b -> b);
    JobHandle<JsonNode> h = anyName.enqueue("no.such.task", "{}");
    JobHandle<Integer> known = queue().enqueue(StoreContractTasks.COUNT, key);
    assertThat(known.result(WAIT)).as("the worker goes on with the tasks it knows").isEqualTo(1);
    eventually(() -> assertThat(inspector.unroutable(store.storeTime()))
        .containsExactly(new UnroutableTask(JobOptions.DEFAULT_QUEUE, "no.such.task", 1)));
    eventually(() -> {
      JobInfo j = get(h.id());
      assertThat(j.state()).isEqualTo(JobState.QUEUED);
      assertThat(j.attempt()).isZero();
      assertThat(j.workerLost()).isZero();
      assertThat(j.deadReason()).isNull();
    });
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
  void aWorkerClaimingAheadRunsEachJobOnceAndLeavesNoneClaimedWhenItStops() throws Exception {
    JobQueue q = queue();
    int n = 400;
    List<JobHandle<Integer>> hs = q.enqueueAll(StoreContractTasks.COUNT,
        IntStream.range(0, n).mapToObj(i -> key + "-ahead-" + i).toList(), JobOptions.defaults());
    Worker w = startWorker(b -> b.concurrency(4).prefetch(16).name("ahead-" + key));
    eventually(() -> assertThat(succeeded()).isGreaterThanOrEqualTo(100));
    w.stop(Duration.ofSeconds(5));
    assertThat(w.isTerminated()).isTrue();
    long left = n - succeeded();
    assertThat(count(JobState.RUNNING)).as("nothing stays claimed by the stopped worker").isZero();
    assertThat(count(JobState.QUEUED)).as("the rest wait, whether claimed ahead or not").isEqualTo(left);
    startWorker(b -> b.concurrency(4).name("after-" + key));
    for (int i = 0; i < n; i++) {
      assertThat(hs.get(i).result(WAIT)).as("runs of job %d", i).isEqualTo(1);
    }
  }

  private long succeeded() {
    return count(JobState.SUCCEEDED);
  }

  private long count(JobState state) {
    return inspector.queueSummaries().stream().mapToLong(s -> s.count(state)).sum();
  }

  @Test
  void queueConcurrencyLimitHoldsAcrossWorkers() throws Exception {
    JobQueue q = queue();
    store.setQueueLimit("narrow", 1);
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
