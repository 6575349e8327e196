package dev.spindle.process.internal.shm;

import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * The state of a joinable queue in its creating process: items (JSON bytes), a size limit and
 * the count of unfinished items for {@code join}. Timeouts are in nanoseconds; negative means wait
 * forever, 0 means do not wait. Thread-safe.
 */
public final class LocalQueue {
  private final int maxsize;
  private final ArrayDeque<byte[]> items = new ArrayDeque<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();
  private final Condition notFull = lock.newCondition();
  private final Condition allDone = lock.newCondition();
  private long unfinished;

  /** @param maxsize the most items held; 0 for no limit */
  public LocalQueue(int maxsize) {
    this.maxsize = maxsize;
  }

  public int maxsize() {
    return maxsize;
  }

  /** Adds an item; false if still full when the timeout elapsed. */
  public boolean put(byte[] item, long timeoutNanos) throws InterruptedException {
    lock.lockInterruptibly();
    try {
      long left = timeoutNanos;
      while (maxsize > 0 && items.size() >= maxsize) {
        if (timeoutNanos < 0) {
          notFull.await();
        } else {
          if (left <= 0) {
            return false;
          }
          left = notFull.awaitNanos(left);
        }
      }
      items.addLast(item);
      unfinished++;
      notEmpty.signal();
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Puts an item taken by a consumer that went away back at the front. */
  public void putBack(byte[] item) {
    lock.lock();
    try {
      items.addFirst(item);
      notEmpty.signal();
    } finally {
      lock.unlock();
    }
  }

  /** Takes the oldest item; null if still empty when the timeout elapsed. */
  public byte @Nullable [] get(long timeoutNanos) throws InterruptedException {
    lock.lockInterruptibly();
    try {
      long left = timeoutNanos;
      while (items.isEmpty()) {
        if (timeoutNanos < 0) {
          notEmpty.await();
        } else {
          if (left <= 0) {
            return null;
          }
          left = notEmpty.awaitNanos(left);
        }
      }
      byte[] item = items.pollFirst();
      notFull.signal();
      return item;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Marks one item processed.
   *
   * @throws IllegalStateException if called more often than items were put
   */
  public void taskDone() {
    lock.lock();
    try {
      if (unfinished <= 0) {
        throw new IllegalStateException("task_done() called more times than there were items put in the queue");
      }
      unfinished--;
      if (unfinished == 0) {
        allDone.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Waits until every item put was marked done; false on timeout. */
  public boolean join(long timeoutNanos) throws InterruptedException {
    lock.lockInterruptibly();
    try {
      long left = timeoutNanos;
      while (unfinished > 0) {
        if (timeoutNanos < 0) {
          allDone.await();
        } else {
          if (left <= 0) {
            return false;
          }
          left = allDone.awaitNanos(left);
        }
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Items waiting now. */
  public int size() {
    lock.lock();
    try {
      return items.size();
    } finally {
      lock.unlock();
    }
  }

  /** Items put and not yet marked done. */
  public long unfinished() {
    lock.lock();
    try {
      return unfinished;
    } finally {
      lock.unlock();
    }
  }
}
