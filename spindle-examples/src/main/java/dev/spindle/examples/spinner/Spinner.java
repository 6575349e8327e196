package dev.spindle.examples.spinner;

import dev.spindle.examples.Ticker;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * Python's {@code spin(msg, done)}: cycles through {@code \|/-}, printing {@code "\r{char} {msg}"}
 * at the same screen position and flushing, one frame per {@code frameInterval} (0.1 s, 10 FPS),
 * until the {@link StopSignal} is set; then overwrites the line with spaces and returns the cursor
 * ({@code "\r{blanks}\r"}, blanks as long as the last status including its {@code \r}).
 *
 * <p>If the signal is already set when {@link #run()} begins, nothing at all is printed: like an
 * asyncio task cancelled before its first step, the spinner "never appears".
 *
 * <p>The output stream, the wait (through the signal) and the time source are injected, so the
 * frames can be tested. {@link #run()} is meant to be called once, by one thread; the counters may
 * be read from any thread.
 */
public final class Spinner implements Runnable {
  /** The frame characters, in order: backslash, bar, slash, dash. */
  public static final String FRAMES = "\\|/-";
  /** The default message. */
  public static final String DEFAULT_MESSAGE = "thinking!";
  /** The default frame interval: 10 frames per second. */
  public static final Duration DEFAULT_FRAME_INTERVAL = Duration.ofMillis(100);

  private final String message;
  private final StopSignal done;
  private final PrintStream out;
  private final Duration frameInterval;
  private final Ticker ticker;
  private final LongConsumer onFrame;
  private final AtomicLong frames = new AtomicLong();
  private volatile long lastFrameNanos;

  /**
   * @param message the text after the spinning character
   * @param done the signal that stops the animation
   * @param out where frames go; flushed after each
   * @param frameInterval the wait between frames (must be positive)
   * @param ticker stamps each frame
   * @param onFrame called after each frame with its number (1, 2, ...); for tests and statistics
   */
  public Spinner(String message, StopSignal done, PrintStream out, Duration frameInterval, Ticker ticker,
      LongConsumer onFrame) {
    this.message = Objects.requireNonNull(message, "message");
    this.done = Objects.requireNonNull(done, "done");
    this.out = Objects.requireNonNull(out, "out");
    this.frameInterval = Objects.requireNonNull(frameInterval, "frameInterval");
    if (frameInterval.isNegative() || frameInterval.isZero()) {
      throw new IllegalArgumentException("frameInterval must be positive: " + frameInterval);
    }
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.onFrame = Objects.requireNonNull(onFrame, "onFrame");
  }

  /** A spinner printing {@code message} to {@code out} at 10 FPS. */
  public Spinner(String message, StopSignal done, PrintStream out) {
    this(message, done, out, DEFAULT_FRAME_INTERVAL, Ticker.system(), n -> {});
  }

  /** The status text of frame {@code index} (0-based), e.g. {@code "\r\\ thinking!"}. */
  public static String frame(int index, String message) {
    return "\r" + FRAMES.charAt(Math.floorMod(index, FRAMES.length())) + " " + message;
  }

  /** The text that clears a status line: {@code "\r" + blanks + "\r"}. */
  public static String clearing(String lastStatus) {
    return "\r" + " ".repeat(lastStatus.length()) + "\r";
  }

  @Override
  public void run() {
    if (done.isSet()) {
      return;
    }
    String status = "";
    for (int i = 0; ; i++) {
      status = frame(i, message);
      out.print(status);
      out.flush();
      lastFrameNanos = ticker.nanoTime();
      onFrame.accept(frames.incrementAndGet());
      try {
        if (done.await(frameInterval)) {
          break;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt(); // cancelled: stop like asyncio's CancelledError
        break;
      }
    }
    out.print(clearing(status));
    out.flush();
  }

  /** Frames printed so far. */
  public long frames() {
    return frames.get();
  }

  /** The ticker reading when the last frame was printed, or 0 if none was. */
  public long lastFrameNanos() {
    return lastFrameNanos;
  }

  @Override
  public String toString() {
    return "Spinner[message=" + message + ", frames=" + frames.get() + "]";
  }
}
