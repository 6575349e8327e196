package dev.spindle.internal.local;

import dev.spindle.Task;
import dev.spindle.TypeRef;
import java.util.concurrent.Callable;

/**
 * The built-in tasks behind {@link dev.spindle.TaskExecutor#asExecutorService()}: they run a Java
 * closure, so they exist only in-JVM and bypass the task registry (the closure is the caller's own
 * code, not a task type named by data).
 */
final class ClosureTasks {
  private ClosureTasks() {}

  /** Runs a {@link Runnable}; yields null. */
  @SuppressWarnings("NullAway") // a Runnable has no value: the output is null
  static final Task<Runnable, Object> RUNNABLE = Task.generic("spindle.runnable",
      new TypeRef<Runnable>() {}, new TypeRef<Object>() {}, (r, ctx) -> {
        r.run();
        return null;
      });

  /** Runs a {@link Callable}; yields its value. */
  static final Task<Callable<?>, Object> CALLABLE = Task.generic("spindle.callable",
      new TypeRef<Callable<?>>() {}, new TypeRef<Object>() {}, (c, ctx) -> c.call());
}
