package dev.spindle.examples.spinner;

import dev.spindle.examples.Ticker;
import dev.spindle.examples.internal.ChildJvm;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The coroutine run of the spinner (spinner_async.py), in a JVM whose virtual-thread scheduler has
 * exactly one carrier ({@link SpinnerDemo#SINGLE_CARRIER_OPTIONS}): the supervisor and the spinner
 * are virtual threads sharing that carrier, so they take turns only when one of them parks (sleeps,
 * waits) or yields, exactly like coroutines on asyncio's event loop. Started by
 * {@link SpinnerDemo#run}; refuses to run on a multi-carrier scheduler, where the lesson would not
 * show. Exits when its stdin closes (the parent is gone).
 *
 * <p>Arguments: those of {@code SpinnerDemo.Options} ({@code --slow sleep|prime --number N --nap
 * --sleep-millis N --message TEXT --frame-millis N --timing}).
 */
public final class CoroutineSpinnerMain {
  private CoroutineSpinnerMain() {}

  public static void main(String[] args) throws InterruptedException {
    int carriers = carriers();
    if (carriers != 1) {
      System.err.println("CoroutineSpinnerMain needs a single-carrier scheduler: start it with "
          + String.join(" ", SpinnerDemo.SINGLE_CARRIER_OPTIONS));
      System.exit(2);
    }
    SpinnerDemo.Options options;
    try {
      options = SpinnerDemo.Options.fromArgs(SpinnerModel.COROUTINE, args);
    } catch (IllegalArgumentException e) {
      System.err.println("CoroutineSpinnerMain: " + e.getMessage());
      System.exit(2);
      return;
    }
    ChildJvm.exitWhenParentDies();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicReference<SpinnerDemo.Outcome> outcome = new AtomicReference<>();
    // asyncio.run(supervisor()): the supervisor is itself a task on the one carrier.
    Thread supervisor = Thread.ofVirtual().name("Task-1 (supervisor)").start(() -> {
      try {
        ThreadSpinner spinner = ThreadSpinner.task("Task-2", carriers, options.message(), System.out,
            options.frameInterval(), Ticker.system(), n -> {});
        outcome.set(SpinnerDemo.supervise(spinner, options.slow()::call, System.out, Ticker.system()));
      } catch (Throwable t) {
        failure.set(t);
      }
    });
    supervisor.join();
    if (failure.get() != null) {
      failure.get().printStackTrace();
      System.exit(1);
    }
    SpinnerDemo.printAnswer(outcome.get(), options, System.out);
  }

  private static int carriers() {
    String p = System.getProperty("jdk.virtualThreadScheduler.parallelism");
    String max = System.getProperty("jdk.virtualThreadScheduler.maxPoolSize");
    return "1".equals(p) && "1".equals(max) ? 1 : Runtime.getRuntime().availableProcessors();
  }
}
