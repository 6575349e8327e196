package dev.spindle.thumbnails.internal;

import dev.spindle.ExecutionModel;
import dev.spindle.Spindle;
import dev.spindle.TaskExecutor;
import dev.spindle.TaskRegistry;
import dev.spindle.process.ProcessOptions;
import dev.spindle.process.SharedCounter;
import dev.spindle.queue.DistributedOptions;
import dev.spindle.queue.JobOptions;
import dev.spindle.thumbnails.ResizePool;
import dev.spindle.thumbnails.ThumbnailTasks;
import java.util.Objects;

/** Starts the {@link ResizeBackend} for a {@link ResizePool}. */
public final class ResizeBackends {
  /** The queue every image job goes to in the durable-queue pool. */
  public static final String QUEUE_NAME = "thumbnails";
  /** Consumers feeding a queue whose workers all live elsewhere. */
  private static final int REMOTE_CONSUMERS = 8;

  private ResizeBackends() {}

  /** The consumer count the backend for {@code pool} will have. */
  public static int consumersFor(ResizePool pool) {
    return switch (pool.kind()) {
      case THREADS -> pool.workers();
      case QUEUE -> pool.workers() == 0 ? REMOTE_CONSUMERS : pool.workers() * 2;
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
      case EXECUTOR -> new ExecutorResizeBackend(Objects.requireNonNull(pool.executor(), "an executor pool"), false, pool.toString(), null, null, null,
          consumersFor(pool));
      case PROCESSES -> processes(pool.workers());
      case QUEUE -> queue(pool);
    };
  }

  private static ResizeBackend processes(int workers) {
    SharedCounter counter = SharedCounter.create();
    try {
      TaskExecutor executor = Spindle.executor(ExecutionModel.PROCESSES).workers(workers).name("thumbnails")
          .registry(TaskRegistry.of(ThumbnailTasks.class))
          .with(ProcessOptions.builder().initializer(ThumbnailTasks.WARM_UP.name(), Integer.toString(WarmUp.DEFAULT_MAX_ROUNDS))
              .startupTimeout(java.time.Duration.ofSeconds(180)).build())
          .start();
      return new ExecutorResizeBackend(executor, true, workers + " child JVM" + (workers == 1 ? "" : "s"),
          counter.descriptor().path(), counter::get, counter, workers * 2);
    } catch (RuntimeException e) {
      counter.close();
      throw e;
    }
  }

  private static ResizeBackend queue(ResizePool pool) {
    int local = pool.workers();
    DistributedOptions options = DistributedOptions.builder()
        .storeLocation(Objects.requireNonNull(pool.storeLocation(), "a queue pool's store location"))
        .jobOptions(JobOptions.builder().queue(QUEUE_NAME).build())
        .embeddedWorker(local > 0).build();
    TaskExecutor executor = Spindle.executor(ExecutionModel.DISTRIBUTED).workers(Math.max(1, local)).name("thumbnails")
        .registry(TaskRegistry.of(ThumbnailTasks.class)).with(options).start();
    return new ExecutorResizeBackend(executor, true, pool.toString(), null, null, null, consumersFor(pool));
  }
}
