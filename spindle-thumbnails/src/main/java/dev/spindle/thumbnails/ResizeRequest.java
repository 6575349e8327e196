package dev.spindle.thumbnails;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The input of the {@link ThumbnailTasks#RESIZE} task: one downloaded image to turn into
 * thumbnails. Plain data that travels as JSON to child JVMs and queue workers, which need the same
 * file system view (a local disk, or a shared mount for workers on other machines).
 *
 * @param source absolute path of the downloaded image
 * @param outputDir absolute path of the folder the thumbnails go to
 * @param stem the file name without extension; thumbnails are {@code <stem>_<width>.<ext>}
 * @param widths target widths in pixels, each 1..10000, no duplicates
 * @param maxPixels images with more pixels (width × height) are refused before decoding
 * @param jpegQuality JPEG quality 0..1
 * @param reducingGap the box pre-reduction keeps at least this many times the target size before
 *     the Lanczos pass (Pillow's {@code reducing_gap}); 0 disables it (pure Lanczos)
 * @param upscale whether sources narrower than a target are enlarged (otherwise kept at their size)
 * @param sharedCounter name of a cross-process counter to add the written bytes to, or null
 */
public record ResizeRequest(String source, String outputDir, String stem, List<Integer> widths,
    long maxPixels, float jpegQuality, double reducingGap, boolean upscale, @Nullable String sharedCounter) {
  public ResizeRequest {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(outputDir, "outputDir");
    Objects.requireNonNull(stem, "stem");
    widths = List.copyOf(Objects.requireNonNull(widths, "widths"));
    if (widths.isEmpty()) {
      throw new IllegalArgumentException("at least one target width is needed");
    }
    for (int w : widths) {
      if (w < 1 || w > ThumbnailConfig.MAX_WIDTH) {
        throw new IllegalArgumentException("target width must be 1.." + ThumbnailConfig.MAX_WIDTH + ": " + w);
      }
    }
    if (widths.stream().distinct().count() != widths.size()) {
      throw new IllegalArgumentException("duplicate target widths: " + widths);
    }
    if (maxPixels < 1) {
      throw new IllegalArgumentException("maxPixels must be >= 1: " + maxPixels);
    }
    if (!(jpegQuality > 0f && jpegQuality <= 1f)) {
      throw new IllegalArgumentException("jpegQuality must be in (0, 1]: " + jpegQuality);
    }
    if (!(reducingGap == 0 || reducingGap >= 1.0) || Double.isNaN(reducingGap) || Double.isInfinite(reducingGap)) {
      throw new IllegalArgumentException("reducingGap must be 0 (off) or >= 1: " + reducingGap);
    }
  }

  /** A copy that adds its bytes to the named cross-process counter. */
  public ResizeRequest withSharedCounter(String counter) {
    return new ResizeRequest(source, outputDir, stem, widths, maxPixels, jpegQuality, reducingGap, upscale, counter);
  }
}
