package dev.spindle.thumbnails.internal;

import dev.spindle.ExecutionModel;
import dev.spindle.Spindle;
import dev.spindle.TaskRegistry;
import dev.spindle.thumbnails.ResizePool;
import dev.spindle.thumbnails.ThumbnailTasks;

/** Starts the {@link ResizeBackend} for a {@link ResizePool}. */
public final class ResizeBackends {
  private ResizeBackends() {}

  /** The consumer count the backend for {@code pool} will have. */
  public static int consumersFor(ResizePool pool) {
    return switch (pool.kind()) {
      case THREADS -> pool.workers();
      default -> Math.max(1, pool.workers()) * 2;
    };
  }

  /**
   * Starts a backend.
   *
   * @throws IllegalStateException if the model's module is missing or its workers cannot start
   */
  public static ResizeBackend start(ResizePool pool) {
    return switch (pool.kind()) {
      case THREADS -> new LocalResizeBackend(pool.workers());
      case EXECUTOR -> new ExecutorResizeBackend(pool.executor(), false, pool.toString(), null, null, null);
      case PROCESSES -> processes(pool.workers());
      case QUEUE -> throw new IllegalStateException("the durable-queue resize pool is not available in this build");
    };
  }

  private static ResizeBackend processes(int workers) {
    var executor = Spindle.executor(ExecutionModel.PROCESSES).workers(workers).name("thumbnails")
        .registry(TaskRegistry.of(ThumbnailTasks.class)).start();
    return new ExecutorResizeBackend(executor, true, workers + " child JVM" + (workers == 1 ? "" : "s"), null, null, null);
  }
}
