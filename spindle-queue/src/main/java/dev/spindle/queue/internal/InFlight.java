package dev.spindle.queue.internal;

import dev.spindle.Task;
import dev.spindle.TaskContext;
import dev.spindle.TaskFuture;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobObserver;
import dev.spindle.queue.RunningJob;
import dev.spindle.queue.Workflow;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One job a worker runs now. Flags are set before the future is cancelled. Its observer attempt
 * starts on first use ({@link #attempt()}): on an in-JVM executor that is the task's own thread
 * when the execution begins, so span and timer creation stay off the dispatcher thread, the one
 * thread every job of the worker passes through. Thread-safe.
 */
final class InFlight {
  final JobInfo job;
  final Task<Object, Object> task;
  final long claimedNanos;
  private final Listeners listeners;
  private final Duration waited;
  private volatile JobObserver.@Nullable Attempt attempt;
  final long startNanos;
  /** When the execution ended (its future completed), on the monotonic clock; 0 before. */
  volatile long endNanos;
  /** The execution, once submitted to the executor; null before. */
  volatile @Nullable TaskFuture<Object> future;
  volatile boolean timedOut;
  volatile boolean cancelRequested;
  volatile boolean lost;
  volatile boolean releasing;
  /** The memoization key of its call if its task is memoized ({@link Memoization}); else null. Set before submission. */
  volatile @Nullable String memoKey;
  /** True once a durable call suspended the job: the store moved it; no outcome is written. */
  volatile boolean suspended;
  /** Set when a durable limit or a divergence ends the job DEAD, whatever the task then returns. */
  volatile dev.spindle.queue.@Nullable DurableJobException deadBy;
  /** True if its arguments were encrypted: its result is encrypted too. Set before submission. */
  volatile boolean sealed;
  /** The thread running the execution in this JVM while it runs (in-JVM models); null otherwise. */
  volatile @Nullable Thread thread;
  /** When the execution began running in this JVM (monotonic clock); 0 before, or in a child JVM. */
  volatile long runningSinceNanos;

  @SuppressWarnings("unchecked")
  InFlight(JobInfo job, Task<?, ?> task, long claimedNanos, Listeners listeners,
      Duration waited, long startNanos) {
    this.job = job;
    this.listeners = listeners;
    this.waited = waited;
    this.startNanos = startNanos;
    this.task = (Task<Object, Object>) task;
    this.claimedNanos = claimedNanos;
  }

  /**
   * The observer's handle of this attempt, started (with the wait measured at the claim) by the
   * first caller: the execution's thread as it begins, or whoever ends an execution that never
   * began. Started once.
   */
  JobObserver.Attempt attempt() {
    JobObserver.Attempt a = attempt;
    if (a == null) {
      synchronized (this) {
        a = attempt;
        if (a == null) {
          a = listeners.started(job, waited);
          attempt = a;
        }
      }
    }
    return a;
  }

  private volatile dev.spindle.queue.@Nullable DurableContext durable;

  /** The attempt's durable context, made by {@code make} at the first call. */
  dev.spindle.queue.DurableContext durable(java.util.function.Supplier<dev.spindle.queue.DurableContext> make) {
    dev.spindle.queue.DurableContext d = durable;
    if (d == null) {
      synchronized (this) {
        d = durable;
        if (d == null) {
          d = make.get();
          durable = d;
        }
      }
    }
    return d;
  }

  /** Its progress reports not yet written, created at the first one; null before. */
  private volatile ProgressReports.@Nullable Pending pending;

  /** Its reports not yet written, created now if it had none. */
  ProgressReports.Pending pending() {
    ProgressReports.Pending p = pending;
    if (p == null) {
      synchronized (this) {
        p = pending;
        if (p == null) {
          p = new ProgressReports.Pending();
          pending = p;
        }
      }
    }
    return p;
  }

  /** Its reports not yet written, or null if it never reported. */
  ProgressReports.@Nullable Pending pendingOrNull() {
    return pending;
  }

  /** True once the worker wants the execution to stop for any reason. */
  boolean stopRequested() {
    return timedOut || cancelRequested || lost || releasing;
  }

  /**
   * True if the execution's thread is inside {@code System.exit} (or {@code Runtime.exit}): the task
   * asked the JVM to exit and waits there, while the shutdown hooks run, until the JVM halts.
   */
  boolean callsExit() {
    Thread t = thread;
    if (t == null) {
      return false;
    }
    for (StackTraceElement e : t.getStackTrace()) {
      String c = e.getClassName();
      if ((c.equals("java.lang.Shutdown") || c.equals("java.lang.Runtime")) && e.getMethodName().equals("exit")) {
        return true;
      }
    }
    return false;
  }

  /** Stops the execution (interrupting a thread, killing a process); false if already done. */
  boolean stop() {
    TaskFuture<Object> f = future;
    return f != null && f.cancel(true);
  }

  /** Makes the durable context of a job's attempt, once per attempt. */
  interface Durability {
    /**
     * The attempt's durable context.
     *
     * @throws UnsupportedOperationException if the store has no durable execution
     */
    dev.spindle.queue.DurableContext of(InFlight job);
  }

  /** The input and job of one execution on an in-JVM executor. */
  record Call(InFlight job, Object input, String workerName, ChildSubmitter children, Durability durability,
      ProgressReports reports) {
    Object run(TaskContext ctx) throws Exception {
      job.thread = Thread.currentThread();
      job.runningSinceNanos = System.nanoTime();
      try (JobObserver.Scope scope = job.attempt().open()) {
        return job.task.run(input, new JobContext(ctx, job, workerName, children, durability, reports));
      } finally {
        job.thread = null;
      }
    }
  }

  /** The {@link TaskContext} a task sees when it runs as a queue job. */
  record JobContext(TaskContext inner, InFlight job, String worker, ChildSubmitter children, Durability durability,
      ProgressReports reports) implements TaskContext, RunningJob, dev.spindle.queue.DurableContext.Source {
    /** Held in the worker and written with the next batch ({@link ProgressReports}). */
    @Override
    public void progress(double fraction, String message) {
      reports.progress(job, fraction, message);
    }

    /** Held in the worker and written with the next batch ({@link ProgressReports}). */
    @Override
    public void log(LogLevel level, String message) {
      reports.log(job, level, message);
    }

    @Override
    public dev.spindle.queue.DurableContext durable() {
      return durability.of(job);
    }

    @Override
    public String jobId() {
      return job.job.id();
    }

    @Override
    public List<String> addChildren(Workflow workflow) {
      if (job.stopRequested()) {
        throw new IllegalStateException("job " + job.job.id() + " is being stopped (" + stopReason()
            + "); its children were not added");
      }
      return children.add(job.job.id(), job.job.fence(), workflow);
    }

    private String stopReason() {
      return job.timedOut ? "timed out" : job.lost ? "its lease was lost" : job.cancelRequested ? "cancelled"
          : "the worker is stopping";
    }

    @Override
    public String taskName() {
      return job.job.task();
    }

    @Override
    public String executionId() {
      return job.job.id();
    }

    @Override
    public int attempt() {
      return job.job.attempt();
    }

    @Override
    public String workerName() {
      return worker;
    }

    @Override
    public boolean isCancelled() {
      return job.stopRequested() || inner.isCancelled();
    }
  }
}
