package dev.spindle.queue.internal;

import dev.spindle.queue.JobError;
import dev.spindle.queue.JobEvent;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobListener;
import dev.spindle.queue.JobObserver;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An immutable list of listeners and the {@link JobObserver} of a component, each call isolated
 * from the others' exceptions. Thread-safe.
 */
public final class Listeners {
  private static final Logger LOG = LoggerFactory.getLogger(Listeners.class);
  private static final Listeners NONE = new Listeners(List.of(), JobObserver.NONE);
  private final List<JobListener> listeners;
  private final JobObserver observer;
  private final boolean observing;
  private final AtomicBoolean reportedBadContext = new AtomicBoolean();

  private Listeners(List<JobListener> listeners, JobObserver observer) {
    this.listeners = listeners;
    this.observer = observer;
    this.observing = observer != JobObserver.NONE;
  }

  /** Wraps a list (copied). */
  public static Listeners of(List<JobListener> listeners) {
    return of(listeners, JobObserver.NONE);
  }

  /** Wraps a list (copied) and an observer. */
  public static Listeners of(List<JobListener> listeners, JobObserver observer) {
    Objects.requireNonNull(observer, "observer");
    return listeners.isEmpty() && observer == JobObserver.NONE ? NONE
        : new Listeners(List.copyOf(listeners), observer);
  }

  /** True if there is at least one listener (callers may skip building events otherwise). */
  public boolean active() {
    return !listeners.isEmpty();
  }

  /** The listeners. */
  public List<JobListener> list() {
    return listeners;
  }

  /** The observer ({@link JobObserver#NONE} if none). */
  public JobObserver observer() {
    return observer;
  }

  /** Delivers an event to every listener. */
  public void emit(JobEvent event) {
    for (JobListener l : listeners) {
      try {
        l.onEvent(event);
      } catch (RuntimeException e) {
        LOG.warn("job listener {} threw on {} of job {}; ignored", l, event.type(), event.jobId(), e);
      }
    }
  }

  /** The observer's trace context for a new job, or null (also when it threw or gave a bad one). */
  public @Nullable String captureContext(String queue, String task) {
    if (!observing) {
      return null;
    }
    try {
      return JobInfo.checkTraceContext(observer.captureContext(queue, task));
    } catch (RuntimeException e) {
      if (reportedBadContext.compareAndSet(false, true)) {
        LOG.warn("job observer {} gave no usable trace context ({}); jobs are enqueued without one (reported once)",
            observer, e.toString());
      }
      return null;
    }
  }

  /** Tells the observer a job was added. */
  public void enqueued(String queue, String task) {
    if (observing) {
      try {
        observer.enqueued(queue, task);
      } catch (RuntimeException e) {
        LOG.warn("job observer {} threw on enqueued; ignored", observer, e);
      }
    }
  }

  /** Tells the observer an attempt starts; the handle never throws. */
  public JobObserver.Attempt started(JobInfo job, Duration waited) {
    if (!observing) {
      return JobObserver.Attempt.NONE;
    }
    try {
      JobObserver.Attempt a = observer.started(job, waited);
      return a == null || a == JobObserver.Attempt.NONE ? JobObserver.Attempt.NONE : new SafeAttempt(a, job.id());
    } catch (RuntimeException e) {
      LOG.warn("job observer {} threw on the start of job {}; ignored", observer, job.id(), e);
      return JobObserver.Attempt.NONE;
    }
  }

  /** An attempt whose calls never throw. */
  private record SafeAttempt(JobObserver.Attempt inner, String jobId) implements JobObserver.Attempt {
    @Override
    public @Nullable String traceContext() {
      try {
        return JobInfo.checkTraceContext(inner.traceContext());
      } catch (RuntimeException e) {
        LOG.warn("job observer attempt of job {} threw on traceContext; ignored", jobId, e);
        return null;
      }
    }

    @Override
    public JobObserver.Scope open() {
      try {
        JobObserver.Scope s = inner.open();
        return s == null ? JobObserver.Scope.NOOP : () -> {
          try {
            s.close();
          } catch (RuntimeException e) {
            LOG.warn("job observer scope of job {} threw on close; ignored", jobId, e);
          }
        };
      } catch (RuntimeException e) {
        LOG.warn("job observer attempt of job {} threw on open; ignored", jobId, e);
        return JobObserver.Scope.NOOP;
      }
    }

    @Override
    public void finished(JobObserver.Outcome outcome, Duration runTime, @Nullable JobError error) {
      try {
        inner.finished(outcome, runTime, error);
      } catch (RuntimeException e) {
        LOG.warn("job observer attempt of job {} threw on finished; ignored", jobId, e);
      }
    }
  }
}
