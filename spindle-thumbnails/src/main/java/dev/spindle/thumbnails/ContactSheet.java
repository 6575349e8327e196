package dev.spindle.thumbnails;

import java.util.List;

/**
 * The result of {@link ThumbnailTasks#CONTACT_SHEET}: one image with a thumbnail of every image
 * of a workflow in a grid, and what could not be shown. Immutable.
 *
 * @param path absolute path of the sheet (a JPEG)
 * @param width its width in pixels
 * @param height its height in pixels
 * @param bytes its size in bytes
 * @param images the thumbnails on it, in the workflow's order
 * @param missing one line per image that is not on it: its source and why
 */
public record ContactSheet(String path, int width, int height, long bytes, List<String> images,
    List<String> missing) {
  /** Copies the lists. */
  public ContactSheet {
    images = List.copyOf(images);
    missing = List.copyOf(missing);
  }
}
