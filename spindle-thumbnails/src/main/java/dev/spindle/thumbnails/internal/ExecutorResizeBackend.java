package dev.spindle.thumbnails.internal;

import dev.spindle.TaskExecutor;
import dev.spindle.TaskFailedException;
import dev.spindle.TaskFuture;
import dev.spindle.thumbnails.ResizeRequest;
import dev.spindle.thumbnails.ResizeResult;
import dev.spindle.thumbnails.ThumbnailTasks;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Hands each image to a Spindle {@link TaskExecutor} as a {@link ThumbnailTasks#RESIZE} task:
 * the same task on threads, child JVMs or a durable queue. Consumers are virtual threads that wait
 * for results; twice as many consumers as workers keep every worker busy while results travel.
 */
final class ExecutorResizeBackend implements ResizeBackend {
  private final TaskExecutor executor;
  private final boolean owned;
  private final String description;
  private final @Nullable String counterName;
  private final @Nullable LongSupplier counterValue;
  private final @Nullable AutoCloseable extra;
  private final int consumers;

  /**
   * @param owned whether {@link #close()} shuts the executor down
   * @param counterName cross-process counter for resized bytes, or null
   * @param counterValue reads that counter, or null
   * @param extra closed after the executor (e.g. the counter), or null
   */
  public ExecutorResizeBackend(TaskExecutor executor, boolean owned, String description, @Nullable String counterName,
      @Nullable LongSupplier counterValue, @Nullable AutoCloseable extra, int consumers) {
    this.executor = executor;
    this.owned = owned;
    this.description = description;
    this.counterName = counterName;
    this.counterValue = counterValue;
    this.extra = extra;
    this.consumers = consumers;
  }

  /** The executor the work goes to. */
  public TaskExecutor executor() {
    return executor;
  }

  private ResizeRequest withCounter(ResizeRequest r) {
    return counterName == null ? r : r.withSharedCounter(counterName);
  }

  @Override
  public ResizeResult resize(ResizeRequest request) throws Exception {
    TaskFuture<ResizeResult> f = executor.submit(ThumbnailTasks.RESIZE, withCounter(request));
    try {
      return f.result();
    } catch (TaskFailedException e) {
      throw e.getCause() instanceof Exception ex ? ex : e;
    } catch (dev.spindle.TaskInterruptedException e) {
      f.cancel(true);
      throw new InterruptedException(e.getMessage());
    }
  }

  @Override
  public List<ResizeResult> map(List<ResizeRequest> requests) {
    List<ResizeRequest> reqs = requests.stream().map(this::withCounter).toList();
    List<ResizeResult> out = new ArrayList<>(reqs.size());
    try (var it = executor.map(ThumbnailTasks.RESIZE, reqs)) {
      for (int i = 0; it.hasNext(); i++) {
        try {
          out.add(it.next());
        } catch (TaskFailedException e) {
          out.add(failedResult(reqs.get(i), e.getCause() != null ? e.getCause() : e));
        }
      }
    }
    return out;
  }

  /** A failed result for a task that threw: a lost worker or an unexpected error. */
  static ResizeResult failedResult(ResizeRequest r, Throwable t) {
    boolean lost = t instanceof dev.spindle.WorkerLostException;
    return ResizeResult.failed(r.source(), lost ? dev.spindle.thumbnails.FailureReason.WORKER_LOST
        : dev.spindle.thumbnails.FailureReason.INTERNAL_ERROR, t.getClass().getSimpleName() + ": " + t.getMessage(), null);
  }

  @Override
  public int consumers() {
    return consumers;
  }

  @Override
  public boolean runsOnConsumer() {
    return false;
  }

  @Override
  public @Nullable String sharedCounterName() {
    return counterName;
  }

  @Override
  public long sharedCounterValue() {
    return counterValue == null ? -1 : counterValue.getAsLong();
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public void close() {
    try {
      if (owned) {
        executor.close();
      }
    } finally {
      if (extra != null) {
        try {
          extra.close();
        } catch (Exception e) {
          org.slf4j.LoggerFactory.getLogger(ExecutorResizeBackend.class).warn("closing {} failed", description, e);
        }
      }
    }
  }
}
