package dev.spindle.coroutine.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * The cooperative scheduler of one event loop: every coroutine is a virtual thread
 * ({@link Strand}), and exactly one of them holds the <em>baton</em> at a time. A strand gives the
 * baton up only at a suspension point ({@link #suspend}, {@link #yieldNow}, or its end); the baton
 * then goes to the strand at the head of the FIFO ready queue. So coroutines interleave only where
 * they suspend, as on asyncio's loop, and any call that blocks the running strand's thread (a
 * {@code Thread.sleep}, a socket read, a CPU loop) blocks every other coroutine of the loop.
 *
 * <p>Wake-ups ({@link #wake}, timers, cancellations) may come from any thread; they only move a
 * strand to the ready queue, or hand it the baton if nobody holds it. Memory effects of a strand
 * are visible to the next holder (the hand-off goes through the mutex). Thread-safe. Not API.
 */
public final class Scheduler {
  private static final ThreadLocal<@Nullable Strand> CURRENT = new ThreadLocal<>();
  private static final ScheduledThreadPoolExecutor TIMER = timer();

  private final String name;
  private final ReentrantLock mutex = new ReentrantLock();
  private final ArrayDeque<Strand> ready = new ArrayDeque<>();
  private volatile @Nullable Strand owner;
  private final Set<Strand> live = ConcurrentHashMap.newKeySet();
  private long switches;

  /** A scheduler whose strands' threads are named {@code <name> <strand>}. */
  public Scheduler(String name) {
    this.name = name;
  }

  private static ScheduledThreadPoolExecutor timer() {
    ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
      Thread th = new Thread(r, "spindle-coroutine-timer");
      th.setDaemon(true);
      return th;
    });
    t.setRemoveOnCancelPolicy(true);
    return t;
  }

  /** The strand running on the calling thread, or null outside any coroutine. */
  public static @Nullable Strand current() {
    return CURRENT.get();
  }

  /**
   * Creates a strand that will run {@code body} once started and given the baton; {@code attachment}
   * is visible through {@link Strand#attachment()} before the body runs. Start it with
   * {@link #start}.
   */
  public Strand create(String strandName, Object attachment, java.util.function.Consumer<Strand> body) {
    Strand s = new Strand(this, strandName);
    s.attach(attachment);
    s.thread = Thread.ofVirtual().name(name + " " + strandName).unstarted(() -> {
      CURRENT.set(s);
      try {
        awaitBaton(s);
        body.accept(s);
      } finally {
        finish(s);
      }
    });
    return s;
  }

  /**
   * Makes a created strand ready: it runs when the baton reaches it (asyncio's "a task is scheduled
   * when created"). Callable from any thread, once per strand.
   */
  public void start(Strand s) {
    live.add(s);
    mutex.lock();
    try {
      makeReady(s);
    } finally {
      mutex.unlock();
    }
    s.thread.start();
  }

  /** Strands created and not yet finished. */
  public List<Strand> live() {
    return new ArrayList<>(live);
  }

  /** Number of baton hand-offs so far (a measure of context switches). */
  public long switches() {
    mutex.lock();
    try {
      return switches;
    } finally {
      mutex.unlock();
    }
  }

  /**
   * Marks the running strand as about to suspend and returns the token a waker must present.
   *
   * @throws IllegalStateException if {@code s} does not hold the baton
   */
  public long prepare(Strand s) {
    mutex.lock();
    try {
      if (owner != s) {
        throw new IllegalStateException(s + " does not hold the loop");
      }
      s.token++;
      s.waiting = true;
      return s.token;
    } finally {
      mutex.unlock();
    }
  }

  /**
   * Wakes a strand suspended with {@code token}: it becomes ready (or runs at once if the loop is
   * idle). Stale tokens are ignored. Callable from any thread.
   *
   * @return true if this call woke it
   */
  public boolean wake(Strand s, long token) {
    mutex.lock();
    try {
      if (!s.waiting || s.token != token) {
        return false;
      }
      s.waiting = false;
      makeReady(s);
      return true;
    } finally {
      mutex.unlock();
    }
  }

  /** Wakes {@code s} after {@code nanos} unless its suspension ended before; cancel the result after. */
  public ScheduledFuture<?> wakeAfter(Strand s, long token, long nanos) {
    return TIMER.schedule(() -> wake(s, token), Math.max(0, nanos), TimeUnit.NANOSECONDS);
  }

  /**
   * Suspends the running strand after {@link #prepare}: hands the baton on and waits to get it
   * back, then delivers a pending cancellation.
   *
   * @throws CancellationException if the strand was cancelled (the pending cancellation is taken)
   */
  public void suspend(Strand s) {
    mutex.lock();
    try {
      if (s.waiting && s.cancelPending) {
        // cancelled while it ran, before this suspension: deliver now, or nothing would wake it
        s.waiting = false;
        deliverCancel(s);
      }
      handOff();
    } finally {
      mutex.unlock();
    }
    awaitBaton(s);
    deliverCancel(s);
  }

  /**
   * asyncio's {@code sleep(0)}: lets every strand that is ready now run once, then resumes. Returns
   * at once if none is ready.
   *
   * @throws CancellationException if the strand was cancelled
   */
  public void yieldNow(Strand s) {
    mutex.lock();
    try {
      if (owner != s) {
        throw new IllegalStateException(s + " does not hold the loop");
      }
      if (ready.isEmpty()) {
        deliverCancel(s);
        return;
      }
      ready.addLast(s);
      handOff();
    } finally {
      mutex.unlock();
    }
    awaitBaton(s);
    deliverCancel(s);
  }

  /**
   * Asks for {@code s} to be cancelled: the cancellation is delivered at its next suspension point
   * (at once if it is suspended now). With {@code interrupt}, a strand that is running (holding the
   * baton in a blocking call) is also interrupted. Callable from any thread.
   */
  public void cancel(Strand s, boolean interrupt) {
    s.cancelPending = true;
    mutex.lock();
    try {
      if (s.waiting) {
        s.waiting = false;
        makeReady(s);
      } else if (interrupt && owner == s) {
        s.thread.interrupt();
      }
    } finally {
      mutex.unlock();
    }
  }

  private static void deliverCancel(Strand s) {
    if (s.takeCancel()) {
      throw new CancellationException(s.name + " was cancelled");
    }
  }

  private void makeReady(Strand s) {
    if (owner == null) {
      owner = s;
      switches++;
      LockSupport.unpark(s.thread);
    } else {
      ready.addLast(s);
    }
  }

  private void handOff() {
    Strand next = ready.pollFirst();
    owner = next;
    if (next != null) {
      switches++;
      LockSupport.unpark(next.thread);
    }
  }

  private void awaitBaton(Strand s) {
    boolean interrupted = false;
    while (owner != s) {
      LockSupport.park(this);
      if (Thread.interrupted()) {
        interrupted = true; // an interrupt aimed at a blocking call that already returned
      }
    }
    if (interrupted && !s.cancelPending) {
      Thread.currentThread().interrupt();
    }
  }

  private void finish(Strand s) {
    CURRENT.remove();
    live.remove(s);
    mutex.lock();
    try {
      if (owner == s) {
        handOff();
      }
    } finally {
      mutex.unlock();
    }
  }

  @Override
  public String toString() {
    return "Scheduler[" + name + ", " + live.size() + " strands]";
  }
}
