package dev.spindle.examples.spinner;

import dev.spindle.coroutine.Async;
import dev.spindle.coroutine.AsyncTask;
import dev.spindle.coroutine.EventLoop;
import dev.spindle.coroutine.LoopConfig;
import java.io.PrintStream;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * spinner_async.py on the COROUTINE model's {@link EventLoop}: {@code supervisor()} is the main
 * coroutine ({@code Task-1}); it creates the {@code spin} task ({@code Task-2}, scheduled but not
 * started), prints it, calls {@code slow()}, cancels the spinner and returns the answer. The spinner
 * draws a frame, then suspends in {@code await asyncio.sleep(.1)}; the cancellation arrives there
 * and it erases its line.
 *
 * <p>What {@code slow()} does decides the lesson: {@link Slow.Kind#ASYNC_SLEEP} suspends (the
 * spinner animates), {@link Slow.Kind#SLEEP} blocks the loop's only runner (spinner_async_experiment:
 * the spinner never appears, the program hangs, then {@code Answer: 42}), a prime check blocks it
 * too (the quiz), and a napping prime check yields every 50,000 iterations with
 * {@link Async#yieldNow()} (spinner_async_nap). Stateless.
 */
final class AsyncSpinner {
  private AsyncSpinner() {}

  /** Runs {@code asyncio.run(supervisor())}, printing to {@code out}. */
  static SpinnerDemo.Outcome run(SpinnerDemo.Options options, PrintStream out) {
    AtomicLong frames = new AtomicLong();
    Slow slow = options.slow();
    return EventLoop.run(LoopConfig.defaults().withName("spinner"), () -> {
      AsyncTask<Void> spinner = Async.createTask(() -> spin(options.message(), options.frameInterval(), out, frames));
      out.println("spinner object: " + spinner);
      out.flush();
      long before = frames.get();
      long t0 = System.nanoTime();
      int result = slow.call();
      double seconds = (System.nanoTime() - t0) / 1e9;
      long during = frames.get() - before;
      spinner.cancel();
      try {
        spinner.await(); // the spinner erases its line before the answer is printed
      } catch (CancellationException expected) {
        // the spinner's end
      }
      return new SpinnerDemo.Outcome(result, seconds, OptionalLong.of(during));
    });
  }

  /** The {@code spin} coroutine. */
  private static Void spin(String message, Duration interval, PrintStream out, AtomicLong frames) {
    String status = "";
    for (int i = 0; ; i++) {
      status = Spinner.frame(i, message);
      out.print(status);
      out.flush();
      frames.incrementAndGet();
      try {
        Async.sleep(interval);
      } catch (CancellationException e) {
        break;
      }
    }
    out.print(Spinner.clearing(status));
    out.flush();
    return null;
  }
}
