package dev.spindle.thumbnails;

/**
 * One thumbnail file that was written.
 *
 * @param path absolute path of the file, {@code <outgoing>/<stem>_<width>.<ext>}
 * @param requestedWidth the configured target width in pixels (the name carries this number)
 * @param width actual width in pixels (smaller than requested only for small sources when
 *     upscaling is off)
 * @param height height in pixels, keeping the source's aspect ratio
 * @param bytes file size in bytes
 */
public record Thumbnail(String path, int requestedWidth, int width, int height, long bytes) {}
