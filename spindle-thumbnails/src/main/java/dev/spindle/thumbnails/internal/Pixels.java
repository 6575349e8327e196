package dev.spindle.thumbnails.internal;

import java.util.Objects;

/**
 * An 8-bit interleaved image held in one byte array: {@code channels} samples per pixel, rows
 * packed without padding. Channel order is whatever the decoder produced (BGR for JDK JPEGs); the
 * resampling code treats every channel alike. Four-channel images keep alpha at index
 * {@link #alphaIndex()} (premultiplied while resampling). Mutable array, not thread-safe to share
 * while writing.
 */
public record Pixels(int width, int height, int channels, int alphaIndex, byte[] data) {
  public Pixels {
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException("image size must be positive: " + width + "x" + height);
    }
    if (channels != 1 && channels != 3 && channels != 4) {
      throw new IllegalArgumentException("channels must be 1, 3 or 4: " + channels);
    }
    if (channels == 4 ? alphaIndex < 0 || alphaIndex > 3 : alphaIndex != -1) {
      throw new IllegalArgumentException("alphaIndex " + alphaIndex + " does not fit " + channels + " channels");
    }
    Objects.requireNonNull(data, "data");
    if ((long) width * height * channels != data.length) {
      throw new IllegalArgumentException("data length " + data.length + " != " + width + "x" + height + "x" + channels);
    }
  }

  /** A new black (or transparent) image. */
  public static Pixels blank(int width, int height, int channels, int alphaIndex) {
    return new Pixels(width, height, channels, alphaIndex, new byte[Math.multiplyExact(Math.multiplyExact(width, height), channels)]);
  }

  /** Bytes per row. */
  public int stride() {
    return width * channels;
  }

  /** True if the image has an alpha channel. */
  public boolean hasAlpha() {
    return alphaIndex >= 0;
  }

  /** A copy with other pixels of the same layout. */
  Pixels withData(int w, int h, byte[] d) {
    return new Pixels(w, h, channels, alphaIndex, d);
  }
}
