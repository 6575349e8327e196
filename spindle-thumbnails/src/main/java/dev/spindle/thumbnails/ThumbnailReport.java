package dev.spindle.thumbnails;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The outcome of one {@link ThumbnailMaker#makeThumbnails} run: a result per URL and the run's
 * statistics. Stage times run from the first start to the last end of that stage, so with a
 * pipeline they overlap and their sum exceeds {@link #totalTime()}. Immutable.
 *
 * @param variant the variant that ran
 * @param resizePool where resizing ran, in words
 * @param images one result per URL, in the order given
 * @param bytesDownloaded bytes saved to the incoming folder
 * @param setupTime time to start the resize pool (child JVMs, queue), kept out of the totals as
 *     the course did
 * @param downloadTime first download start to last download end
 * @param resizeTime first resize start to last resize end
 * @param totalTime the whole run without the setup
 * @param sharedCounterBytes the cross-process counter of resized bytes when child JVMs did the
 *     work, else -1; equals {@link #thumbnailBytes()} when every worker reported
 */
public record ThumbnailReport(Variant variant, String resizePool, List<ImageResult> images, long bytesDownloaded,
    Duration setupTime, Duration downloadTime, Duration resizeTime, Duration totalTime, long sharedCounterBytes) {
  public ThumbnailReport {
    images = List.copyOf(images);
  }

  /** URLs in the run. */
  public int requested() {
    return images.size();
  }

  /** Images with all thumbnails written. */
  public int succeeded() {
    return (int) images.stream().filter(ImageResult::succeeded).count();
  }

  /** Images that failed. */
  public List<ImageResult> failures() {
    return images.stream().filter(r -> !r.succeeded()).toList();
  }

  /** Thumbnail files written. */
  public int thumbnailCount() {
    return images.stream().mapToInt(r -> r.thumbnails().size()).sum();
  }

  /** Bytes of all thumbnails written. */
  public long thumbnailBytes() {
    return images.stream().mapToLong(ImageResult::thumbnailBytes).sum();
  }

  /** Succeeded images per second of total time. */
  public double imagesPerSecond() {
    return perSecond(succeeded(), totalTime);
  }

  /** Thumbnails written per second of resize-stage time. */
  public double thumbnailsPerSecond() {
    return perSecond(thumbnailCount(), resizeTime);
  }

  private static double perSecond(long n, Duration d) {
    double s = d.toNanos() / 1e9;
    return s <= 0 ? 0 : n / s;
  }

  /** A multi-line human-readable summary, failures included. */
  public String summary() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "variant %s, resize on %s%n", variant.cliName(), resizePool));
    sb.append(String.format(Locale.ROOT, "images      %d requested, %d done, %d failed%n", requested(), succeeded(), failures().size()));
    sb.append(String.format(Locale.ROOT, "downloaded  %s%n", bytes(bytesDownloaded)));
    sb.append(String.format(Locale.ROOT, "thumbnails  %d files, %s%s%n", thumbnailCount(), bytes(thumbnailBytes()),
        sharedCounterBytes >= 0 ? " (cross-process counter: " + bytes(sharedCounterBytes) + ")" : ""));
    if (!setupTime.isZero()) {
      sb.append(String.format(Locale.ROOT, "setup       %.2f s (not in the total)%n", secs(setupTime)));
    }
    sb.append(String.format(Locale.ROOT, "download    %.2f s%n", secs(downloadTime)));
    sb.append(String.format(Locale.ROOT, "resize      %.2f s (%.1f thumbnails/s)%n", secs(resizeTime), thumbnailsPerSecond()));
    sb.append(String.format(Locale.ROOT, "total       %.2f s (%.2f images/s)%n", secs(totalTime), imagesPerSecond()));
    for (ImageResult f : failures()) {
      String msg = f.failureMessage() == null ? "" : f.failureMessage();
      if (msg.startsWith(f.url() + ": ")) {
        msg = msg.substring(f.url().length() + 2);
      } else if (msg.startsWith(f.url() + " ")) {
        msg = msg.substring(f.url().length() + 1);
      }
      sb.append(String.format(Locale.ROOT, "FAILED      %s%n            %s: %s%n", f.url(), f.failureReason(), msg));
    }
    return sb.toString();
  }

  static double secs(Duration d) {
    return d.toNanos() / 1e9;
  }

  /** Bytes in B, KiB, MiB or GiB with one decimal. */
  public static String bytes(long b) {
    if (b < 1024) {
      return b + " B";
    }
    double v = b;
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    int i = -1;
    do {
      v /= 1024;
      i++;
    } while (v >= 1024 && i < units.length - 1);
    return String.format(Locale.ROOT, "%.1f %s", v, units[i]);
  }
}
