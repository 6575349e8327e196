package dev.spindle.coroutine;

import dev.spindle.coroutine.internal.Strand;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * asyncio's {@code Lock}: a mutual exclusion among the coroutines of one loop that <em>suspends</em>
 * a coroutine waiting for it instead of blocking the loop's thread (a {@code ReentrantLock} would
 * block the whole loop). Fair: released to waiters in arrival order, never taken by a newcomer
 * while others wait. Not reentrant. Use only from coroutines of one loop; it needs no other
 * synchronisation because those never run at the same time.
 */
public final class AsyncLock {
  private final Waiters waiters = new Waiters();
  private boolean locked;

  /** An unlocked lock. */
  public AsyncLock() {}

  /**
   * Takes the lock, suspending while it is held.
   *
   * @throws java.util.concurrent.CancellationException if cancelled while waiting (the lock is not
   *     held then)
   */
  public void acquire() {
    Strand me = Async.requireStrand();
    if (!locked && waiters.isEmpty()) {
      locked = true;
      return;
    }
    try {
      waiters.await(me); // release() hands the lock over: still locked, now ours
    } catch (Waiters.Cancelled c) {
      if (c.waiter.granted) {
        release();
      }
      throw c;
    }
  }

  /**
   * Releases the lock, handing it to the first waiter if any.
   *
   * @throws IllegalStateException if not locked
   */
  public void release() {
    Async.requireStrand();
    if (!locked) {
      throw new IllegalStateException("lock is not acquired");
    }
    if (!waiters.wakeFirst(true)) {
      locked = false;
    }
  }

  /** True while held. */
  public boolean isLocked() {
    return locked;
  }

  /** {@code async with lock:} runs {@code body} holding the lock and releases it however it ends. */
  public <T> @Nullable T withLock(Coroutine<T> body) throws Exception {
    Objects.requireNonNull(body, "body");
    acquire();
    try {
      return body.call();
    } finally {
      release();
    }
  }

  @Override
  public String toString() {
    return "AsyncLock[" + (locked ? "locked" : "unlocked") + ", waiters=" + waiters.size() + "]";
  }
}
