package dev.spindle.coroutine;

/**
 * asyncio's {@code Event}: coroutines of one loop {@link #await()} until another {@link #set()}s it.
 * Setting wakes every waiter; a set event lets {@code await()} return at once until
 * {@link #clear()}ed. Use only from coroutines of one loop.
 */
public final class AsyncEvent {
  private final Waiters waiters = new Waiters();
  private boolean set;

  /** A clear event. */
  public AsyncEvent() {}

  /** Sets the flag and wakes every waiting coroutine. */
  public void set() {
    Async.requireStrand();
    set = true;
    waiters.wakeAll();
  }

  /** Clears the flag. */
  public void clear() {
    Async.requireStrand();
    set = false;
  }

  /** True if set. */
  public boolean isSet() {
    return set;
  }

  /** Suspends until set ({@code await event.wait()}); at once if set now. Returns true. */
  public boolean await() {
    if (set) {
      return true;
    }
    waiters.await(Async.requireStrand());
    return true;
  }
}
