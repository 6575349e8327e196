package dev.spindle.cli.examples;

import dev.spindle.examples.spinner.Slow;
import dev.spindle.examples.spinner.Spinner;
import dev.spindle.examples.spinner.SpinnerDemo;
import dev.spindle.examples.spinner.SpinnerModel;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./spindle spinner}: Fluent Python's "concurrent hello world" on each model. */
@Command(name = "spinner", mixinStandardHelpOptions = true,
    description = {
        "Animates \\|/- at 10 FPS while slow() runs, then prints Answer: 42 (Fluent Python's spinner_thread, "
            + "spinner_proc and spinner_async).",
        "On the coroutine model (one cooperative event loop, like asyncio's) a slow() that blocks (sleep) or "
            + "computes (prime) freezes the spinner; async-sleep awaits instead; --nap makes the check "
            + "yield every 50,000 iterations.",
        "Examples: ./spindle spinner --model processes",
        "          ./spindle spinner --model coroutine --slow async-sleep   (spinner_async)",
        "          ./spindle spinner --model coroutine --slow sleep --timing   (spinner_async_experiment)",
        "          ./spindle spinner --model coroutine --slow prime --timing",
        "          ./spindle spinner --model coroutine --slow prime --nap --timing"})
public final class SpinnerCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", paramLabel = "MODEL", defaultValue = "threads",
      description = "threads, processes, virtual or coroutine (default: ${DEFAULT-VALUE})")
  String model;

  @Option(names = "--slow", paramLabel = "KIND", defaultValue = "sleep",
      description = "sleep: a blocking 3 s sleep (time.sleep); async-sleep: await asyncio.sleep(3) (coroutine "
          + "model only); prime: is_prime(--number), CPU-bound (default: ${DEFAULT-VALUE})")
  String slow;

  @Option(names = "--number", paramLabel = "N", defaultValue = "5000111000222021",
      description = "the number --slow prime checks (default: ${DEFAULT-VALUE}, 3.3 s in CPython, about "
          + "0.1 s here; 4611686018427387847 takes about 3.2 s)")
  long number;

  @Option(names = "--seconds", paramLabel = "S", defaultValue = "3",
      description = "the length of --slow sleep (default: ${DEFAULT-VALUE})")
  double seconds;

  @Option(names = "--nap", description = "with --slow prime: pause every 50,000 iterations (spinner_async_nap)")
  boolean nap;

  @Option(names = "--timing", description = "also print how long slow() took and the frames drawn meanwhile")
  boolean timing;

  @Option(names = "--message", paramLabel = "TEXT", defaultValue = "thinking!",
      description = "the spinner's message (default: ${DEFAULT-VALUE})")
  String message;

  @Override
  public Integer call() throws InterruptedException {
    CommandLine cl = spec.commandLine();
    SpinnerModel m;
    Slow.Kind kind;
    try {
      m = SpinnerModel.valueOf(model.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cl,
          "unknown model '" + model + "': use threads, processes, virtual or coroutine");
    }
    try {
      kind = Slow.Kind.valueOf(slow.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cl, "unknown --slow '" + slow + "': use sleep, async-sleep or prime");
    }
    if (!(seconds >= 0) || seconds > 3600) {
      throw new CommandLine.ParameterException(cl, "--seconds must be 0..3600: " + seconds);
    }
    SpinnerDemo.Options options;
    try {
      options = new SpinnerDemo.Options(m, kind, Duration.ofNanos(Math.round(seconds * 1e9)), number, nap, message,
          Spinner.DEFAULT_FRAME_INTERVAL, timing);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cl, e.getMessage());
    }
    try {
      SpinnerDemo.run(options, System.out);
    } catch (IllegalStateException e) {
      System.err.println("spinner: " + e.getMessage());
      return 1;
    }
    return 0;
  }
}
