package dev.spindle.process;

import dev.spindle.Task;
import dev.spindle.TaskCatalog;
import java.time.Duration;
import java.util.Collection;
import java.util.List;

/** Tasks that use the cross-process primitives from inside worker JVMs. */
public final class PrimitiveTasks implements TaskCatalog {
  public record Count(SharedCounter counter, int times) {}

  public record Locked(SharedLock lock, SharedCounter value, SharedCounter inside, int times) {}

  public record Consume(JoinableQueue.Descriptor queue, SharedEvent started) {}

  public record Wait(SharedEvent started, SharedEvent event, long timeoutMillis) {}

  public record Die(SharedLock lock, SharedEvent locked) {}

  /** Increments a shared counter {@code times} times. */
  public static final Task<Count, Long> COUNT = Task.of("prim.count", Count.class, Long.class, in -> {
    for (int i = 0; i < in.times(); i++) {
      in.counter().incrementAndGet();
    }
    return in.counter().get();
  });

  /**
   * Under the lock, does a non-atomic read-modify-write of {@code value} and checks that nobody else
   * is inside; returns the most holders ever seen inside at once (1 if the lock excludes).
   */
  public static final Task<Locked, Long> LOCKED = Task.of("prim.locked", Locked.class, Long.class, in -> {
    long maxInside = 0;
    for (int i = 0; i < in.times(); i++) {
      try (SharedLock.Guard g = in.lock().acquire()) {
        long now = in.inside().incrementAndGet();
        maxInside = Math.max(maxInside, now);
        long v = in.value().get();
        Thread.onSpinWait();
        in.value().set(v + 1);
        in.inside().addAndGet(-1);
      }
    }
    return maxInside;
  });

  /** Takes numbers until a negative pill, marking each done; returns their sum. */
  public static final Task<Consume, Long> CONSUME = Task.of("prim.consume", Consume.class, Long.class, in -> {
    JoinableQueue<Long> q = JoinableQueue.open(in.queue(), Long.class);
    in.started().set();
    long sum = 0;
    while (true) {
      long n = q.get();
      q.taskDone();
      if (n < 0) {
        return sum;
      }
      sum += n;
    }
  });

  /** Signals that it started, then waits for the event; returns what the wait returned. */
  public static final Task<Wait, Boolean> WAIT = Task.of("prim.wait", Wait.class, Boolean.class, in -> {
    in.started().set();
    return in.event().await(Duration.ofMillis(in.timeoutMillis()));
  });

  /** Takes the lock, says so, and kills its own JVM while holding it. */
  public static final Task<Die, Boolean> DIE_HOLDING_LOCK = Task.of("prim.die-holding-lock", Die.class,
      Boolean.class, in -> {
        in.lock().lock();
        in.locked().set();
        Runtime.getRuntime().halt(9);
        return true;
      });

  public record Sem(SharedSemaphore sem, SharedCounter inside, int times) {}

  public record Reentrant(SharedRLock lock, SharedCounter value, SharedCounter inside, int times) {}

  public record Bar(SharedBarrier barrier, SharedArray arrivals, int rounds) {}

  public record Cond(SharedCondition cond, SharedArray box) {}

  public record Arr(SharedArray longs, SharedArray doubles, int times) {}

  /** Holds a permit {@code times} times; returns the most holders ever seen inside at once. */
  public static final Task<Sem, Long> SEMAPHORE = Task.of("prim.semaphore", Sem.class, Long.class, in -> {
    long max = 0;
    for (int i = 0; i < in.times(); i++) {
      in.sem().acquire();
      try {
        long now = in.inside().incrementAndGet();
        max = Math.max(max, now);
        Thread.onSpinWait();
        in.inside().addAndGet(-1);
      } finally {
        in.sem().release();
      }
    }
    return max;
  });

  /** Like {@link #LOCKED}, taking the reentrant lock twice each time. */
  public static final Task<Reentrant, Long> REENTRANT = Task.of("prim.reentrant", Reentrant.class, Long.class, in -> {
    long maxInside = 0;
    for (int i = 0; i < in.times(); i++) {
      in.lock().lock();
      in.lock().lock();
      try {
        long now = in.inside().incrementAndGet();
        maxInside = Math.max(maxInside, now);
        long v = in.value().get();
        Thread.onSpinWait();
        in.value().set(v + 1);
        in.inside().addAndGet(-1);
      } finally {
        in.lock().unlock();
        in.lock().unlock();
      }
    }
    return maxInside;
  });

  /**
   * For each round, counts its arrival in {@code arrivals[round]}, waits at the barrier and checks
   * that every party had arrived; returns the rounds where that held.
   */
  public static final Task<Bar, Long> BARRIER = Task.of("prim.barrier", Bar.class, Long.class, in -> {
    long ok = 0;
    for (int r = 0; r < in.rounds(); r++) {
      in.arrivals().addAndGet(r, 1);
      in.barrier().await(Duration.ofSeconds(60));
      if (in.arrivals().get(r) == in.barrier().parties()) {
        ok++;
      }
    }
    return ok;
  });

  /** Waits on the condition until {@code box[0]} is non-zero and returns it. */
  public static final Task<Cond, Long> CONDITION = Task.of("prim.condition", Cond.class, Long.class, in -> {
    in.cond().lock().lock();
    try {
      in.box().addAndGet(1, 1); // says it is waiting
      while (in.box().get(0) == 0) {
        in.cond().await(Duration.ofSeconds(60));
      }
      return in.box().get(0);
    } finally {
      in.cond().lock().unlock();
    }
  });

  /** Adds 1 to {@code longs[0]} and 0.5 to {@code doubles[0]}, {@code times} times. */
  public static final Task<Arr, Long> ARRAY = Task.of("prim.array", Arr.class, Long.class, in -> {
    for (int i = 0; i < in.times(); i++) {
      in.longs().addAndGet(0, 1);
      in.doubles().addAndGetDouble(0, 0.5);
    }
    return in.longs().get(0);
  });

  public record Managed(SharedDict dict, SharedList list, SharedNamespace ns, String who, int times) {}

  /** Counts in the dict, appends to the list and sets its own attribute, {@code times} times. */
  public static final Task<Managed, Long> MANAGED = Task.of("prim.managed", Managed.class, Long.class, in -> {
    long last = 0;
    for (int i = 0; i < in.times(); i++) {
      last = in.dict().update("hits", Long.class, 0L, v -> v + 1);
      in.list().append(in.who() + "-" + i);
      in.ns().set(in.who(), i);
    }
    return last;
  });

  public PrimitiveTasks() {}

  @Override
  public Collection<Task<?, ?>> tasks() {
    return List.of(COUNT, LOCKED, CONSUME, WAIT, DIE_HOLDING_LOCK, SEMAPHORE, REENTRANT, BARRIER, CONDITION, ARRAY, MANAGED);
  }
}
