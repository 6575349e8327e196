package dev.spindle.thumbnails;

import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What happened to one URL of a run. Exactly one result per URL, in the order given.
 *
 * @param index position in the URL list, from 0
 * @param url the URL as given
 * @param fileName the name it was saved under in the incoming folder (null if the URL was invalid)
 * @param downloadedBytes bytes downloaded (0 if the download failed)
 * @param downloadAttempts attempts made (retries included)
 * @param downloadTime time from the first attempt to the file being in place
 * @param downloadThread the thread that downloaded it
 * @param thumbnails thumbnails written, largest first (empty on failure)
 * @param resizeWorker the thread or worker that resized it (null if it never got there)
 * @param failureReason null on success
 * @param failureMessage what exactly went wrong, null on success
 */
public record ImageResult(int index, String url, @Nullable String fileName, long downloadedBytes, int downloadAttempts,
    Duration downloadTime, @Nullable String downloadThread, List<Thumbnail> thumbnails, @Nullable String resizeWorker,
    @Nullable FailureReason failureReason, @Nullable String failureMessage) {
  public ImageResult {
    thumbnails = thumbnails == null ? List.of() : List.copyOf(thumbnails);
    downloadTime = downloadTime == null ? Duration.ZERO : downloadTime;
  }

  /** True if the image was downloaded and every thumbnail written. */
  public boolean succeeded() {
    return failureReason == null;
  }

  /** Bytes of this image's thumbnails. */
  public long thumbnailBytes() {
    return thumbnails.stream().mapToLong(Thumbnail::bytes).sum();
  }
}
