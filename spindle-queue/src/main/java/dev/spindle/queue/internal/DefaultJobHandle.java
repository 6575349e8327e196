package dev.spindle.queue.internal;

import dev.spindle.TaskFuture;
import dev.spindle.queue.JobHandle;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobNotFoundException;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.CancelResult;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** The {@link JobHandle} of a {@link dev.spindle.queue.JobQueue}. Thread-safe. */
public final class DefaultJobHandle<O> implements JobHandle<O> {
  private static final Duration FOREVER = Duration.ofDays(365_000);
  private final ClientCore core;
  private final String id;
  private final String taskName;
  private final Type outputType;
  private final boolean isNew;
  private volatile @Nullable JobFuture<O> future;

  public DefaultJobHandle(ClientCore core, String id, String taskName, Type outputType, boolean isNew) {
    this.core = core;
    this.id = id;
    this.taskName = taskName;
    this.outputType = outputType;
    this.isNew = isNew;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public String taskName() {
    return taskName;
  }

  @Override
  public boolean isNew() {
    return isNew;
  }

  @Override
  public JobState state() {
    return info().orElseThrow(() -> new JobNotFoundException(id)).state();
  }

  @Override
  public Optional<JobInfo> info() {
    return core.store().find(id);
  }

  @Override
  public JobInfo await(Duration timeout) {
    return core.await(id, timeout);
  }

  @Override
  public O result(Duration timeout) {
    return core.outcome(core.await(id, timeout), outputType);
  }

  @Override
  public O result() {
    return result(FOREVER);
  }

  @Override
  public boolean cancel() {
    CancelResult r = core.cancel(id);
    return r == CancelResult.CANCELLED || r == CancelResult.CANCEL_REQUESTED;
  }

  @Override
  public TaskFuture<O> future() {
    JobFuture<O> f = future;
    if (f == null) {
      synchronized (this) {
        f = future;
        if (f == null) {
          f = new JobFuture<>(core, id, taskName, outputType);
          future = f;
        }
      }
    }
    return f;
  }

  @Override
  public String toString() {
    return "JobHandle[" + taskName + " #" + id + "]";
  }
}
