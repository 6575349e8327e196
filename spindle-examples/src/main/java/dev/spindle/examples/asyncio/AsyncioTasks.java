package dev.spindle.examples.asyncio;

import dev.spindle.Task;
import dev.spindle.TaskCatalog;
import dev.spindle.TaskRegistry;
import java.math.BigInteger;
import java.util.Collection;
import java.util.List;

/** The tasks the asyncio programs offload with run_in_executor (child JVMs load this catalog by name). */
public final class AsyncioTasks implements TaskCatalog {
  /** {@code asyncio.blocking-function}: the course's blocking_function: sleeps 1 s (blocking), returns i * i. */
  public static final Task<Integer, Integer> BLOCKING_FUNCTION =
      Task.of("asyncio.blocking-function", Integer.class, Integer.class, i -> {
        Thread.sleep(1000);
        return i * i;
      });

  /** {@code asyncio.factorial}: n! in decimal (the course's ProcessPoolExecutor example). */
  public static final Task<Integer, String> FACTORIAL =
      Task.of("asyncio.factorial", Integer.class, String.class, n -> {
        BigInteger f = BigInteger.ONE;
        for (int i = 2; i <= n; i++) {
          f = f.multiply(BigInteger.valueOf(i));
        }
        return f.toString();
      });

  /** A portable registry holding this catalog. */
  public static final TaskRegistry REGISTRY = TaskRegistry.of(AsyncioTasks.class);

  /** Public for {@link TaskRegistry}'s reflective construction. */
  public AsyncioTasks() {}

  @Override
  public Collection<Task<?, ?>> tasks() {
    return List.of(BLOCKING_FUNCTION, FACTORIAL);
  }
}
