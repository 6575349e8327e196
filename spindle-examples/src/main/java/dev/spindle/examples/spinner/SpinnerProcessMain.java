package dev.spindle.examples.spinner;

import dev.spindle.examples.Ticker;
import dev.spindle.examples.internal.ChildJvm;
import java.time.Duration;

/**
 * The child JVM of {@link ProcessSpinner}: spins on {@link System#out} until its stdin reaches
 * end-of-file, then clears the line and exits 0. Not meant to be run by hand.
 *
 * <p>Arguments: {@code --message TEXT --frame-millis N [--name NAME]}.
 */
public final class SpinnerProcessMain {
  private SpinnerProcessMain() {}

  public static void main(String[] args) {
    String message = Spinner.DEFAULT_MESSAGE;
    long frameMillis = Spinner.DEFAULT_FRAME_INTERVAL.toMillis();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--message" -> message = value(args, ++i);
        case "--frame-millis" -> frameMillis = Long.parseLong(value(args, ++i));
        case "--name" -> value(args, ++i);
        default -> usage("unknown argument: " + args[i]);
      }
    }
    LocalStopSignal done = new LocalStopSignal();
    ChildJvm.onStdinEof(done::set);
    new Spinner(message, done, System.out, Duration.ofMillis(frameMillis), Ticker.system(), n -> {}).run();
    System.out.flush();
  }

  private static String value(String[] args, int i) {
    if (i >= args.length) {
      usage("missing value after " + args[i - 1]);
    }
    return args[i];
  }

  private static void usage(String problem) {
    System.err.println("SpinnerProcessMain: " + problem
        + " (usage: --message TEXT --frame-millis N [--name NAME]; started by ProcessSpinner)");
    System.exit(2);
  }
}
