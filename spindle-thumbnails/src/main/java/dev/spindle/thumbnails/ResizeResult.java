package dev.spindle.thumbnails;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The output of the {@link ThumbnailTasks#RESIZE} task. A bad image is not an exception but a
 * result with a {@link #failureReason()}, so the reason survives every execution model unchanged (and a
 * durable queue does not retry an image that can never succeed).
 *
 * @param source the source path from the request
 * @param format decoded format ("jpeg", "png", ...), or null if it failed before decoding
 * @param width source width in pixels (0 if unknown)
 * @param height source height in pixels (0 if unknown)
 * @param thumbnails files written, largest first; empty on failure
 * @param decodeNanos time spent decoding
 * @param resizeNanos time spent resampling
 * @param encodeNanos time spent encoding and writing
 * @param worker the thread or worker that did the work
 * @param failureReason why it failed, or null on success
 * @param failureMessage the details of the failure, or null on success
 */
public record ResizeResult(String source, @Nullable String format, int width, int height, List<Thumbnail> thumbnails,
    long decodeNanos, long resizeNanos, long encodeNanos, @Nullable String worker,
    @Nullable FailureReason failureReason, @Nullable String failureMessage) {
  public ResizeResult {
    thumbnails = thumbnails == null ? List.of() : List.copyOf(thumbnails);
  }

  /** True if every thumbnail was written. */
  public boolean succeeded() {
    return failureReason == null;
  }

  /** Total bytes of the thumbnails written. */
  public long thumbnailBytes() {
    return thumbnails.stream().mapToLong(Thumbnail::bytes).sum();
  }

  /** A failed result. */
  public static ResizeResult failed(String source, FailureReason reason, @Nullable String message,
      @Nullable String worker) {
    return new ResizeResult(source, null, 0, 0, List.of(), 0, 0, 0, worker, reason, message);
  }
}
