package dev.spindle.thumbnails;

import dev.spindle.TaskExecutor;
import java.nio.file.Path;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Where the CPU-bound resize stage runs. Immutable.
 *
 * <ul>
 *   <li>{@link #threads(int)}: platform threads in this JVM (default, one per core);
 *   <li>{@link #processes(int)}: long-lived child JVMs ({@code spindle-process}); the bytes written
 *       are also summed in a cross-process counter;
 *   <li>{@link #queue(String, int)}: a durable job queue (SQLite by default), one job per image, consumed by
 *       workers in this JVM and by any other worker process pointed at the same database;
 *   <li>{@link #executor(TaskExecutor)}: any Spindle executor you own (not closed by the maker).
 * </ul>
 * Every kind runs the same {@link ThumbnailTasks#RESIZE} task.
 */
public final class ResizePool {
  /** The kinds of pool. */
  public enum Kind { THREADS, PROCESSES, QUEUE, EXECUTOR }

  private final Kind kind;
  private final int workers;
  private final @Nullable String storeLocation;
  private final @Nullable TaskExecutor executor;

  private ResizePool(Kind kind, int workers, @Nullable String storeLocation, @Nullable TaskExecutor executor) {
    this.kind = kind;
    this.workers = workers;
    this.storeLocation = storeLocation;
    this.executor = executor;
  }

  /**
   * {@code workers} platform threads in this JVM.
   *
   * @throws IllegalArgumentException if {@code workers} is not 1..1024
   */
  public static ResizePool threads(int workers) {
    return new ResizePool(Kind.THREADS, checkWorkers(workers), null, null);
  }

  /** One platform thread per available processor. */
  public static ResizePool threads() {
    return threads(Runtime.getRuntime().availableProcessors());
  }

  /**
   * {@code workers} child JVMs.
   *
   * @throws IllegalArgumentException if {@code workers} is not 1..1024
   */
  public static ResizePool processes(int workers) {
    return new ResizePool(Kind.PROCESSES, checkWorkers(workers), null, null);
  }

  /**
   * A durable job queue in the SQLite file {@code database}, consumed by {@code workers} local
   * workers (0 = none here: workers elsewhere do the work).
   *
   * @throws IllegalArgumentException if {@code workers} is not 0..1024
   */
  public static ResizePool queue(Path database, int workers) {
    Objects.requireNonNull(database, "database");
    return queue("sqlite:" + database.toAbsolutePath(), workers);
  }

  /**
   * A durable job queue in the store at {@code storeLocation} ({@code sqlite:path},
   * {@code memory:name}, {@code redis://host:port}; see {@code dev.spindle.queue.JobStores}), one
   * job per image on the queue {@code thumbnails}, consumed by {@code workers} local workers
   * (0 = none here: {@code spindle worker} processes elsewhere do the work).
   *
   * @throws IllegalArgumentException if {@code workers} is not 0..1024 or the location is blank
   */
  public static ResizePool queue(String storeLocation, int workers) {
    Objects.requireNonNull(storeLocation, "storeLocation");
    if (storeLocation.isBlank()) {
      throw new IllegalArgumentException("empty store location");
    }
    if (workers < 0 || workers > 1024) {
      throw new IllegalArgumentException("queue workers must be 0..1024: " + workers);
    }
    return new ResizePool(Kind.QUEUE, workers, storeLocation, null);
  }

  /** A caller-owned executor of any model; the maker submits to it and never shuts it down. */
  public static ResizePool executor(TaskExecutor executor) {
    Objects.requireNonNull(executor, "executor");
    return new ResizePool(Kind.EXECUTOR, Math.max(1, executor.config().workers()), null, executor);
  }

  private static int checkWorkers(int workers) {
    if (workers < 1 || workers > 1024) {
      throw new IllegalArgumentException("resize workers must be 1..1024: " + workers);
    }
    return workers;
  }

  /** The kind. */
  public Kind kind() {
    return kind;
  }

  /** Worker threads, processes or local queue workers. */
  public int workers() {
    return workers;
  }

  /** The queue's store location, for {@link Kind#QUEUE}; otherwise null. */
  public @Nullable String storeLocation() {
    return storeLocation;
  }

  /** The caller's executor, for {@link Kind#EXECUTOR}; otherwise null. */
  public @Nullable TaskExecutor executor() {
    return executor;
  }

  /** A copy of this pool description with another worker count (not for EXECUTOR). */
  public ResizePool withWorkers(int n) {
    return switch (kind) {
      case THREADS -> threads(n);
      case PROCESSES -> processes(n);
      case QUEUE -> queue(Objects.requireNonNull(storeLocation, "a queue pool has a store"), n);
      case EXECUTOR -> throw new IllegalStateException("the worker count of a caller's executor is fixed");
    };
  }

  @Override
  public String toString() {
    return switch (kind) {
      case THREADS -> workers + " thread" + (workers == 1 ? "" : "s");
      case PROCESSES -> workers + " child JVM" + (workers == 1 ? "" : "s");
      case QUEUE -> "durable queue " + storeLocation + " (" + workers + " local worker" + (workers == 1 ? "" : "s") + ")";
      case EXECUTOR -> {
        TaskExecutor e = Objects.requireNonNull(executor, "an executor pool has an executor");
        yield e.model() + " executor '" + e.config().name() + "'";
      }
    };
  }
}
