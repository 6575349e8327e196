package dev.spindle.cli.queue;

import dev.spindle.Task;
import dev.spindle.TaskCatalog;
import java.util.Collection;
import java.util.List;

/**
 * The tasks of {@code ./spindle demo} besides the prime checks: a greeting, a flaky job that fails
 * its first two attempts, a slow job that honours cancellation, and the recurring tick. Public with a
 * public no-arg constructor, as catalogs must be. Thread-safe.
 */
public final class DemoTasks implements TaskCatalog {
  /** {@code demo.greet}: name → greeting. */
  public static final Task<String, String> GREET = Task.of("demo.greet", String.class, String.class,
      name -> "hello, " + name);

  /** {@code demo.flaky}: fails while its attempt is at most {@code n}, then returns the attempt. */
  public static final Task<Integer, Integer> FLAKY = Task.withContext("demo.flaky", Integer.class, Integer.class,
      (n, ctx) -> {
        if (ctx.attempt() <= n) {
          throw new IllegalStateException("flaky failure on attempt " + ctx.attempt() + " (succeeds after " + n + ")");
        }
        return ctx.attempt();
      });

  /** {@code demo.sleep}: works for the given milliseconds, checking for cancellation; returns them. */
  public static final Task<Long, Long> SLEEP = Task.withContext("demo.sleep", Long.class, Long.class, (ms, ctx) -> {
    long end = System.nanoTime() + ms * 1_000_000L;
    while (System.nanoTime() < end) {
      ctx.checkCancelled();
      Thread.sleep(Math.max(1, Math.min(20, (end - System.nanoTime()) / 1_000_000L)));
    }
    return ms;
  });

  /** {@code demo.tick}: the recurring job; returns its input. */
  public static final Task<String, String> TICK = Task.of("demo.tick", String.class, String.class, s -> s);

  /** Public for reflective construction. */
  public DemoTasks() {}

  @Override
  public Collection<Task<?, ?>> tasks() {
    return List.of(GREET, FLAKY, SLEEP, TICK);
  }
}
