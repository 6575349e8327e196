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

  public PrimitiveTasks() {}

  @Override
  public Collection<Task<?, ?>> tasks() {
    return List.of(COUNT, LOCKED, CONSUME, WAIT, DIE_HOLDING_LOCK);
  }
}
