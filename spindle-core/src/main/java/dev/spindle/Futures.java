package dev.spindle;

import dev.spindle.spi.CompletableTaskFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Waiting on several {@link TaskFuture}s at once, as Python's {@code concurrent.futures.wait} and
 * {@code as_completed}: works for futures of any executor and model, mixed.
 *
 * <p>Both register done-callbacks ({@link TaskFuture#onDone}) rather than polling, and remove them
 * again when they give up early (for futures that support it). Timeouts are measured with
 * {@link System#nanoTime()}; a {@code null} timeout means no limit. Duplicate futures (by
 * identity) are counted once. Thread-safe: the methods keep no shared state.
 */
public final class Futures {
  private Futures() {}

  /** When {@link #wait(Collection, Duration, ReturnWhen)} returns. */
  public enum ReturnWhen {
    /** When every future is done (or the timeout ran out). */
    ALL_COMPLETED,
    /** When any future is done (or the timeout ran out). */
    FIRST_COMPLETED,
    /**
     * When any future failed (its task threw; a cancellation does not count), or else when all are
     * done (or the timeout ran out).
     */
    FIRST_EXCEPTION
  }

  /**
   * The outcome of {@link #wait}: which futures were done when it returned. Both sets are
   * unmodifiable and keep the order of the input collection.
   *
   * @param done futures that were done
   * @param notDone futures that were not
   * @param <F> the future type
   */
  public record DoneAndNotDone<F>(Set<F> done, Set<F> notDone) {
    /** True if nothing was left undone. */
    public boolean allDone() {
      return notDone.isEmpty();
    }
  }

  /**
   * Waits for every future, without limit.
   *
   * @throws TaskInterruptedException if the calling thread is interrupted (its flag stays set)
   */
  public static <F extends TaskFuture<?>> DoneAndNotDone<F> waitAll(Collection<? extends F> futures) {
    return wait(futures, null, ReturnWhen.ALL_COMPLETED);
  }

  /**
   * Waits until the condition holds or the timeout runs out, and reports which futures are done.
   * Never throws for a timeout: check {@link DoneAndNotDone#notDone()}. Cancels nothing.
   *
   * @param futures the futures (any models, may be empty)
   * @param timeout the longest wait, or {@code null} for no limit
   * @param returnWhen the condition
   * @throws TaskInterruptedException if the calling thread is interrupted (its flag stays set)
   */
  public static <F extends TaskFuture<?>> DoneAndNotDone<F> wait(
      Collection<? extends F> futures, @Nullable Duration timeout, ReturnWhen returnWhen) {
    Objects.requireNonNull(futures, "futures");
    Objects.requireNonNull(returnWhen, "returnWhen");
    List<F> unique = dedupe(futures);
    if (!conditionHolds(unique, returnWhen)) {
      Waiter<F> waiter = new Waiter<>(unique, returnWhen);
      try {
        waiter.await(timeout);
      } finally {
        waiter.detach();
      }
    }
    Set<F> done = new LinkedHashSet<>();
    Set<F> notDone = new LinkedHashSet<>();
    for (F f : unique) {
      (f.isDone() ? done : notDone).add(f);
    }
    return new DoneAndNotDone<>(Collections.unmodifiableSet(done), Collections.unmodifiableSet(notDone));
  }

  private static boolean conditionHolds(List<? extends TaskFuture<?>> fs, ReturnWhen when) {
    int done = 0;
    for (TaskFuture<?> f : fs) {
      if (f.isDone()) {
        done++;
        if (when == ReturnWhen.FIRST_COMPLETED || (when == ReturnWhen.FIRST_EXCEPTION && failed(f))) {
          return true;
        }
      }
    }
    return done == fs.size();
  }

  private static boolean failed(Future<?> f) {
    return f.isDone() && f.state() == Future.State.FAILED;
  }

  private static <F> List<F> dedupe(Collection<? extends F> futures) {
    Set<F> seen = Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    List<F> out = new ArrayList<>(futures.size());
    for (F f : futures) {
      Objects.requireNonNull(f, "a future in the collection is null");
      if (seen.add(f)) {
        out.add(f);
      }
    }
    return out;
  }

  /**
   * Yields the futures as they complete: those already done first (in collection order), then each
   * as it finishes. The timeout counts from this call; when it runs out, {@code next()} throws
   * {@link TaskTimeoutException} naming how many are still pending. Cancels nothing.
   *
   * <p>The returned object is both the {@link Iterable} (for a for-each loop; {@code iterator()}
   * may be called once) and its iterator. Closing it before the end unregisters its callbacks.
   *
   * @param futures the futures (any models, may be empty)
   * @param timeout the longest total wait, or {@code null} for no limit
   */
  public static <F extends TaskFuture<?>> Completions<F> asCompleted(Collection<? extends F> futures,
      @Nullable Duration timeout) {
    Objects.requireNonNull(futures, "futures");
    return new Completions<>(dedupe(futures), timeout);
  }

  /** {@link #asCompleted(Collection, Duration)} without a time limit. */
  public static <F extends TaskFuture<?>> Completions<F> asCompleted(Collection<? extends F> futures) {
    return asCompleted(futures, null);
  }

  private static long deadlineOf(@Nullable Duration timeout) {
    if (timeout == null) {
      return Long.MAX_VALUE;
    }
    long nanos;
    try {
      nanos = timeout.toNanos();
    } catch (ArithmeticException e) {
      nanos = Long.MAX_VALUE;
    }
    long now = System.nanoTime();
    long d = now + Math.max(0, nanos);
    return d < now ? Long.MAX_VALUE : d;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static void removeCallback(TaskFuture<?> f, Consumer<?> cb) {
    if (f instanceof CompletableTaskFuture ctf) {
      ctf.removeOnDone((Consumer) cb);
    }
  }

  /** Counts completions against the {@link ReturnWhen} condition and opens a latch. */
  private static final class Waiter<F extends TaskFuture<?>> {
    private final List<F> futures;
    private final ReturnWhen when;
    private final CountDownLatch latch = new CountDownLatch(1);
    private final AtomicInteger pending;
    private final Consumer<TaskFuture<?>> callback = this::completed;

    Waiter(List<F> futures, ReturnWhen when) {
      this.futures = futures;
      this.when = when;
      this.pending = new AtomicInteger(futures.size());
      for (F f : futures) {
        addCallback(f);
      }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void addCallback(F f) {
      ((TaskFuture) f).onDone((Consumer) callback);
    }

    private void completed(TaskFuture<?> f) {
      if (when == ReturnWhen.FIRST_COMPLETED || (when == ReturnWhen.FIRST_EXCEPTION && failed(f))
          || pending.decrementAndGet() == 0) {
        latch.countDown();
      }
    }

    void await(@Nullable Duration timeout) {
      try {
        if (timeout == null) {
          latch.await();
        } else {
          long left = deadlineOf(timeout) - System.nanoTime();
          latch.await(Math.max(0, left), TimeUnit.NANOSECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TaskInterruptedException("interrupted while waiting for " + futures.size() + " futures", e);
      }
    }

    void detach() {
      if (latch.getCount() == 0 && pending.get() == 0) {
        return;
      }
      for (F f : futures) {
        if (!f.isDone()) {
          removeCallback(f, callback);
        }
      }
    }
  }

  /**
   * The futures of {@link #asCompleted} in completion order. Single consumer; not thread-safe.
   *
   * @param <F> the future type
   */
  public static final class Completions<F extends TaskFuture<?>> implements Iterable<F>, Iterator<F>, AutoCloseable {
    private final List<F> all;
    private final @Nullable Duration timeout;
    private final long deadline;
    private final LinkedBlockingQueue<F> ready = new LinkedBlockingQueue<>();
    private final Consumer<TaskFuture<?>> callback;
    private int remaining;
    private boolean iterated;
    private boolean closed;

    @SuppressWarnings({"unchecked", "rawtypes"})
    Completions(List<F> futures, @Nullable Duration timeout) {
      this.all = futures;
      this.timeout = timeout;
      this.deadline = deadlineOf(timeout);
      this.remaining = futures.size();
      this.callback = f -> ready.add((F) f);
      List<F> notDone = new ArrayList<>();
      for (F f : futures) {
        if (f.isDone()) {
          ready.add(f);
        } else {
          notDone.add(f);
        }
      }
      for (F f : notDone) {
        ((TaskFuture) f).onDone((Consumer) callback);
      }
    }

    /**
     * Returns this object.
     *
     * @throws IllegalStateException on a second call
     */
    @Override
    public Iterator<F> iterator() {
      if (iterated) {
        throw new IllegalStateException("asCompleted(...) can be iterated only once");
      }
      iterated = true;
      return this;
    }

    @Override
    public boolean hasNext() {
      return !closed && remaining > 0;
    }

    /**
     * The next future to complete, waiting for it.
     *
     * @throws TaskTimeoutException if the timeout ran out first (the iteration then ends)
     * @throws TaskInterruptedException if interrupted while waiting (flag stays set)
     */
    @Override
    public F next() {
      if (!hasNext()) {
        throw new NoSuchElementException("every future was already yielded");
      }
      F f;
      try {
        if (deadline == Long.MAX_VALUE) {
          f = ready.take();
        } else {
          f = ready.poll();
          if (f == null) {
            f = ready.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TaskInterruptedException("interrupted while waiting for a future to complete", e);
      }
      if (f == null) {
        int left = remaining;
        close();
        throw new TaskTimeoutException(left + " of " + all.size() + " futures not done within " + timeout);
      }
      remaining--;
      return f;
    }

    /** Stops the iteration and unregisters the callbacks of futures still pending. */
    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      for (F f : all) {
        if (!f.isDone()) {
          removeCallback(f, callback);
        }
      }
    }
  }
}
