package dev.spindle.queue.internal;

import dev.spindle.queue.JobError;
import dev.spindle.queue.JobObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers {@link JobObserver.Attempt#finished} calls off a worker's dispatcher thread, so that
 * metrics and tracing (ending a span, recording timers) do not lengthen the serial loop that writes
 * outcomes and claims jobs. Ends are collected and handed to one daemon thread in order, in batches
 * of at least {@link #HAND_OVER_ENDS} or once the oldest has waited {@link #HAND_OVER_NANOS}, and
 * all of them whenever the dispatcher is about to wait for work ({@link #flushAll}). While ends keep
 * coming, that thread looks for them on its own timer, every {@link #POLL_NANOS}, and a hand-over
 * only wakes it after it slept ({@link #IDLE_NANOS} without ends): a thread the dispatcher wakes is
 * often put on the dispatcher's own core and preempts it (an observer that did nothing, woken at
 * each store call, raised the dispatcher's involuntary context switches from 0.4-0.7 to 3.7 per
 * 1,000 jobs in a SQLite drain, and a traced one to 7.4; polled, 0.6 and 1.0, as without an observer). The observer
 * learns of an end a few milliseconds later at most (a span's end time is
 * the attempt's own, not the delivery's). When
 * {@link #MAX_WAITING} ends already wait (an observer slower than the worker for longer than a
 * moment: at 25,000 jobs/s that is a third of a second behind), the dispatcher delivers the batch
 * itself, which bounds the memory and slows the worker instead of losing calls. The bound counts
 * ends, not batches, so a delivering thread that is descheduled for a few milliseconds on a busy
 * machine does not push the observer's work onto the dispatcher.
 * {@link #close} delivers everything accepted before it returns. Without an observer nothing is
 * queued and no thread starts. Thread-safe; {@link #add}, {@link #flush} and {@link #flushAll} are
 * for the dispatcher thread only, {@link #close} for after it ended.
 */
final class AttemptEnds {
  private static final Logger LOG = LoggerFactory.getLogger(AttemptEnds.class);
  /** Ends that may wait for the delivering thread before the dispatcher delivers its own. */
  static final int MAX_WAITING = 8192;
  /** Collected ends that are handed over at once. */
  static final int HAND_OVER_ENDS = 256;
  /** The longest an end is held before it is handed over while the dispatcher is busy (ns). */
  static final long HAND_OVER_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  private record End(JobObserver.Attempt attempt, JobObserver.Outcome outcome, Duration runTime,
      @Nullable JobError error) {
    void deliver() {
      attempt.finished(outcome, runTime, error);
    }
  }

  /**
   * How often the delivering thread looks for handed-over ends while they keep coming (ns): each
   * wake-up costs it a few microseconds of CPU on a virtual machine, and at 1 ms an observer that did
   * nothing used 0.44 us per job in a SQLite drain.
   */
  static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
  /**
   * How long the delivering thread goes on looking without finding ends before it sleeps until
   * woken (ns): a busy dispatcher hands ends over every store call (under a millisecond apart), so
   * it goes on looking through a drain, while a worker with a job now and then does not keep a
   * thread waking 500 times a second.
   */
  static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

  private final String workerName;
  /** The delivering thread, once started. */
  private @Nullable Thread thread;
  /** Batches handed over and not yet taken by the delivering thread. */
  private final ConcurrentLinkedQueue<List<End>> handed = new ConcurrentLinkedQueue<>();
  /** Whether the delivering thread sleeps until woken (it then needs an unpark). */
  private volatile boolean sleeping;
  private volatile boolean closed;
  /** Ends handed to the delivering thread and not yet delivered. */
  private final AtomicInteger waiting = new AtomicInteger();
  private List<End> batch = new ArrayList<>();
  /** When (System.nanoTime) the oldest end of {@link #batch} was added. */
  private long oldestNanos;

  private final java.util.function.LongSupplier nanoTime;

  AttemptEnds(String workerName) {
    this(workerName, System::nanoTime);
  }

  /** With the monotonic clock {@code nanoTime} (tests). */
  AttemptEnds(String workerName, java.util.function.LongSupplier nanoTime) {
    this.workerName = workerName;
    this.nanoTime = nanoTime;
  }

  /** Collects an attempt's end for the next {@link #flush}; dispatcher thread only. */
  void add(JobObserver.Attempt attempt, JobObserver.Outcome outcome, Duration runTime, @Nullable JobError error) {
    if (attempt != JobObserver.Attempt.NONE) {
      if (batch.isEmpty()) {
        oldestNanos = nanoTime.getAsLong();
      }
      batch.add(new End(attempt, outcome, runTime, error));
    }
  }

  /** How many ends are collected and not handed over yet; dispatcher thread only. */
  int held() {
    return batch.size();
  }

  /**
   * Hands the collected ends to the delivering thread if there are {@link #HAND_OVER_ENDS} or the
   * oldest waited {@link #HAND_OVER_NANOS}; dispatcher thread only.
   */
  void flush() {
    if (batch.size() >= HAND_OVER_ENDS || (!batch.isEmpty() && nanoTime.getAsLong() - oldestNanos >= HAND_OVER_NANOS)) {
      flushAll();
    }
  }

  /**
   * Hands every collected end to the delivering thread (started on first use): before the
   * dispatcher waits for work and when it ends. Dispatcher thread only.
   */
  void flushAll() {
    if (batch.isEmpty()) {
      return;
    }
    List<End> ends = batch;
    batch = new ArrayList<>();
    int n = ends.size();
    if (closed || waiting.get() + n > MAX_WAITING) {
      deliver(ends); // closed, or the observer is far behind: slow the worker down rather than grow without bound
      return;
    }
    Thread t;
    synchronized (this) {
      if (thread == null) {
        thread = Thread.ofPlatform().daemon().name("spindle-worker-" + workerName + "-observer").start(this::run);
      }
      t = thread;
    }
    waiting.addAndGet(n);
    handed.add(ends);
    if (sleeping) {
      LockSupport.unpark(t);
    }
  }

  /**
   * The delivering thread: takes the handed-over batches in order, looking every {@link #POLL_NANOS}
   * on its own timer while they keep coming, so that a busy dispatcher never wakes it (a thread the
   * dispatcher wakes is often put on the dispatcher's own core and preempts it); after
   * {@link #IDLE_NANOS} without ends it sleeps until a hand-over wakes it.
   */
  private void run() {
    long lastEnds = System.nanoTime();
    while (true) {
      List<End> ends = handed.poll();
      if (ends != null) {
        try {
          deliver(ends);
        } finally {
          waiting.addAndGet(-ends.size());
        }
        lastEnds = System.nanoTime();
      } else if (closed) {
        return;
      } else if (System.nanoTime() - lastEnds >= IDLE_NANOS) {
        sleeping = true;
        if (handed.isEmpty() && !closed) {
          LockSupport.park(this);
        }
        sleeping = false;
        lastEnds = System.nanoTime();
      } else {
        LockSupport.parkNanos(this, POLL_NANOS);
      }
    }
  }

  private static void deliver(List<End> ends) {
    for (End e : ends) {
      e.deliver(); // Listeners' attempts never throw
    }
  }

  /**
   * Hands over what is still collected, then delivers what was accepted, waiting at most
   * {@code timeout}; later flushes deliver on the caller. Called once the dispatcher thread ended.
   */
  void close(Duration timeout) throws InterruptedException {
    flushAll();
    closed = true;
    Thread t;
    synchronized (this) {
      t = thread;
    }
    if (t == null) {
      return;
    }
    LockSupport.unpark(t);
    t.join(timeout);
    if (t.isAlive()) {
      LOG.warn("worker {}: the job observer did not take the last attempts' ends within {}; {} batch(es) dropped",
          workerName, timeout, handed.size());
      handed.clear();
      t.interrupt();
    }
  }
}
