package dev.spindle.testkit.store;

import dev.spindle.Task;
import dev.spindle.TaskCatalog;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The tasks of {@link JobStoreContract}'s worker tests: deterministic, and blocking only on latches
 * the test releases (never sleeping). Workers run in the test's JVM, so the latches and counters are
 * static and keyed by a name unique per test. Public with a public no-argument constructor, as task
 * catalogs must be. Thread-safe.
 */
public final class StoreContractTasks implements TaskCatalog {
  private static final Map<String, CountDownLatch> GATES = new ConcurrentHashMap<>();
  private static final Map<String, CountDownLatch> ARRIVED = new ConcurrentHashMap<>();
  private static final Map<String, AtomicInteger> RUNS = new ConcurrentHashMap<>();

  /** Input of {@link #FAIL_TIMES}. */
  public record FailTimes(String key, int times, String exceptionType) {}

  /** What {@link #ATTEMPT} saw. */
  public record AttemptInfo(String jobId, int attempt, String worker) {}

  /** Returns its input. */
  public static final Task<String, String> ECHO = Task.of("store.echo", String.class, String.class, s -> s);

  /** Returns {@code x * x}. */
  public static final Task<Long, Long> SQUARE = Task.of("store.square", Long.class, Long.class, x -> x * x);

  /** Counts one run under its key and returns the count so far. */
  public static final Task<String, Integer> COUNT = Task.of("store.count", String.class, Integer.class,
      key -> RUNS.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet());

  /**
   * Counts a run under its key; fails (with the given exception type: IllegalStateException,
   * IllegalArgumentException or UnsupportedOperationException) for the first {@code times} runs,
   * then returns the run number.
   */
  public static final Task<FailTimes, Integer> FAIL_TIMES = Task.of("store.fail-times", FailTimes.class,
      Integer.class, in -> {
        int run = RUNS.computeIfAbsent(in.key(), k -> new AtomicInteger()).incrementAndGet();
        if (run <= in.times()) {
          String msg = "planned failure " + run + " of " + in.times();
          switch (Objects.requireNonNullElse(in.exceptionType(), "state")) {
            case "argument" -> throw new IllegalArgumentException(msg);
            case "unsupported" -> throw new UnsupportedOperationException(msg);
            default -> throw new IllegalStateException(msg);
          }
        }
        return run;
      });

  /**
   * Signals arrival under its key, then blocks until {@link #release} opens the gate of that key
   * (interruptibly; at most 60 s, then fails). Returns the key.
   */
  public static final Task<String, String> BLOCK = Task.of("store.block", String.class, String.class, key -> {
    RUNS.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
    ARRIVED.computeIfAbsent(key, k -> new CountDownLatch(1)).countDown();
    if (!gate(key).await(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("gate " + key + " was never released");
    }
    return key;
  });

  /** Reports the job id, attempt and worker name its context shows. */
  public static final Task<String, AttemptInfo> ATTEMPT = Task.withContext("store.attempt", String.class,
      AttemptInfo.class, (in, ctx) -> new AttemptInfo(ctx.executionId(), ctx.attempt(), ctx.workerName()));

  @Override
  public Collection<Task<?, ?>> tasks() {
    return List.of(ECHO, SQUARE, COUNT, FAIL_TIMES, BLOCK, ATTEMPT);
  }

  private static CountDownLatch gate(String key) {
    return GATES.computeIfAbsent(key, k -> new CountDownLatch(1));
  }

  /** Opens the gate of {@code key}: blocked and future {@link #BLOCK} runs of it return. */
  public static void release(String key) {
    gate(key).countDown();
  }

  /** Waits until a {@link #BLOCK} run of {@code key} started. */
  public static boolean awaitArrived(String key, long timeout, TimeUnit unit) throws InterruptedException {
    return ARRIVED.computeIfAbsent(key, k -> new CountDownLatch(1)).await(timeout, unit);
  }

  /** How many times tasks ran under {@code key}. */
  public static int runs(String key) {
    AtomicInteger n = RUNS.get(key);
    return n == null ? 0 : n.get();
  }
}
