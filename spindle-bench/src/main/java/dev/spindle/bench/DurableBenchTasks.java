package dev.spindle.bench;

import dev.spindle.Task;
import dev.spindle.TaskCatalog;
import dev.spindle.queue.DurableContext;
import java.time.Duration;
import java.util.Collection;
import java.util.List;

/**
 * The durable-execution benchmark's jobs, the same two workflows as {@link DbosFlows}: ten no-op
 * steps; and a step, a durable sleep of the input's milliseconds, two steps. Public with a public
 * no-arg constructor (a portable catalog).
 */
public final class DurableBenchTasks implements TaskCatalog {
  /** Ten no-op steps; returns its input. */
  public static final Task<Long, Long> TEN_STEPS = Task.withContext("dbench.ten-steps", Long.class, Long.class,
      (id, tc) -> {
        DurableContext ctx = DurableContext.of(tc).orElseThrow();
        for (int i = 0; i < 10; i++) {
          int step = i;
          ctx.step("step" + i, Integer.class, () -> step);
        }
        return id;
      });

  /** A step, a durable sleep of {@code sleepMs}, two steps; returns its input. */
  public static final Task<Long, Long> SLEEPY = Task.withContext("dbench.sleepy", Long.class, Long.class,
      (sleepMs, tc) -> {
        DurableContext ctx = DurableContext.of(tc).orElseThrow();
        ctx.step("first", Integer.class, () -> 1);
        ctx.sleep(Duration.ofMillis(sleepMs));
        ctx.step("second", Integer.class, () -> 2);
        ctx.step("third", Integer.class, () -> 3);
        return sleepMs;
      });

  @Override
  public Collection<Task<?, ?>> tasks() {
    return List.of(TEN_STEPS, SLEEPY);
  }
}
