package dev.spindle.cli.thumbnails;

import dev.spindle.cli.ProgressBar;
import dev.spindle.thumbnails.ImageResult;
import dev.spindle.thumbnails.ThumbnailListener;
import dev.spindle.thumbnails.ThumbnailReport;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Drives a {@link ProgressBar} from a run's events: one unit per image done (resized or failed),
 * with the downloads and bytes so far after the bar. Thread-safe.
 */
final class ThumbnailProgress implements ThumbnailListener, AutoCloseable {
  private final ProgressBar bar;
  private final AtomicInteger downloaded = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();
  private final AtomicLong bytes = new AtomicLong();

  ThumbnailProgress(String label, int images) {
    this.bar = ProgressBar.onStderr(label, Math.max(1, images));
  }

  private String detail() {
    return downloaded.get() + " downloaded (" + ThumbnailReport.bytes(bytes.get()) + ")"
        + (failed.get() > 0 ? ", " + failed.get() + " failed" : "");
  }

  @Override
  public void downloaded(ImageResult partial, long size) {
    downloaded.incrementAndGet();
    bytes.addAndGet(size);
  }

  @Override
  public void resized(ImageResult result) {
    bar.step(detail());
  }

  @Override
  public void failed(ImageResult result) {
    failed.incrementAndGet();
    bar.step(detail());
  }

  @Override
  public void close() {
    bar.close();
  }
}
