package dev.spindle.examples.spinner;

import dev.spindle.coroutine.Async;
import dev.spindle.examples.Ticker;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Fluent Python's "concurrent hello world": a supervisor starts a spinner, calls {@code slow()},
 * stops the spinner and prints {@code Answer: 42}, on each {@link SpinnerModel}.
 *
 * <pre>
 * spinner object: Thread[name=Thread-1 (spin), state=NEW]
 * \ thinking!          (animated in place at 10 FPS, then erased)
 * Answer: 42
 * </pre>
 *
 * <p>With {@link Options#timing()} a last line reports how long {@code slow()} took and how many
 * frames the spinner drew meanwhile: on the coroutine model a blocking or CPU-bound {@code slow()}
 * lets it draw none (the event loop is never given up), and it draws them again when {@code slow()}
 * awaits a sleep or naps.
 *
 * <p>Stateless; each {@link #run} starts its own spinner.
 */
public final class SpinnerDemo {
  private SpinnerDemo() {}

  /** The supervisor's slow call; {@link Slow#call()} is one. */
  @FunctionalInterface
  public interface SlowCall {
    /** Does the slow work and returns the answer. */
    int call() throws InterruptedException;
  }

  /**
   * What a run did.
   *
   * @param answer what {@code slow()} returned
   * @param slowSeconds how long {@code slow()} took (NaN if it ran in a child JVM)
   * @param framesDuringSlow frames the spinner drew while {@code slow()} ran, if countable here
   */
  public record Outcome(int answer, double slowSeconds, OptionalLong framesDuringSlow) {}

  /**
   * A run's settings. Immutable.
   *
   * @param model where the spinner runs
   * @param slowKind what {@code slow()} does
   * @param sleep the sleep of {@link Slow.Kind#SLEEP} (the text: 3 s)
   * @param number the number {@link Slow.Kind#PRIME} checks (the text: 5_000_111_000_222_021)
   * @param nap whether the prime check naps every 50,000 iterations ({@link Slow#nap()})
   * @param message the spinner's message
   * @param frameInterval the time between frames (0.1 s)
   * @param timing whether to print the timing line
   */
  public record Options(SpinnerModel model, Slow.Kind slowKind, Duration sleep, long number, boolean nap,
      String message, Duration frameInterval, boolean timing) {
    public Options {
      Objects.requireNonNull(model, "model");
      Objects.requireNonNull(slowKind, "slowKind");
      Objects.requireNonNull(sleep, "sleep");
      Objects.requireNonNull(message, "message");
      Objects.requireNonNull(frameInterval, "frameInterval");
      if (sleep.isNegative()) {
        throw new IllegalArgumentException("sleep must not be negative: " + sleep);
      }
      if (frameInterval.isNegative() || frameInterval.isZero()) {
        throw new IllegalArgumentException("frame interval must be positive: " + frameInterval);
      }
      if (slowKind == Slow.Kind.ASYNC_SLEEP && model != SpinnerModel.COROUTINE) {
        throw new IllegalArgumentException("async-sleep (await asyncio.sleep) needs the coroutine model; "
            + "use sleep on " + model.cliName());
      }
      if (nap && slowKind != Slow.Kind.PRIME) {
        throw new IllegalArgumentException("--nap applies to the prime check only (--slow prime)");
      }
      if (message.contains("\r") || message.contains("\n")) {
        throw new IllegalArgumentException("the message must fit on one line");
      }
    }

    /** The text's defaults: threads, a 3 s sleep, "thinking!" at 10 FPS. */
    public static Options defaults() {
      return new Options(SpinnerModel.THREADS, Slow.Kind.SLEEP, Slow.TEXT_SLEEP, Slow.TEXT_NUMBER, false,
          Spinner.DEFAULT_MESSAGE, Spinner.DEFAULT_FRAME_INTERVAL, false);
    }

    /** A copy with another model. */
    public Options withModel(SpinnerModel m) {
      return new Options(m, slowKind, sleep, number, nap, message, frameInterval, timing);
    }

    /** A copy doing a prime check of {@code n}, napping or not. */
    public Options withPrime(long n, boolean napping) {
      return new Options(model, Slow.Kind.PRIME, sleep, n, napping, message, frameInterval, timing);
    }

    /** A copy sleeping for {@code d}. */
    public Options withSleep(Duration d) {
      return new Options(model, Slow.Kind.SLEEP, d, number, false, message, frameInterval, timing);
    }

    /** A copy with another frame interval. */
    public Options withFrameInterval(Duration d) {
      return new Options(model, slowKind, sleep, number, nap, message, d, timing);
    }

    /** A copy with the timing line on or off. */
    public Options withTiming(boolean on) {
      return new Options(model, slowKind, sleep, number, nap, message, frameInterval, on);
    }

    /** The {@code slow()} these options describe; a napping check naps with {@link Slow#nap()}. */
    public Slow slow() {
      return switch (slowKind) {
        case SLEEP -> Slow.sleep(sleep);
        case ASYNC_SLEEP -> Slow.asyncSleep(sleep);
        case PRIME -> !nap ? Slow.prime(number)
            : Slow.primeNapping(number, model == SpinnerModel.COROUTINE ? Async::yieldNow : Slow::nap);
      };
    }

    List<String> toArgs() {
      List<String> a = new ArrayList<>(List.of("--slow", slowKind.name().toLowerCase(Locale.ROOT).replace('_', '-'), "--sleep-millis",
          Long.toString(sleep.toMillis()), "--number", Long.toString(number), "--message", message,
          "--frame-millis", Long.toString(frameInterval.toMillis())));
      if (nap) {
        a.add("--nap");
      }
      if (timing) {
        a.add("--timing");
      }
      return a;
    }

    static Options fromArgs(SpinnerModel model, String[] args) {
      Options o = defaults().withModel(model);
      Slow.Kind kind = Slow.Kind.SLEEP;
      Duration sleep = o.sleep;
      long number = o.number;
      boolean nap = false;
      boolean timing = false;
      String message = o.message;
      Duration frame = o.frameInterval;
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "--slow" -> kind = Slow.Kind.valueOf(need(args, ++i, a).toUpperCase(Locale.ROOT).replace('-', '_'));
          case "--sleep-millis" -> sleep = Duration.ofMillis(Long.parseLong(need(args, ++i, a)));
          case "--number" -> number = Long.parseLong(need(args, ++i, a));
          case "--message" -> message = need(args, ++i, a);
          case "--frame-millis" -> frame = Duration.ofMillis(Long.parseLong(need(args, ++i, a)));
          case "--nap" -> nap = true;
          case "--timing" -> timing = true;
          default -> throw new IllegalArgumentException("unknown argument: " + a);
        }
      }
      return new Options(model, kind, sleep, number, nap, message, frame, timing);
    }

    private static String need(String[] args, int i, String option) {
      if (i >= args.length) {
        throw new IllegalArgumentException("missing value after " + option);
      }
      return args[i];
    }
  }

  /**
   * Runs the demo, printing to {@code out}: Python's {@code main()}. The coroutine model runs on an
   * {@link dev.spindle.coroutine.EventLoop} in this JVM ({@link AsyncSpinner}).
   *
   * @return the outcome
   * @throws IllegalStateException if a child JVM fails
   */
  public static Outcome run(Options options, PrintStream out) throws InterruptedException {
    Ticker ticker = Ticker.system();
    if (options.model() == SpinnerModel.COROUTINE) {
      Outcome outcome = AsyncSpinner.run(options, out);
      printAnswer(outcome, options, out);
      return outcome;
    }
    SpinnerHandle spinner = switch (options.model()) {
      case THREADS -> ThreadSpinner.platform(options.message(), out, options.frameInterval(), ticker, n -> {});
      case VIRTUAL -> ThreadSpinner.virtual(options.message(), out, options.frameInterval(), ticker, n -> {});
      case PROCESSES -> new ProcessSpinner(options.message(), out, options.frameInterval());
      case COROUTINE -> throw new AssertionError();
    };
    Outcome outcome = supervise(spinner, options.slow()::call, out, ticker);
    printAnswer(outcome, options, out);
    return outcome;
  }

  /**
   * Python's {@code supervisor()}: prints the handle, starts the spinner, calls {@code slow()} on the
   * calling thread, stops the spinner and waits for it.
   */
  public static Outcome supervise(SpinnerHandle spinner, SlowCall slow, PrintStream out, Ticker ticker)
      throws InterruptedException {
    out.println("spinner object: " + spinner);
    out.flush();
    int result;
    double seconds;
    OptionalLong framesAfter;
    long framesBefore = 0;
    long t0 = ticker.nanoTime();
    try {
      spinner.start();
      framesBefore = spinner.frames().orElse(0);
      t0 = ticker.nanoTime();
      result = slow.call();
    } finally {
      seconds = ticker.secondsSince(t0);
      framesAfter = spinner.frames();
      spinner.stop();
      spinner.join();
    }
    OptionalLong during = framesAfter.isPresent() ? OptionalLong.of(framesAfter.getAsLong() - framesBefore)
        : OptionalLong.empty();
    return new Outcome(result, seconds, during);
  }

  static void printAnswer(Outcome outcome, Options options, PrintStream out) {
    out.println("Answer: " + outcome.answer());
    if (options.timing()) {
      out.println(timingLine(outcome));
    }
    out.flush();
  }

  /** {@code slow() took 3.00s; spinner frames while slow() ran: 30} (frames omitted if unknown). */
  public static String timingLine(Outcome o) {
    String line = String.format(Locale.ROOT, "slow() took %.2fs", o.slowSeconds());
    if (o.framesDuringSlow().isPresent()) {
      line += "; spinner frames while slow() ran: " + o.framesDuringSlow().getAsLong();
    }
    return line;
  }
}
