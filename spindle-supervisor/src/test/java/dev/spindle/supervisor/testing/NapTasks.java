package dev.spindle.supervisor.testing;

import dev.spindle.Task;
import dev.spindle.TaskCatalog;
import java.util.Collection;
import java.util.List;

/** Queue tasks for the tests. Public with a public no-argument constructor, as catalogs must be. */
public final class NapTasks implements TaskCatalog {
  /** {@code test.nap}: works for the given milliseconds (honouring cancellation), returns the pid that ran it. */
  public static final Task<Long, Long> NAP = Task.withContext("test.nap", Long.class, Long.class, (ms, ctx) -> {
    long end = System.nanoTime() + ms * 1_000_000L;
    while (System.nanoTime() < end) {
      ctx.checkCancelled();
      Thread.sleep(Math.max(1, Math.min(20, (end - System.nanoTime()) / 1_000_000L))); // the job's work
    }
    return ProcessHandle.current().pid();
  });

  /**
   * {@code test.second-attempt}: fails on its first attempt; on a later one returns what its
   * context says: {@code "<execution id> attempt <n> pid <pid>"}.
   */
  public static final Task<String, String> SECOND_ATTEMPT = Task.withContext("test.second-attempt", String.class,
      String.class, (in, ctx) -> {
        if (ctx.attempt() < 2) {
          throw new IllegalStateException("first attempt of " + in + " fails on purpose");
        }
        return ctx.executionId() + " attempt " + ctx.attempt() + " pid " + ProcessHandle.current().pid();
      });

  public NapTasks() {}

  @Override
  public Collection<Task<?, ?>> tasks() {
    return List.of(NAP, SECOND_ATTEMPT);
  }
}
