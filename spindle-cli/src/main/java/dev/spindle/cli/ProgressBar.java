package dev.spindle.cli;

import java.io.PrintStream;
import java.lang.reflect.Method;
import java.util.Locale;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * A one-line terminal progress bar for long-running commands:
 * <pre>
 * sweep [###########---------------]  12/40  30%  0:14 elapsed  ~0:33 left  threads x2 run 3: 0.61s
 * </pre>
 * On a terminal it redraws its line in place ({@code \r}); when the stream is not a terminal (a
 * file, a pipe, CI logs) it prints a plain line at every tenth of the work instead. Write it to
 * {@link System#err} so that stdout keeps only the command's data.
 *
 * <p>Thread-safe: several workers may call {@link #step} concurrently. {@link #close()} draws the
 * final state and ends the line. Time comes from an injected nanosecond source.
 *
 * <pre>{@code
 * try (ProgressBar bar = ProgressBar.onStderr("sweep", total)) {
 *   for (...) { ...; bar.step("threads x2"); }
 * }
 * }</pre>
 */
public final class ProgressBar implements AutoCloseable {
  private static final int BAR_WIDTH = 28;

  private final PrintStream out;
  private final String label;
  private final long total;
  private final boolean interactive;
  private final LongSupplier nanoTime;
  private final long startNanos;
  private long done;
  private int lastLength;
  private int lastDecile = -1;
  private boolean closed;

  /**
   * @param out where the bar is drawn
   * @param label the text before the bar
   * @param total units of work (at least 1)
   * @param interactive redraw in place ({@code true}) or print a line per tenth ({@code false})
   * @param nanoTime a monotonic nanosecond clock, e.g. {@code System::nanoTime}
   */
  public ProgressBar(PrintStream out, String label, long total, boolean interactive, LongSupplier nanoTime) {
    this.out = Objects.requireNonNull(out, "out");
    this.label = Objects.requireNonNull(label, "label");
    if (total < 1) {
      throw new IllegalArgumentException("total must be >= 1: " + total);
    }
    this.total = total;
    this.interactive = interactive;
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    this.startNanos = nanoTime.getAsLong();
  }

  /** A bar on {@link System#err}, redrawn in place if the process has a terminal. */
  public static ProgressBar onStderr(String label, long total) {
    ProgressBar bar = new ProgressBar(System.err, label, total, hasTerminal(), System::nanoTime);
    bar.render("");
    return bar;
  }

  /** True if this process runs on an interactive terminal. */
  public static boolean hasTerminal() {
    java.io.Console console = System.console();
    if (console == null) {
      return false;
    }
    try { // JDK 22+: a Console exists even when redirected; ask whether it is a terminal.
      Method isTerminal = java.io.Console.class.getMethod("isTerminal");
      return (Boolean) isTerminal.invoke(console);
    } catch (ReflectiveOperationException e) {
      return true; // JDK 21: System.console() is null unless interactive
    }
  }

  /** Marks one unit done and redraws with {@code detail} after the bar. */
  public synchronized void step(String detail) {
    advance(1, detail);
  }

  /**
   * Marks {@code units} more done (capped at the total) and redraws.
   *
   * @throws IllegalArgumentException if negative
   */
  public synchronized void advance(long units, String detail) {
    if (units < 0) {
      throw new IllegalArgumentException("units must be >= 0: " + units);
    }
    done = Math.min(total, done + units);
    render(detail);
  }

  /** Units done so far. */
  public synchronized long done() {
    return done;
  }

  /** The bar's text for the current state, without {@code \r} (for tests and logs). */
  public synchronized String line(String detail) {
    double fraction = (double) done / total;
    int filled = (int) Math.round(fraction * BAR_WIDTH);
    double elapsed = (nanoTime.getAsLong() - startNanos) / 1e9;
    StringBuilder sb = new StringBuilder(label).append(" [")
        .append("#".repeat(filled)).append("-".repeat(BAR_WIDTH - filled)).append("] ")
        .append(String.format(Locale.ROOT, "%" + Long.toString(total).length() + "d/%d %3d%%  %s elapsed",
            done, total, (int) Math.floor(fraction * 100), clock(elapsed)));
    if (done > 0 && done < total) {
      sb.append("  ~").append(clock(elapsed / done * (total - done))).append(" left");
    }
    if (detail != null && !detail.isEmpty()) {
      sb.append("  ").append(detail);
    }
    return sb.toString();
  }

  private void render(String detail) {
    if (closed) {
      return;
    }
    String line = line(detail);
    if (interactive) {
      int pad = Math.max(0, lastLength - line.length());
      out.print("\r" + line + " ".repeat(pad));
      lastLength = line.length();
      out.flush();
    } else {
      int decile = (int) (done * 10 / total);
      if (decile != lastDecile) {
        lastDecile = decile;
        out.println(line);
        out.flush();
      }
    }
  }

  /** Draws the final state and ends the line. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    if (interactive) {
      render("");
      out.println();
    } else if (lastDecile != 10) {
      out.println(line(""));
    }
    out.flush();
    closed = true;
  }

  private static String clock(double seconds) {
    long s = Math.max(0, Math.round(seconds));
    return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }
}
