package dev.spindle.thumbnails.internal;

import dev.spindle.thumbnails.SampleServer.Sleeper;
import java.io.IOException;
import java.io.OutputStream;
import java.util.function.LongSupplier;

/**
 * Writes a body in chunks no faster than a {@link Throttle} allows, reading time from an injected
 * ticker and waiting through an injected sleeper (tests pass fakes and never sleep).
 */
public final class PacedWriter {
  private final Throttle throttle;
  private final LongSupplier ticker;
  private final Sleeper sleeper;

  public PacedWriter(Throttle throttle, LongSupplier ticker, Sleeper sleeper) {
    this.throttle = throttle;
    this.ticker = ticker;
    this.sleeper = sleeper;
  }

  /**
   * Writes {@code data[off, off+len)} paced, flushing after each chunk.
   *
   * @return the number of chunks written
   */
  public int write(OutputStream out, byte[] data, int off, int len) throws IOException, InterruptedException {
    long start = ticker.getAsLong();
    int chunk = throttle.chunkSize();
    int sent = 0;
    int chunks = 0;
    while (sent < len) {
      long wait = throttle.delayNanos(sent, ticker.getAsLong() - start);
      if (wait > 0) {
        sleeper.sleepNanos(wait);
      }
      int n = Math.min(chunk, len - sent);
      out.write(data, off + sent, n);
      if (!throttle.unlimited()) {
        out.flush();
      }
      sent += n;
      chunks++;
    }
    return chunks;
  }
}
