package dev.spindle.coroutine;

import dev.spindle.coroutine.internal.Strand;
import java.util.ArrayDeque;
import java.util.concurrent.CancellationException;

/**
 * The FIFO of coroutines suspended on one primitive. Touched only by the coroutine holding the
 * loop, so it needs no locking of its own. Package-private.
 */
final class Waiters {
  /** One suspended coroutine; {@code granted} when the primitive handed it what it waits for. */
  static final class Waiter {
    final Strand strand;
    final long token;
    boolean granted;

    Waiter(Strand strand, long token) {
      this.strand = strand;
      this.token = token;
    }
  }

  private final ArrayDeque<Waiter> queue = new ArrayDeque<>();

  boolean isEmpty() {
    return queue.isEmpty();
  }

  int size() {
    return queue.size();
  }

  /**
   * Suspends {@code me} at the back of the queue until {@link #wakeFirst} or {@link #wakeAll} picks
   * it. On cancellation the waiter leaves the queue; the caller's handler learns through the
   * returned waiter's {@code granted} whether something was handed over to it anyway.
   *
   * @throws CancellationException with the waiter attached via {@link Cancelled}
   */
  Waiter await(Strand me) {
    long token = me.scheduler().prepare(me);
    Waiter w = new Waiter(me, token);
    queue.addLast(w);
    try {
      me.scheduler().suspend(me);
    } catch (CancellationException e) {
      queue.remove(w);
      throw new Cancelled(w, e);
    }
    return w;
  }

  /** Wakes the first waiter with {@code granted} set; false if none. */
  boolean wakeFirst(boolean grant) {
    Waiter w = queue.pollFirst();
    if (w == null) {
      return false;
    }
    w.granted = grant;
    w.strand.scheduler().wake(w.strand, w.token);
    return true;
  }

  /** Wakes every waiter. */
  void wakeAll() {
    while (wakeFirst(true)) {
      // next
    }
  }

  /** A cancellation that carries the waiter, so a primitive can give back what it was granted. */
  static final class Cancelled extends CancellationException {
    private static final long serialVersionUID = 1L;
    final transient Waiter waiter;

    Cancelled(Waiter waiter, CancellationException cause) {
      super(cause.getMessage());
      this.waiter = waiter;
    }
  }
}
