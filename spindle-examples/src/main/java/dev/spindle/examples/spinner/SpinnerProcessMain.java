package dev.spindle.examples.spinner;

import dev.spindle.examples.Ticker;
import dev.spindle.examples.internal.ChildJvm;
import dev.spindle.process.SharedEvent;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The child JVM of {@link ProcessSpinner}: spins on {@link System#out} until the shared event is
 * set, then clears the line and exits 0; halts if the parent dies. Not meant to be run by hand.
 *
 * <p>Arguments: {@code --event PATH --message TEXT --frame-millis N}.
 */
public final class SpinnerProcessMain {
  private SpinnerProcessMain() {}

  public static void main(String[] args) {
    String message = Spinner.DEFAULT_MESSAGE;
    long frameMillis = Spinner.DEFAULT_FRAME_INTERVAL.toMillis();
    String event = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--message" -> message = value(args, ++i);
        case "--frame-millis" -> frameMillis = Long.parseLong(value(args, ++i));
        case "--event" -> event = value(args, ++i);
        default -> usage("unknown argument: " + args[i]);
      }
    }
    if (event == null) {
      usage("missing --event");
      return;
    }
    ChildJvm.exitWhenParentDies();
    SharedEvent done;
    try {
      done = SharedEvent.open(new SharedEvent.Descriptor(event));
    } catch (IllegalArgumentException e) {
      usage(e.getMessage());
      return;
    }
    new Spinner(message, new SharedEventSignal(done), System.out, Duration.ofMillis(frameMillis), Ticker.system(),
        n -> {}).run();
    System.out.flush();
  }

  private static String value(String[] args, int i) {
    if (i >= args.length) {
      usage("missing value after " + args[i - 1]);
    }
    return args[i];
  }

  private static void usage(@Nullable String problem) {
    System.err.println("SpinnerProcessMain: " + problem
        + " (usage: --event PATH --message TEXT --frame-millis N; started by ProcessSpinner)");
    System.exit(2);
  }
}
