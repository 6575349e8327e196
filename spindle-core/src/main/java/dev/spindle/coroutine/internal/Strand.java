package dev.spindle.coroutine.internal;

import org.jspecify.annotations.Nullable;

/**
 * One coroutine of a {@link Scheduler}: a virtual thread that runs only while it holds the
 * scheduler's baton. Its fields other than {@link #cancelPending} are guarded by the scheduler's
 * mutex. Not API.
 */
public final class Strand {
  final Scheduler scheduler;
  final String name;
  @SuppressWarnings("NullAway.Init") // set by Scheduler.spawn before the strand is published
  Thread thread;
  /** The current suspension's token; a wake-up with another token is stale. */
  long token;
  /** True while suspended and not yet woken. */
  boolean waiting;
  /** A cancellation asked for and not yet delivered at a suspension point. */
  volatile boolean cancelPending;
  /** Anything the owner wants to attach (the API's task object). */
  volatile @Nullable Object attachment;

  Strand(Scheduler scheduler, String name) {
    this.scheduler = scheduler;
    this.name = name;
  }

  /** The scheduler this strand runs on. */
  public Scheduler scheduler() {
    return scheduler;
  }

  /** The strand's name (asyncio's task name, such as {@code Task-2}). */
  public String name() {
    return name;
  }

  /** What the owner attached, or null. */
  public @Nullable Object attachment() {
    return attachment;
  }

  /** Attaches an object (the API's task). */
  public void attach(Object o) {
    attachment = o;
  }

  /** True if a cancellation waits to be delivered at the next suspension point. */
  public boolean cancelPending() {
    return cancelPending;
  }

  /** Takes a pending cancellation: true if there was one (it is then cleared). */
  public boolean takeCancel() {
    if (cancelPending) {
      cancelPending = false;
      return true;
    }
    return false;
  }

  @Override
  public String toString() {
    return "Strand[" + name + "]";
  }
}
