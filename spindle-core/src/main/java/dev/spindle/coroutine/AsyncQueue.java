package dev.spindle.coroutine;

import dev.spindle.coroutine.internal.Strand;
import java.util.ArrayDeque;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * asyncio's {@code Queue}: FIFO between the coroutines of one loop. {@link #get()} suspends while
 * empty, {@link #put} while full (if bounded); {@link #taskDone()} and {@link #join()} count
 * unfinished items as in {@code queue.Queue}. Nulls are refused. Use only from coroutines of one
 * loop.
 *
 * @param <T> the item type
 */
public final class AsyncQueue<T> {
  private final int maxSize;
  private final ArrayDeque<T> items = new ArrayDeque<>();
  private final Waiters getters = new Waiters();
  private final Waiters putters = new Waiters();
  private final Waiters joiners = new Waiters();
  private int unfinished;

  /**
   * A queue holding at most {@code maxSize} items; 0 for unbounded (as in asyncio).
   *
   * @throws IllegalArgumentException if negative
   */
  public AsyncQueue(int maxSize) {
    if (maxSize < 0) {
      throw new IllegalArgumentException("maxSize must be >= 0 (0: unbounded): " + maxSize);
    }
    this.maxSize = maxSize;
  }

  /** An unbounded queue. */
  public AsyncQueue() {
    this(0);
  }

  /** Items now. */
  public int size() {
    return items.size();
  }

  /** True if no item. */
  public boolean isEmpty() {
    return items.isEmpty();
  }

  /** True if bounded and at its bound. */
  public boolean isFull() {
    return maxSize > 0 && items.size() >= maxSize;
  }

  /** Adds an item, suspending while full. */
  public void put(T item) {
    Objects.requireNonNull(item, "item");
    Strand me = Async.requireStrand();
    while (isFull()) {
      try {
        putters.await(me);
      } catch (Waiters.Cancelled c) {
        if (!isFull()) {
          putters.wakeFirst(true); // pass the wake-up on: we no longer use the free slot
        }
        throw c;
      }
    }
    add(item);
  }

  /**
   * Adds an item without waiting.
   *
   * @throws IllegalStateException if full (asyncio's {@code QueueFull})
   */
  public void putNowait(T item) {
    Objects.requireNonNull(item, "item");
    Async.requireStrand();
    if (isFull()) {
      throw new IllegalStateException("queue full (" + maxSize + " items)");
    }
    add(item);
  }

  private void add(T item) {
    items.addLast(item);
    unfinished++;
    getters.wakeFirst(true);
  }

  /** Removes and returns the oldest item, suspending while empty. */
  public T get() {
    Strand me = Async.requireStrand();
    while (items.isEmpty()) {
      try {
        getters.await(me);
      } catch (Waiters.Cancelled c) {
        if (!items.isEmpty()) {
          getters.wakeFirst(true);
        }
        throw c;
      }
    }
    return take();
  }

  /**
   * Removes and returns the oldest item without waiting.
   *
   * @throws NoSuchElementException if empty (asyncio's {@code QueueEmpty})
   */
  public T getNowait() {
    Async.requireStrand();
    if (items.isEmpty()) {
      throw new NoSuchElementException("queue empty");
    }
    return take();
  }

  private T take() {
    T item = items.pollFirst();
    putters.wakeFirst(true);
    return Objects.requireNonNull(item);
  }

  /**
   * Marks one item taken earlier as processed.
   *
   * @throws IllegalStateException if called more times than items were put
   */
  public void taskDone() {
    Async.requireStrand();
    if (unfinished <= 0) {
      throw new IllegalStateException("taskDone() called too many times");
    }
    if (--unfinished == 0) {
      joiners.wakeAll();
    }
  }

  /** Suspends until every item put has been marked done. */
  public void join() {
    Strand me = Async.requireStrand();
    while (unfinished > 0) {
      joiners.await(me);
    }
  }
}
