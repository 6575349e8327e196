package dev.spindle.bench.jmh;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.Exchange;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.store.redis.RedisJobStore;
import dev.spindle.store.sqlite.SqliteJobStore;
import dev.spindle.testkit.redis.RedisServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A durable store's hot paths, one JMH thread: {@code exchange} is a worker's steady state, one
 * store call that records the previous job's success and claims the next
 * ({@link StoreBackend#completeAndClaim}, one transaction on SQLite, one script on Redis);
 * {@code enqueue} stores one new job. SQLite: a file in a temporary directory, durability NORMAL
 * (WAL). Redis: a redis-server of the testkit on a free loopback port, without persistence. Before
 * each iteration the queue is topped up to {@value #STOCK} jobs (not measured); an exchange that
 * finds the queue empty fails the run rather than measure empty claims. Not thread-safe (JMH state).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class StoreExchangeBenchmark {
  private static final int STOCK = 60_000;
  private static final String WORKER = "jmh-worker";
  private static final List<String> QUEUES = List.of("jmh");

  /** The store: {@code sqlite} or {@code redis}. */
  @Param({"sqlite", "redis"})
  public String store;

  private @Nullable Path dir;
  private @Nullable RedisServer redis;
  private StoreBackend jobs;
  private long queued;
  private @Nullable JobInfo held;
  private final NewJob enqueued = job("enqueued");

  private static NewJob job(String queue) {
    Instant now = Instant.now();
    return new NewJob("bench.noop", "42", queue, 0, now, null, JobPolicy.defaults(), now);
  }

  /** Opens the store and registers the worker (lease of an hour). */
  @Setup(Level.Trial)
  public void open() throws IOException {
    if (store.equals("redis")) {
      redis = RedisServer.builder().appendOnly(false).start();
      jobs = RedisJobStore.open(redis.url());
    } else {
      dir = Files.createTempDirectory("spindle-jmh");
      jobs = SqliteJobStore.open(dir.resolve("jmh.db"));
    }
    Instant now = Instant.now();
    jobs.heartbeat(new WorkerRecord(WORKER, "jmh", "localhost", ProcessHandle.current().pid(), QUEUES, 1, "THREADS",
        "RUNNING", now, now, now.plusSeconds(3600), 0, 0, 0, 0));
  }

  /** Tops the queue up to {@value #STOCK} jobs, in batches of 1,000. */
  @Setup(Level.Iteration)
  public void topUp() {
    while (queued < STOCK) {
      int n = (int) Math.min(1000, STOCK - queued);
      List<NewJob> batch = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        batch.add(job(QUEUES.get(0)));
      }
      jobs.enqueue(batch);
      queued += n;
    }
  }

  /** Closes the store and removes its files. */
  @TearDown(Level.Trial)
  public void close() throws IOException {
    jobs.close();
    if (redis != null) {
      redis.close();
    }
    if (dir != null) {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  /** Completes the job held (if any) and claims the next, in one store call. */
  @Benchmark
  public JobInfo exchange() {
    List<Completion> done = held == null ? List.of()
        : List.of(Completion.succeeded(held.id(), held.fence(), WORKER, "42"));
    Instant now = Instant.now();
    Exchange ex = jobs.completeAndClaim(done, new ClaimRequest(WORKER, QUEUES, 1, now), now);
    List<JobInfo> claimed = ex.claim().jobs();
    if (claimed.isEmpty()) {
      throw new IllegalStateException("the queue ran dry: raise STOCK");
    }
    queued--;
    held = claimed.get(0);
    return held;
  }

  /** Stores one new job (in another queue, so the exchange's stock is unchanged). */
  @Benchmark
  public Object enqueue() {
    return jobs.enqueue(List.of(enqueued));
  }
}
