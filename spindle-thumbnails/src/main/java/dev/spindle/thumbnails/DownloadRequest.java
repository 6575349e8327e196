package dev.spindle.thumbnails;

import java.util.List;
import java.util.Objects;

/**
 * The input of {@link ThumbnailTasks#DOWNLOAD}: one image to fetch, and how to resize it after. The
 * task answers with the {@link ResizeRequest} of the saved file, so a chain passes it straight to
 * {@link ThumbnailTasks#RESIZE}. Plain data that travels as JSON to queue workers, which need the
 * same file system view as the submitter (a local disk or a shared mount). Immutable.
 *
 * @param url the image's http(s) URL
 * @param fileName the name to save it under in {@code incomingDir} (unique within one workflow)
 * @param incomingDir absolute path of the folder downloads go to
 * @param resize the resize settings; its {@code source} and {@code stem} are replaced by the
 *     downloaded file's
 * @param timeoutMillis the whole transfer's time limit per attempt, in milliseconds, at least 1
 * @param maxBytes larger downloads are refused, at least 1
 * @param retry how transient failures (timeouts, resets, 5xx, 429) are retried inside the task
 */
public record DownloadRequest(String url, String fileName, String incomingDir, ResizeRequest resize,
    long timeoutMillis, long maxBytes, RetryPolicy retry) {
  /** Checks the arguments. */
  public DownloadRequest {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(fileName, "fileName");
    Objects.requireNonNull(incomingDir, "incomingDir");
    Objects.requireNonNull(resize, "resize");
    Objects.requireNonNull(retry, "retry");
    if (fileName.isEmpty() || fileName.contains("/") || fileName.contains("\\") || fileName.startsWith(".")) {
      throw new IllegalArgumentException("fileName must be a plain file name: " + fileName);
    }
    if (timeoutMillis < 1) {
      throw new IllegalArgumentException("timeoutMillis must be at least 1: " + timeoutMillis);
    }
    if (maxBytes < 1) {
      throw new IllegalArgumentException("maxBytes must be at least 1: " + maxBytes);
    }
  }

  /** The widths the image is resized to. */
  public List<Integer> widths() {
    return resize.widths();
  }
}
