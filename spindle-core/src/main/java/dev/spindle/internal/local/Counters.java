package dev.spindle.internal.local;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where a running {@link Job} records its outcome (executions, failures, run time). Two kinds:
 * {@link Single} for one long-lived worker thread (plain single-writer fields, no atomic
 * instructions on the hot path) and {@link Shared} for threads created per execution.
 */
abstract sealed class Counters {
  /** A finished execution, failed or not, that ran for {@code nanos}. */
  abstract void record(boolean failed, long nanos);

  /** Takes back a {@link #record} whose completion lost against a cancellation. */
  abstract void undo(boolean failed, long nanos);

  abstract long executed();

  abstract long failed();

  abstract long runtimeNanos();

  /**
   * Written only by its worker thread (opaque writes, so readers on other threads see whole
   * values without tearing), read by anyone.
   */
  static final class Single extends Counters {
    private static final VarHandle EXECUTED;
    private static final VarHandle FAILED;
    private static final VarHandle RUNTIME;
    private static final VarHandle STARTED;

    static {
      try {
        MethodHandles.Lookup l = MethodHandles.lookup();
        EXECUTED = l.findVarHandle(Single.class, "executed", long.class);
        FAILED = l.findVarHandle(Single.class, "failed", long.class);
        RUNTIME = l.findVarHandle(Single.class, "runtime", long.class);
        STARTED = l.findVarHandle(Single.class, "started", long.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    @SuppressWarnings("unused") private long executed;
    @SuppressWarnings("unused") private long failed;
    @SuppressWarnings("unused") private long runtime;
    @SuppressWarnings("unused") private long started;

    @Override
    void record(boolean fail, long nanos) {
      EXECUTED.setOpaque(this, (long) EXECUTED.get(this) + 1);
      RUNTIME.setOpaque(this, (long) RUNTIME.get(this) + nanos);
      if (fail) {
        FAILED.setOpaque(this, (long) FAILED.get(this) + 1);
      }
    }

    @Override
    void undo(boolean fail, long nanos) {
      EXECUTED.setOpaque(this, (long) EXECUTED.get(this) - 1);
      RUNTIME.setOpaque(this, (long) RUNTIME.get(this) - nanos);
      if (fail) {
        FAILED.setOpaque(this, (long) FAILED.get(this) - 1);
      }
    }

    /** One more job taken off the queue by this worker (for the queued gauge). */
    void dequeued() {
      STARTED.setOpaque(this, (long) STARTED.get(this) + 1);
    }

    long dequeuedCount() {
      return (long) STARTED.getOpaque(this);
    }

    @Override
    long executed() {
      return (long) EXECUTED.getOpaque(this);
    }

    @Override
    long failed() {
      return (long) FAILED.getOpaque(this);
    }

    @Override
    long runtimeNanos() {
      return (long) RUNTIME.getOpaque(this);
    }
  }

  /** Updated by any thread. */
  static final class Shared extends Counters {
    private final LongAdder executed = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder runtime = new LongAdder();

    /** Adds what {@code other} counted (whose writer has stopped). */
    void add(Counters other) {
      executed.add(other.executed());
      failed.add(other.failed());
      runtime.add(other.runtimeNanos());
    }

    @Override
    void record(boolean fail, long nanos) {
      executed.increment();
      runtime.add(nanos);
      if (fail) {
        failed.increment();
      }
    }

    @Override
    void undo(boolean fail, long nanos) {
      executed.decrement();
      runtime.add(-nanos);
      if (fail) {
        failed.decrement();
      }
    }

    @Override
    long executed() {
      return executed.sum();
    }

    @Override
    long failed() {
      return failed.sum();
    }

    @Override
    long runtimeNanos() {
      return runtime.sum();
    }
  }
}
