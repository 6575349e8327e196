package dev.spindle.internal.local;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.jspecify.annotations.Nullable;

/**
 * A lock-free multi-producer multi-consumer FIFO of {@link Job}s in which each job is its own
 * node (Michael and Scott's queue, as {@link java.util.concurrent.ConcurrentLinkedQueue}, but
 * intrusive): an offer allocates nothing. The head is always a dummy: polling moves the head to the
 * first job and returns it, so a job stays the dummy until the next poll. A node that left the
 * queue is self-linked, so that a job kept by its caller (as a future) does not keep the jobs
 * queued after it reachable. A job may be offered once, to one queue. Thread-safe.
 */
final class JobQueue {
  private static final VarHandle HEAD;
  private static final VarHandle TAIL;
  private static final VarHandle NEXT;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      HEAD = l.findVarHandle(JobQueue.class, "head", Job.class);
      TAIL = l.findVarHandle(JobQueue.class, "tail", Job.class);
      NEXT = MethodHandles.privateLookupIn(Job.class, l).findVarHandle(Job.class, "next", Job.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @SuppressWarnings("unused") // via HEAD
  private volatile Job<?> head;
  @SuppressWarnings("unused") // via TAIL
  private volatile Job<?> tail;

  JobQueue() {
    Job<?> dummy = new Sentinel();
    head = dummy;
    tail = dummy;
  }

  /** Appends a job. */
  void offer(Job<?> job) {
    while (true) {
      Job<?> t = (Job<?>) TAIL.getVolatile(this);
      Job<?> p = t;
      while (true) {
        Job<?> q = (Job<?>) NEXT.getVolatile(p);
        if (q == null) {
          if (NEXT.compareAndSet(p, null, job)) {
            TAIL.compareAndSet(this, t, job); // best effort; others help
            return;
          }
          // lost a race for p.next: read it again
        } else if (q == p) {
          break; // p left the queue: start again from the current tail
        } else {
          p = q;
        }
      }
    }
  }

  /** Removes and returns the oldest job, or null if empty. */
  @Nullable Job<?> poll() {
    while (true) {
      Job<?> h = (Job<?>) HEAD.getVolatile(this);
      Job<?> n = (Job<?>) NEXT.getVolatile(h);
      if (n == null) {
        return null;
      }
      if (n == h) {
        continue; // h was just taken by another consumer
      }
      if (TAIL.getVolatile(this) == h) {
        TAIL.compareAndSet(this, h, n); // keep the tail ahead of the head
        continue;
      }
      if (HEAD.compareAndSet(this, h, n)) {
        NEXT.setRelease(h, h); // forget the successors of a node that left
        return n;
      }
    }
  }

  /** True if no job is queued (a snapshot). */
  boolean isEmpty() {
    while (true) {
      Job<?> h = (Job<?>) HEAD.getVolatile(this);
      Job<?> n = (Job<?>) NEXT.getVolatile(h);
      if (n != h) {
        return n == null;
      }
    }
  }

  /** The initial dummy node; never run. */
  private static final class Sentinel extends Job<Void> {
    @SuppressWarnings("NullAway") // never run, so it has no executor
    Sentinel() {
      super(null, 0, "spindle.queue-sentinel");
    }

    @Override
    void execute(Counters counters) {
      throw new IllegalStateException("the queue sentinel is not a job");
    }

    @Override
    Runnable asRunnable() {
      throw new IllegalStateException("the queue sentinel is not a job");
    }
  }
}
