package dev.spindle;

import dev.spindle.spi.MonotonicClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link Periodic} tasks at a fixed rate or with a fixed delay, with per-task statistics:
 * futurist's {@code periodics.PeriodicWorker}.
 *
 * <pre>{@code
 * try (PeriodicWorker w = PeriodicWorker.builder().build()) {
 *   w.add(Periodic.fixedRate("every_one", Duration.ofSeconds(1), () -> System.out.println("tick")));
 *   w.start();
 *   ...
 *   w.watchers().forEach(System.out::println); // every_one(runs=3, successes=3, failures=0, ...)
 * }
 * }</pre>
 *
 * <p><b>Timing.</b> All times come from the injected {@link Clock} (default: a {@link
 * MonotonicClock}, the wall clock's time when the worker is built carried forward on {@link
 * System#nanoTime()}, immune to wall-clock jumps; {@link WatcherStats#nextDue()} reads as wall
 * time). Tests inject a manual clock and drive the worker with {@link #runDue()} instead of {@link
 * #start()}: no thread, no sleeping. With a started worker and a clock that is moved by hand, call
 * {@link #wakeUp()} after moving it.
 *
 * <p><b>Running.</b> Due tasks are handed to the injected {@link Executor} (default: run on the
 * worker's own thread, one after the other). A task never overlaps itself: while a run is in
 * progress, its next run waits. An exception thrown by a task is logged and counted as a failure;
 * the task keeps its schedule. Tasks may be added and removed at any time, also while started.
 *
 * <p>Thread-safe. {@link #close()} stops the worker.
 */
public final class PeriodicWorker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PeriodicWorker.class);

  private final String name;
  private final Clock clock;
  private final Executor executor;
  private final boolean inline;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  /** Guarded by lock. */
  private final Map<String, Watcher> watchers = new LinkedHashMap<>();
  /** Guarded by lock: something changed since the loop last looked. */
  private boolean dirty;
  /** Guarded by lock. */
  private @Nullable Thread loop;
  /** Guarded by lock. */
  private boolean stopping;

  private PeriodicWorker(Builder b) {
    this.name = b.name;
    this.clock = b.clock != null ? b.clock : new MonotonicClock();
    this.inline = b.executor == null;
    this.executor = b.executor != null ? b.executor : Runnable::run;
  }

  /** A builder with the defaults: monotonic clock, runs on the worker's thread, name "periodic". */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Adds a periodic task; its first run is due now if {@link Periodic#immediately()}, else one
   * period from now.
   *
   * @return a handle to read its statistics or remove it
   * @throws IllegalArgumentException if a task with that name is already there
   */
  public Watcher add(Periodic periodic) {
    Objects.requireNonNull(periodic, "periodic");
    lock.lock();
    try {
      if (watchers.containsKey(periodic.name())) {
        throw new IllegalArgumentException("a periodic task named '" + periodic.name() + "' is already in worker '"
            + name + "'");
      }
      long now = now();
      Watcher w = new Watcher(periodic, periodic.immediately() ? now : now + nanos(periodic.period()));
      watchers.put(periodic.name(), w);
      signal();
      return w;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Removes a periodic task: no further run starts (a run in progress finishes).
   *
   * @return false if no task had that name
   */
  public boolean remove(String periodicName) {
    lock.lock();
    try {
      Watcher w = watchers.remove(periodicName);
      if (w == null) {
        return false;
      }
      w.removed = true;
      signal();
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Statistics of every task, in the order they were added (futurist's {@code iter_watchers}). */
  public List<WatcherStats> watchers() {
    lock.lock();
    try {
      List<WatcherStats> out = new ArrayList<>(watchers.size());
      for (Watcher w : watchers.values()) {
        out.add(w.statsLocked());
      }
      return out;
    } finally {
      lock.unlock();
    }
  }

  /** The handle of the task with that name, if present. */
  public Optional<Watcher> watcher(String periodicName) {
    lock.lock();
    try {
      return Optional.ofNullable(watchers.get(periodicName));
    } finally {
      lock.unlock();
    }
  }

  /**
   * Starts every task that is due now and not running, and returns how long until the next one is
   * due. This is the worker's whole step; {@link #start()} calls it in a loop. Call it directly to
   * drive the worker by hand (tests with a manual clock). With the default executor the due tasks
   * run on the calling thread before this returns.
   *
   * @return the time until the next due run, or empty if no task is waiting for a due time
   */
  public Optional<Duration> runDue() {
    List<Watcher> due = new ArrayList<>();
    lock.lock();
    try {
      long now = now();
      for (Watcher w : watchers.values()) {
        if (!w.running && w.nextDue - now <= 0) {
          w.running = true;
          w.startedLate = now - w.nextDue;
          due.add(w);
        }
      }
    } finally {
      lock.unlock();
    }
    for (Watcher w : due) {
      try {
        executor.execute(w::runOnce);
      } catch (RejectedExecutionException e) {
        LOG.warn("periodic worker '{}': executor refused task '{}'; retrying at its next period", name, w.periodic.name(), e);
        w.finished(now(), now(), null, false);
      }
    }
    lock.lock();
    try {
      long now = now();
      long next = Long.MAX_VALUE;
      for (Watcher w : watchers.values()) {
        if (!w.running) {
          next = Math.min(next, w.nextDue);
        }
      }
      return next == Long.MAX_VALUE ? Optional.empty() : Optional.of(Duration.ofNanos(Math.max(0, next - now)));
    } finally {
      lock.unlock();
    }
  }

  /**
   * Starts the worker's thread (named after the worker), which runs tasks as they fall due until
   * {@link #stop()}.
   *
   * @throws IllegalStateException if already started or stopped
   */
  public void start() {
    lock.lock();
    try {
      if (loop != null || stopping) {
        throw new IllegalStateException("periodic worker '" + name + "' was already " + (stopping ? "stopped" : "started"));
      }
      loop = Thread.ofPlatform().name(name).daemon(true).unstarted(this::loop);
      loop.start();
    } finally {
      lock.unlock();
    }
  }

  /** True between {@link #start()} and {@link #stop()}. */
  public boolean isRunning() {
    lock.lock();
    try {
      return loop != null && !stopping;
    } finally {
      lock.unlock();
    }
  }

  /** Re-examines due times at once, e.g. after moving a manual clock. */
  public void wakeUp() {
    lock.lock();
    try {
      signal();
    } finally {
      lock.unlock();
    }
  }

  private void signal() {
    dirty = true;
    changed.signalAll();
  }

  private void loop() {
    try {
      while (true) {
        Optional<Duration> wait = runDue();
        lock.lock();
        try {
          if (stopping) {
            return;
          }
          if (!dirty) {
            if (wait.isEmpty()) {
              changed.await();
            } else if (!wait.get().isZero()) {
              changed.awaitNanos(wait.get().toNanos());
            }
          }
          dirty = false;
          if (stopping) {
            return;
          }
        } finally {
          lock.unlock();
        }
      }
    } catch (InterruptedException e) {
      LOG.debug("periodic worker '{}' interrupted; stopping", name);
    }
  }

  /**
   * Stops starting runs and waits for the worker's thread to end (with the default executor, after
   * the run in progress). Idempotent. Runs handed to another executor are not waited for.
   */
  public void stop() {
    Thread t;
    lock.lock();
    try {
      stopping = true;
      signal();
      t = loop;
    } finally {
      lock.unlock();
    }
    if (t != null && t != Thread.currentThread()) {
      boolean interrupted = false;
      while (true) {
        try {
          t.join();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** {@link #stop()}. */
  @Override
  public void close() {
    stop();
  }

  private long now() {
    Instant i = clock.instant();
    return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000_000L), i.getNano());
  }

  private static long nanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE / 4;
    }
  }

  @Override
  public String toString() {
    return "PeriodicWorker[" + name + ", " + watchers() + "]";
  }

  /**
   * One periodic task inside a worker, with its counters. Thread-safe.
   */
  public final class Watcher {
    private final Periodic periodic;
    // all guarded by lock
    private long nextDue;
    private boolean running;
    private boolean removed;
    private long startedLate;
    private long runs;
    private long successes;
    private long failures;
    private long elapsed;
    private long elapsedWaiting;

    private Watcher(Periodic periodic, long firstDue) {
      this.periodic = periodic;
      this.nextDue = firstDue;
    }

    /** The task's definition. */
    public Periodic periodic() {
      return periodic;
    }

    /** A snapshot of its counters. */
    public WatcherStats stats() {
      lock.lock();
      try {
        return statsLocked();
      } finally {
        lock.unlock();
      }
    }

    /** Removes it from its worker. @return false if already removed */
    public boolean remove() {
      return PeriodicWorker.this.remove(periodic.name());
    }

    private WatcherStats statsLocked() {
      Instant due = removed || (running && periodic.schedule() == Periodic.Schedule.FIXED_DELAY) ? null
          : Instant.ofEpochSecond(0, nextDue);
      return new WatcherStats(periodic.name(), runs, successes, failures, Duration.ofNanos(elapsed),
          Duration.ofNanos(elapsedWaiting), running, due);
    }

    private void runOnce() {
      long t0 = now();
      @Nullable Throwable failure = null;
      try {
        periodic.action().run();
      } catch (Throwable t) {
        failure = t;
        LOG.warn("periodic task '{}' of worker '{}' failed", periodic.name(), name, t);
      }
      finished(t0, now(), failure, true);
    }

    private void finished(long started, long ended, @Nullable Throwable failure, boolean ran) {
      lock.lock();
      try {
        running = false;
        if (ran) {
          runs++;
          if (failure == null) {
            successes++;
          } else {
            failures++;
          }
          elapsed += Math.max(0, ended - started);
          elapsedWaiting += Math.max(0, startedLate);
        }
        long period = nanos(periodic.period());
        if (periodic.schedule() == Periodic.Schedule.FIXED_DELAY) {
          nextDue = ended + period;
        } else {
          long next = nextDue + period;
          if (next - ended <= 0) { // overran or started late: skip the periods already covered
            next += ((ended - next) / period + 1) * period;
          }
          nextDue = next;
        }
        if (!inline) {
          signal();
        }
      } finally {
        lock.unlock();
      }
    }

    @Override
    public String toString() {
      return stats().toString();
    }
  }

  /** Builds a {@link PeriodicWorker}. Not thread-safe. */
  public static final class Builder {
    private String name = "periodic";
    private @Nullable Clock clock;
    private @Nullable Executor executor;

    private Builder() {}

    /** Names the worker's thread and its log lines. Default "periodic". */
    public Builder name(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank");
      }
      this.name = name;
      return this;
    }

    /** The time source for due times and statistics. Default: monotonic ({@link System#nanoTime()}). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Where runs execute, e.g. {@code taskExecutor.asExecutorService()} to run several periodic
     * tasks in parallel. Default: the worker's own thread, one run at a time.
     */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /** A new, not yet started worker. */
    public PeriodicWorker build() {
      return new PeriodicWorker(this);
    }
  }

}
