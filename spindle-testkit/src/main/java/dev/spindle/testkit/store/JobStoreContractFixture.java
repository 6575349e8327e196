package dev.spindle.testkit.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.TaskRegistry;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.Worker;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.HeartbeatResult;
import dev.spindle.queue.spi.JobInspector;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.StoreAdmin;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.queue.spi.WorkerRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.assertj.core.api.ThrowableAssert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;

/**
 * What every part of {@link JobStoreContract} and {@link StoreAdminContract} stands on: a new store per test on a
 * {@link ManualClock} (closed after it, with the workers, queues and latches the test made), and
 * the helpers the parts share (jobs, claims, workers, queues, latches, waits). Subclass
 * {@link JobStoreContract} and {@link StoreAdminContract}, not this. Not thread-safe (one instance per test, as JUnit makes them).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
public abstract class JobStoreContractFixture {
  /** The manual clock's start. */
  protected static final Instant T0 = Instant.parse("2030-01-07T10:00:00Z");
  static final Duration WAIT = Duration.ofSeconds(30);

  /** The time source of every store call and worker in the test. */
  protected ManualClock clock;
  /** The store under test: its hot path ({@code JobStore}) and its operators' side. */
  protected StoreBackend store;
  /** Its operators' side ({@link StoreAdmin}), the same object as {@link #store}. */
  protected StoreAdmin admin;
  /** Its inspector. */
  protected JobInspector inspector;
  /** A key unique to the test, for latches and counters. */
  protected String key;
  private final List<Worker> workers = new CopyOnWriteArrayList<>();
  final List<AutoCloseable> closeables = new ArrayList<>();
  private final Set<String> gates = ConcurrentHashMap.newKeySet();

  /** Opens a new, empty store for one test; it is closed after the test. */
  protected abstract StoreBackend openStore() throws Exception;

  @BeforeEach
  void openTheStore() throws Exception {
    clock = new ManualClock(T0);
    store = openStore();
    admin = store;
    inspector = admin.inspector();
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

  static List<String> ids(List<JobInfo> jobs) {
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

  static String json(String s) {
    return "\"" + s + "\"";
  }

  static void eventually(ThrowableAssert.ThrowingCallable assertion) {
    await().atMost(WAIT).pollInterval(Duration.ofMillis(5)).untilAsserted(assertion::call);
  }

  static void arrived(String gate) throws InterruptedException {
    assertThat(StoreContractTasks.awaitArrived(gate, WAIT.toSeconds(), TimeUnit.SECONDS))
        .as("task blocked on %s started", gate).isTrue();
  }
}
