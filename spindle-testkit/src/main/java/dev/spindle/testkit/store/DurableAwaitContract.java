package dev.spindle.testkit.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.Task;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.AwaitedJob;
import dev.spindle.queue.DurableContext;
import dev.spindle.queue.DurableRules;
import dev.spindle.queue.JobError;
import dev.spindle.queue.JobHandle;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobState;
import dev.spindle.queue.RetryPolicy;
import dev.spindle.queue.Worker;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.DurableStore;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.StepLog;
import dev.spindle.queue.spi.StepRecord;
import dev.spindle.queue.spi.WaitFor;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of a durable job awaiting another job ({@code DurableContext.awaitJob}) on one store:
 * at the store, a job wait is woken by the awaited job's end in any queue, queues at once if that job
 * has ended, times out at its timeout, and a fenced suspension changes nothing; through a real
 * {@link Worker} of concurrency 1, the waiter gives its slot back while the awaited job runs, finds a
 * job that ended before, sees a failed one as a typed outcome, times out on the store's clock, gets
 * its recorded outcome back on a resume (even with the awaited job deleted), and awaiting a job that
 * does not exist or itself is a clear error. The store and the worker share a {@link ManualClock}.
 * Subclass it per backend and implement {@link #openStore()}.
 */
public abstract class DurableAwaitContract extends ClockedStoreFixture {
  private static final Instant T0 = Instant.parse("2030-07-08T10:00:00Z");
  private static final Duration WAIT = Duration.ofSeconds(30);

  private DurableStore durable;
  private final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();

  protected DurableAwaitContract() {
    super(T0, "q", "other");
  }

  @BeforeEach
  void openRole() {
    durable = store.durable().orElseThrow();
  }

  private int ran(String label) {
    return runs.computeIfAbsent(label, l -> new AtomicInteger()).get();
  }

  private void count(String label) {
    runs.computeIfAbsent(label, l -> new AtomicInteger()).incrementAndGet();
  }

  private Worker worker(TaskRegistry registry, int concurrency) {
    return worker(Worker.builder(store).registry(registry).concurrency(concurrency));
  }

  private Worker worker(Worker.Builder b) {
    Worker w = b.clock(clock).pollInterval(Duration.ofMillis(20)).leaseDuration(Duration.ofDays(365))
        .heartbeatInterval(Duration.ofMillis(100)).start();
    closeAfter(w);
    return w;
  }

  private JobQueue queue(TaskRegistry registry) {
    JobQueue q = JobQueue.builder(store).registry(registry).clock(clock).build();
    closeAfter(q);
    return q;
  }

  private JobInfo job(String id) {
    return store.find(id).orElseThrow();
  }

  private void awaitState(String id, JobState state) {
    await().atMost(WAIT).until(() -> job(id).state() == state);
  }

  private static DurableContext durable(dev.spindle.TaskContext tc) {
    return DurableContext.of(tc).orElseThrow();
  }

  private String enqueue(@Nullable String uniqueKey) {
    Instant now = clock.instant();
    return store.enqueue(List.of(new NewJob("t.durable", "{}", "q", 0, now, uniqueKey, JobPolicy.defaults(), now)))
        .get(0).jobId();
  }

  private JobInfo claim(String worker) {
    return claimIn(worker, "q");
  }

  private boolean nothingToClaim() {
    return store.claim(new ClaimRequest("w2", List.of("q"), 1, clock.instant())).jobs().isEmpty();
  }

  private String enqueueIn(String queue) {
    Instant now = clock.instant();
    return store.enqueue(List.of(new NewJob("t.other", "{}", queue, 0, now, null, JobPolicy.defaults(), now)))
        .get(0).jobId();
  }

  private JobInfo claimIn(String worker, String queue) {
    List<JobInfo> jobs = store.claim(new ClaimRequest(worker, List.of(queue), 1, clock.instant())).jobs();
    assertThat(jobs).as("a job to claim in " + queue).hasSize(1);
    return jobs.get(0);
  }

  @Test
  void aJobWaitIsWokenByTheAwaitedJobsEndInAnotherQueue() {
    String target = enqueueIn("other");
    String id = enqueue(null);
    JobInfo j = claim("w1");
    Instant timeout = clock.instant().plus(Duration.ofDays(7));
    assertThat(durable.suspend(id, j.fence(), "w1", WaitFor.job(target, 0, timeout), clock.instant())).isTrue();
    assertThat(job(id).state()).isEqualTo(JobState.SCHEDULED);
    assertThat(durable.awaited(target).orElseThrow().state()).isEqualTo(JobState.QUEUED);
    StepLog waiting = durable.view(id).orElseThrow();
    assertThat(Objects.requireNonNull(waiting.waitingFor()).job()).isEqualTo(target);
    assertThat(Objects.requireNonNull(waiting.waitingFor()).kind()).isEqualTo(WaitFor.Kind.JOB);

    JobInfo t = claimIn("w2", "other");
    assertThat(job(id).state()).as("a job that has not ended wakes nobody").isEqualTo(JobState.SCHEDULED);
    assertThat(store.complete(List.of(Completion.succeeded(target, t.fence(), "w2", "{\"n\":42}")),
        clock.instant())).containsExactly(true);
    assertThat(job(id).state()).isEqualTo(JobState.QUEUED);
    assertThat(durable.awaited(target).orElseThrow())
        .satisfies(e -> assertThat(e.state()).isEqualTo(JobState.SUCCEEDED))
        .satisfies(e -> assertThat(e.resultJson()).isEqualTo("{\"n\":42}"));
    JobInfo resumed = claim("w2");
    assertThat(resumed.failures()).isZero();
    assertThat(durable.load(id, resumed.fence(), "w2").orElseThrow().waitingFor()).isNotNull();
  }

  @Test
  void aJobWaitOnAJobThatHasEndedLeavesTheJobQueued() {
    String target = enqueueIn("other");
    JobInfo t = claimIn("w2", "other");
    store.complete(List.of(Completion.failed(target, t.fence(), "w2", "{\"type\":\"boom\"}")), clock.instant());
    assertThat(durable.awaited(target).orElseThrow())
        .satisfies(e -> assertThat(e.state()).isEqualTo(JobState.FAILED))
        .satisfies(e -> assertThat(e.errorJson()).contains("boom"));
    String id = enqueue(null);
    JobInfo j = claim("w1");
    // the attempt looked at the target before it ended; it ends before the suspension
    durable.suspend(id, j.fence(), "w1", WaitFor.job(target, 0, clock.instant().plus(Duration.ofDays(7))),
        clock.instant());
    assertThat(job(id).state()).isEqualTo(JobState.QUEUED);
  }

  @Test
  void aJobWaitTimesOutAtItsTimeoutAndAFencedOneChangesNothing() {
    String target = enqueueIn("other");
    String id = enqueue(null);
    JobInfo j = claim("w1");
    Instant timeout = clock.instant().plus(Duration.ofDays(7));
    assertThat(durable.suspend(id, j.fence() + 1, "w1", WaitFor.job(target, 0, timeout), clock.instant())).isFalse();
    assertThat(job(id).state()).isEqualTo(JobState.RUNNING);
    assertThat(durable.suspend(id, j.fence(), "w1", WaitFor.job(target, 0, timeout), clock.instant())).isTrue();
    clock.advance(Duration.ofDays(7).minusMillis(1));
    assertThat(nothingToClaim()).isTrue();
    clock.advance(Duration.ofMillis(1));
    JobInfo resumed = claim("w2");
    WaitFor wait = Objects.requireNonNull(durable.load(id, resumed.fence(), "w2").orElseThrow().waitingFor());
    assertThat(wait.until()).isEqualTo(timeout);
    assertThat(wait.wokenByEndOf(target)).isTrue();
    assertThat(durable.awaited(target).orElseThrow().state()).isEqualTo(JobState.QUEUED);
  }

  @Test
  void anAwaitedJobRemovedOrNeverCreatedIsAbsent() {
    assertThat(durable.awaited("999999")).isEmpty();
    String target = enqueueIn("other");
    String id = enqueue(null);
    JobInfo j = claim("w1");
    durable.suspend(id, j.fence(), "w1", WaitFor.job(target, 0, clock.instant().plus(Duration.ofDays(7))),
        clock.instant());
    JobInfo t = claimIn("w2", "other");
    store.complete(List.of(Completion.succeeded(target, t.fence(), "w2", "1")), clock.instant());
    assertThat(store.control().deleteJob(target)).isEqualTo(dev.spindle.queue.spi.QueueControl.DeleteResult.DELETED);
    assertThat(durable.awaited(target)).isEmpty();
    assertThat(job(id).state()).isEqualTo(JobState.QUEUED);
  }

  private static final JobOptions ONCE = JobOptions.builder()
      .retry(RetryPolicy.builder().maxAttempts(1).build()).build();

  /** Answers "done <input>". */
  private static final Task<String, String> TARGET = Task.of("d.target", String.class, String.class, in -> "done " + in);

  /** Awaits the job whose id is its input, for a week; answers {@code "<status>:<result, error type or ->"}. */
  private Task<String, String> awaiterTask() {
    return Task.withContext("d.awaiter", String.class, String.class, (target, tc) -> {
      DurableContext ctx = durable(tc);
      ctx.step("before", Integer.class, () -> {
        count("before-await");
        return 1;
      });
      return describe(ctx.awaitJob(target, String.class, Duration.ofDays(7)));
    });
  }

  private static String describe(AwaitedJob<String> a) {
    JobError e = a.error();
    return a.status() + ":" + (a.result() != null ? a.result() : e != null ? e.type() : "-");
  }

  private Worker bothQueues(TaskRegistry reg) {
    return worker(Worker.builder(store).registry(reg).concurrency(1).queues("default", "other"));
  }

  private static JobOptions inOther(Duration delay) {
    return JobOptions.builder().queue("other").delay(delay).build();
  }

  @Test
  void awaitJobGivesTheSlotBackUntilAJobInAnotherQueueEnds() {
    Task<String, String> awaiter = awaiterTask();
    TaskRegistry reg = TaskRegistry.builder().add(TARGET).add(awaiter).build();
    JobQueue q = queue(reg);
    JobHandle<String> target = q.enqueue(TARGET, "x", inOther(Duration.ofMinutes(1)));
    JobHandle<String> h = q.enqueue(awaiter, target.id());
    Worker w = bothQueues(reg);
    awaitState(h.id(), JobState.SCHEDULED);
    assertThat(job(h.id()).runAt()).isEqualTo(T0.plus(Duration.ofDays(7)));
    assertThat(w.stats().running()).isZero();
    assertThat(durable.view(h.id()).orElseThrow().waitingFor()).isNotNull()
        .satisfies(wf -> assertThat(wf.job()).isEqualTo(target.id()));

    clock.advance(Duration.ofMinutes(1)); // the one slot runs the target while the awaiter waits
    w.wakeUp();
    assertThat(h.result(WAIT)).isEqualTo("SUCCEEDED:done x");
    assertThat(ran("before-await")).isEqualTo(1);
    assertThat(job(h.id()).failures()).isZero();
  }

  @Test
  void awaitJobFindsAJobThatEndedBeforeAndAResumeReturnsTheRecordedOutcome() {
    Task<String, String> awaiter = Task.withContext("d.awaitThenSleep", String.class, String.class, (target, tc) -> {
      DurableContext ctx = durable(tc);
      AwaitedJob<String> a = ctx.awaitJob(target, String.class, Duration.ofDays(7));
      count("awaited");
      ctx.sleep(Duration.ofDays(1));
      return describe(a);
    });
    TaskRegistry reg = TaskRegistry.builder().add(TARGET).add(awaiter).build();
    JobQueue q = queue(reg);
    Worker w = bothQueues(reg);
    JobHandle<String> target = q.enqueue(TARGET, "y", inOther(Duration.ZERO));
    assertThat(target.result(WAIT)).isEqualTo("done y");
    JobHandle<String> h = q.enqueue(awaiter, target.id());
    awaitState(h.id(), JobState.SCHEDULED);
    assertThat(ran("awaited")).isEqualTo(1);
    // the awaited job is gone when the awaiter resumes: the recorded outcome is what it sees
    assertThat(store.control().deleteJob(target.id())).isEqualTo(dev.spindle.queue.spi.QueueControl.DeleteResult.DELETED);
    clock.advance(Duration.ofDays(1));
    w.wakeUp();
    assertThat(h.result(WAIT)).isEqualTo("SUCCEEDED:done y");
    assertThat(ran("awaited")).isEqualTo(2);
    assertThat(durable.view(h.id()).orElseThrow().steps()).extracting(StepRecord::name)
        .contains(DurableRules.jobStepName(target.id()));
  }

  @Test
  void awaitJobSeesAFailedJobAsATypedOutcome() {
    Task<String, String> failing = Task.of("d.failing", String.class, String.class, in -> {
      throw new IllegalStateException("no stock for " + in);
    });
    Task<String, String> awaiter = awaiterTask();
    TaskRegistry reg = TaskRegistry.builder().add(failing).add(awaiter).build();
    JobQueue q = queue(reg);
    JobHandle<String> target = q.enqueue(failing, "z", JobOptions.builder().queue("other")
        .retry(RetryPolicy.builder().maxAttempts(1).build()).delay(Duration.ofMinutes(1)).build());
    JobHandle<String> h = q.enqueue(awaiter, target.id());
    Worker w = bothQueues(reg);
    awaitState(h.id(), JobState.SCHEDULED);
    clock.advance(Duration.ofMinutes(1));
    w.wakeUp();
    assertThat(h.result(WAIT)).startsWith("FAILED:").contains("IllegalStateException");
    assertThat(job(target.id()).state()).isEqualTo(JobState.FAILED);
  }

  @Test
  void awaitJobTimesOutOnTheStoresClock() {
    Task<String, String> awaiter = awaiterTask();
    TaskRegistry reg = TaskRegistry.builder().add(TARGET).add(awaiter).build();
    JobQueue q = queue(reg);
    JobHandle<String> target = q.enqueue(TARGET, "late", inOther(Duration.ofDays(30)));
    JobHandle<String> h = q.enqueue(awaiter, target.id());
    Worker w = bothQueues(reg);
    awaitState(h.id(), JobState.SCHEDULED);
    clock.advance(Duration.ofDays(7).minusSeconds(1));
    w.wakeUp();
    assertThat(job(h.id()).state()).isEqualTo(JobState.SCHEDULED);
    clock.advance(Duration.ofSeconds(1));
    w.wakeUp();
    assertThat(h.result(WAIT)).isEqualTo("TIMED_OUT:-");
    assertThat(job(target.id()).state()).isEqualTo(JobState.SCHEDULED);
  }

  @Test
  void awaitingAJobThatDoesNotExistOrItselfIsAClearError() {
    Task<String, String> awaiter = awaiterTask();
    Task<String, String> self = Task.withContext("d.self", String.class, String.class, (in, tc) ->
        describe(durable(tc).awaitJob(dev.spindle.queue.RunningJob.of(tc).orElseThrow().jobId(), String.class,
            Duration.ofDays(1))));
    TaskRegistry reg = TaskRegistry.builder().add(awaiter).add(self).build();
    JobQueue q = queue(reg);
    worker(reg, 1);
    JobHandle<String> missing = q.enqueue(awaiter, "999999", ONCE);
    awaitState(missing.id(), JobState.FAILED);
    assertThat(job(missing.id()).error().orElseThrow().message()).contains("awaits job 999999, which does not exist");
    JobHandle<String> itself = q.enqueue(self, "s", ONCE);
    awaitState(itself.id(), JobState.FAILED);
    assertThat(job(itself.id()).error().orElseThrow().message()).contains("cannot await itself");
  }
}
