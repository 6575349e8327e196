package dev.spindle.thumbnails.internal;

/** Gives internal tests the shared test images. */
final class TestImagesBridge {
  private TestImagesBridge() {}

  static Pixels gradient(int w, int h) {
    return dev.spindle.thumbnails.TestImages.gradient(w, h);
  }
}
