package dev.spindle.testkit.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.ExecutionModel;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobState;
import dev.spindle.queue.Worker;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.JobStore;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.queue.spi.WorkerRecord;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Leases, heartbeats and due times are read on the store's clock, whatever the clocks of its
 * workers and producers say. The store runs on its <em>real</em> clock (Redis
 * {@code TIME}, the host clock for SQLite, the system clock in memory); workers and producers get
 * skewed injected clocks: one 60 s slow, one an hour fast. Leases are short (2 s), so the tests take
 * a few seconds of real time; waits use Awaitility, never sleeps.
 *
 * <p>Subclass it once per backend and implement {@link #openStore()}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class ClockSkewContract {
  /** The slow clock's offset. */
  protected static final Duration SLOW = Duration.ofSeconds(-60);
  /** The fast clock's offset. */
  protected static final Duration FAST = Duration.ofHours(1);
  private static final Duration LEASE = Duration.ofSeconds(2);
  private static final Duration HEARTBEAT = Duration.ofMillis(200);

  /** The store under test, on its own real clock. */
  protected StoreBackend store;
  private String key;
  private final List<Worker> workers = new CopyOnWriteArrayList<>();

  /** Opens a new, empty store on its real clock (no test clock); closed after the test. */
  protected abstract StoreBackend openStore() throws Exception;

  @BeforeEach
  void openTheStore() throws Exception {
    store = openStore();
    key = "skew-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @AfterEach
  void closeTheStore() {
    StoreContractTasks.release(key);
    for (Worker w : workers) {
      w.stop(Duration.ZERO);
    }
    store.close();
  }

  /** The system clock moved by {@code offset}. */
  protected static Clock skewed(Duration offset) {
    return Clock.offset(Clock.systemUTC(), offset);
  }

  private Worker start(String name, Clock clock, int concurrency, String... queues) {
    return start(store, name, clock, concurrency, Duration.ofMillis(20), queues);
  }

  private Worker start(JobStore on, String name, Clock clock, int concurrency, Duration poll, String... queues) {
    Worker w = Worker.builder(on).registry(TaskRegistry.of(StoreContractTasks.class)).clock(clock)
        .name(name).queues(queues).concurrency(concurrency).model(ExecutionModel.THREADS).leaseDuration(LEASE)
        .heartbeatInterval(HEARTBEAT).pollInterval(poll).shutdownGrace(Duration.ZERO).start();
    workers.add(w);
    return w;
  }

  private NewJob job(String task, String args, Clock clock, Duration delay) {
    Instant now = clock.instant();
    return new NewJob(task, args, "default", 0, now.plus(delay), null, JobPolicy.defaults(), now);
  }

  /** {@link #store} seen through a proxy that counts the claims made through it. */
  private JobStore countingClaims(AtomicLong claims) {
    InvocationHandler h = (proxy, method, args) -> {
      if (method.getName().equals("claim")
          || method.getName().equals("completeAndClaim") && args[1] != null) {
        claims.incrementAndGet();
      }
      try {
        return method.invoke(store, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    };
    return (JobStore) Proxy.newProxyInstance(JobStore.class.getClassLoader(), new Class<?>[] {JobStore.class}, h);
  }

  /** The store's record of worker {@code id}, or null. */
  private @Nullable WorkerRecord record(String id) {
    return store.inspector().workers().stream().filter(w -> w.id().equals(id)).findFirst().orElse(null);
  }

  @Test
  void aWorkerWhoseClockIsSlowKeepsItsHealthyJobs() {
    Worker slow = start("slow", skewed(SLOW), 16, "default");
    start("healthy", Clock.systemUTC(), 1, "elsewhere"); // reclaims expired leases every heartbeat
    List<NewJob> batch = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      batch.add(job(StoreContractTasks.BLOCK.name(), "\"" + key + "\"", Clock.systemUTC(), Duration.ZERO));
    }
    List<String> ids = store.enqueue(batch).stream().map(r -> r.jobId()).toList();
    await().atMost(Duration.ofSeconds(20)).until(() -> StoreContractTasks.runs(key) == 16);

    // longer than a lease, on the store's clock: the slow worker's heartbeats keep every job
    Instant until = store.storeTime().plus(LEASE).plus(LEASE);
    Instant lastBeat = Instant.MIN;
    while (store.storeTime().isBefore(until)) {
      assertThat(store.reclaimExpired(Instant.now(), 1000)).as("jobs reclaimed from a live, slow worker")
          .isEmpty();
      Instant seen = lastBeat;
      WorkerRecord beat = await().atMost(Duration.ofSeconds(10)).until(() -> record(slow.id()),
          r -> r != null && r.heartbeatAt().isAfter(seen));
      lastBeat = beat.heartbeatAt();
      assertThat(beat.isAlive(store.storeTime())).as("slow worker alive on the store's clock").isTrue();
    }
    WorkerRecord rec = Objects.requireNonNull(record(slow.id()), "the slow worker's record");
    Duration recorded = Objects.requireNonNull(rec.clockSkew(), "skew recorded by the store");
    assertThat(recorded.minus(SLOW).abs()).isLessThan(Duration.ofSeconds(1));
    assertThat(slow.clockSkew()).as("skew measured by the worker").hasValueSatisfying(
        s -> assertThat(s.minus(SLOW).abs()).isLessThan(Duration.ofSeconds(1)));

    StoreContractTasks.release(key);
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(ids).allSatisfy(
        id -> assertThat(store.find(id).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED)));
    for (String id : ids) {
      JobInfo j = store.find(id).orElseThrow();
      assertThat(j.workerLost()).as("lost-worker strikes of job " + id).isZero();
      assertThat(j.attempt()).as("attempts of job " + id).isEqualTo(1);
    }
    assertThat(slow.stats().leaseLost()).isZero();
    assertThat(StoreContractTasks.runs(key)).as("each job ran once").isEqualTo(16);
  }

  @Test
  void aDeadWorkerWhoseClockIsFastLosesItsJobsAfterTheNormalLease() {
    List<NewJob> batch = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      batch.add(job(StoreContractTasks.ECHO.name(), "\"x\"", Clock.systemUTC(), Duration.ZERO));
    }
    store.enqueue(batch);
    Clock fast = skewed(FAST);
    Instant beforeBeat = store.storeTime();
    Instant now = fast.instant();
    store.heartbeat(new WorkerRecord("fast-worker", "fast", "host", 1, List.of("default"), 3, "THREADS", "RUNNING",
        now, now, now.plus(LEASE), 0, 0, 0, 0));
    List<JobInfo> held = store.claim(new ClaimRequest("fast-worker", List.of("default"), 3, fast.instant())).jobs();
    assertThat(held).hasSize(3);
    // the worker dies here: no more heartbeats
    Instant died = store.storeTime();
    WorkerRecord rec = Objects.requireNonNull(record("fast-worker"), "the fast worker's record");
    assertThat(rec.leaseUntil()).as("its lease ends a lease after the heartbeat, on the store's clock")
        .isBefore(died.plus(LEASE).plusSeconds(1));
    assertThat(Objects.requireNonNull(rec.clockSkew(), "skew recorded by the store").minus(FAST).abs()).isLessThan(Duration.ofSeconds(1));

    Set<String> reclaimed = new LinkedHashSet<>();
    await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50)).until(() -> {
      store.reclaimExpired(Instant.now(), 100).forEach(j -> reclaimed.add(j.id()));
      return reclaimed.size() == 3;
    });
    Instant at = store.storeTime();
    assertThat(at).as("reclaimed once the normal lease ran out")
        .isAfterOrEqualTo(beforeBeat.plus(LEASE).minusMillis(1));
    for (JobInfo j : held) {
      JobInfo now2 = store.find(j.id()).orElseThrow();
      assertThat(now2.state()).isEqualTo(JobState.QUEUED);
      assertThat(now2.workerLost()).isEqualTo(1);
    }
    WorkerRecord gone = record("fast-worker");
    assertThat(gone == null || !gone.isAlive(store.storeTime())).as("the dead fast worker does not show as alive")
        .isTrue();
  }

  @Test
  void dueTimesOfDelayedJobsAreReadOnTheStoresClock() {
    Instant t = Instant.now();
    store.heartbeat(new WorkerRecord("claimer", "c", "host", 1, List.of("default"), 5, "THREADS", "RUNNING", t, t,
        t.plus(Duration.ofMinutes(5)), 0, 0, 0, 0));
    String fromFast = store.enqueue(List.of(job(StoreContractTasks.ECHO.name(), "\"fast\"", skewed(FAST),
        Duration.ofMillis(300)))).get(0).jobId();
    String fromSlow = store.enqueue(List.of(job(StoreContractTasks.ECHO.name(), "\"slow\"", skewed(SLOW),
        Duration.ofSeconds(30)))).get(0).jobId();
    assertThat(store.find(fromSlow).orElseThrow().state()).isEqualTo(JobState.SCHEDULED);
    Instant slowDue = store.find(fromSlow).orElseThrow().runAt();
    assertThat(slowDue).as("30 s after the enqueue on the store's clock").isAfter(store.storeTime().plusSeconds(25));
    List<String> claimed = new ArrayList<>();
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
      store.claim(new ClaimRequest("claimer", List.of("default"), 5, Instant.now())).jobs()
          .forEach(j -> claimed.add(j.id()));
      return claimed.contains(fromFast);
    });
    assertThat(claimed).as("the slow producer's job is not due before its delay").doesNotContain(fromSlow);
    assertThat(store.find(fromSlow).orElseThrow().state()).isEqualTo(JobState.SCHEDULED);
  }

  @Test
  void aWorkerWhoseClockIsFastWaitsForADelayedJobWithoutClaimingInALoop() {
    AtomicLong claims = new AtomicLong();
    Duration poll = Duration.ofMillis(200);
    Worker fast = start(countingClaims(claims), "fast", skewed(FAST), 1, poll, "default");
    await().atMost(Duration.ofSeconds(30)).until(() -> fast.clockSkew().isPresent());
    // due 3 s from now on the store's clock, which the fast worker's clock passed an hour ago
    Duration delay = Duration.ofSeconds(3);
    // read before the job is made: the enqueue's own time (long on a loaded machine) must not count as early
    Instant enqueuedAt = store.storeTime();
    String id = store.enqueue(List.of(job(StoreContractTasks.ECHO.name(), "\"due\"", Clock.systemUTC(), delay)))
        .get(0).jobId();
    long before = claims.get();
    await().atMost(Duration.ofSeconds(30)).until(() -> store.find(id).orElseThrow().state() == JobState.SUCCEEDED);
    Duration waited = Duration.between(enqueuedAt, store.storeTime());
    assertThat(store.find(id).orElseThrow().startedAt()).as("not run before it is due on the store's clock")
        .isAfterOrEqualTo(enqueuedAt.plus(delay).minusMillis(100));
    // An idle worker claims once per poll (200 ms) plus once per wake-up (the enqueue's change signal,
    // the due time) and a few 50 ms re-checks: about 20 in the 3 s wait. Scheduling noise can only
    // make polls rarer, so 5 claims per poll interval waited is a loose bound; a worker that takes
    // the job as due on its own clock claims in a loop, thousands of times in those 3 s.
    long bound = 5 * (waited.toMillis() / poll.toMillis() + 1) + 20;
    assertThat(claims.get() - before).as("claims while waiting %s for the delayed job", waited)
        .isLessThanOrEqualTo(bound);
  }
}
