package dev.spindle.examples.spinner;

import dev.spindle.examples.Ticker;
import java.io.PrintStream;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;

/**
 * A spinner on a platform or virtual thread of this JVM, stopped by a {@link LocalStopSignal}.
 * Threads are named like Python's ({@code Thread-1 (spin)}); {@code toString} shows the name and the
 * live {@link Thread.State}.
 */
public final class ThreadSpinner implements SpinnerHandle {
  private static final AtomicInteger PLATFORM_COUNT = new AtomicInteger();
  private static final AtomicInteger VIRTUAL_COUNT = new AtomicInteger();

  private final LocalStopSignal done = new LocalStopSignal();
  private final Spinner spinner;
  private final Thread thread;
  private final String kind;
  private final String extra;

  private ThreadSpinner(boolean virtual, String name, String kind, String extra, String message, PrintStream out,
      Duration frameInterval, Ticker ticker, LongConsumer onFrame) {
    this.spinner = new Spinner(message, done, out, frameInterval, ticker, onFrame);
    this.thread = (virtual ? Thread.ofVirtual().name(name) : Thread.ofPlatform().name(name).daemon())
        .unstarted(spinner);
    this.kind = kind;
    this.extra = extra;
  }

  /** A spinner on a new daemon platform thread. */
  public static ThreadSpinner platform(String message, PrintStream out, Duration frameInterval, Ticker ticker,
      LongConsumer onFrame) {
    return new ThreadSpinner(false, "Thread-" + PLATFORM_COUNT.incrementAndGet() + " (spin)", "Thread", "",
        message, out, frameInterval, ticker, onFrame);
  }

  /** A spinner on a new virtual thread (default scheduler). */
  public static ThreadSpinner virtual(String message, PrintStream out, Duration frameInterval, Ticker ticker,
      LongConsumer onFrame) {
    return new ThreadSpinner(true, "VirtualThread-" + VIRTUAL_COUNT.incrementAndGet() + " (spin)",
        "VirtualThread", "", message, out, frameInterval, ticker, onFrame);
  }

  /**
   * A spinner on a virtual thread named like an asyncio task, for a JVM whose virtual-thread
   * scheduler has {@code carriers} carrier threads.
   */
  public static ThreadSpinner task(String taskName, int carriers, String message, PrintStream out,
      Duration frameInterval, Ticker ticker, LongConsumer onFrame) {
    return new ThreadSpinner(true, taskName + " (spin)", "VirtualThread",
        ", carriers=" + carriers, message, out, frameInterval, ticker, onFrame);
  }

  @Override
  public void start() {
    thread.start();
  }

  @Override
  public void stop() {
    done.set();
  }

  @Override
  public void join() throws InterruptedException {
    thread.join();
  }

  @Override
  public OptionalLong frames() {
    return OptionalLong.of(spinner.frames());
  }

  /** The thread running the spinner. */
  public Thread thread() {
    return thread;
  }

  @Override
  public String toString() {
    return kind + "[name=" + thread.getName() + ", state=" + thread.getState() + extra + "]";
  }
}
