package dev.spindle.thumbnails.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The EXIF orientation of a photo (tag 0x0112, values 1..8) and how to apply it: phones store
 * pixels as the sensor saw them and record the camera's rotation here. Thumbnails are turned
 * upright, and their width is that of the upright photo. Stateless.
 */
final class Orientation {
  private Orientation() {}

  /** True for orientations 5..8, whose upright image swaps width and height. */
  public static boolean swapsAxes(int orientation) {
    return orientation >= 5 && orientation <= 8;
  }

  /**
   * Reads the orientation from an APP1 segment's payload ({@code Exif\0\0} + TIFF), or 1 if it is
   * absent or malformed (a bad EXIF block never fails an image).
   */
  public static int fromExif(byte[] app1) {
    try {
      if (app1 == null || app1.length < 14 || app1[0] != 'E' || app1[1] != 'x' || app1[2] != 'i' || app1[3] != 'f'
          || app1[4] != 0 || app1[5] != 0) {
        return 1;
      }
      ByteBuffer b = ByteBuffer.wrap(app1, 6, app1.length - 6).slice();
      if (b.get(0) == 'I' && b.get(1) == 'I') {
        b.order(ByteOrder.LITTLE_ENDIAN);
      } else if (b.get(0) == 'M' && b.get(1) == 'M') {
        b.order(ByteOrder.BIG_ENDIAN);
      } else {
        return 1;
      }
      if ((b.getShort(2) & 0xffff) != 42) {
        return 1;
      }
      int ifd = b.getInt(4);
      if (ifd < 8 || ifd + 2 > b.limit()) {
        return 1;
      }
      int entries = b.getShort(ifd) & 0xffff;
      for (int i = 0; i < entries; i++) {
        int e = ifd + 2 + i * 12;
        if (e + 12 > b.limit()) {
          return 1;
        }
        if ((b.getShort(e) & 0xffff) == 0x0112 && (b.getShort(e + 2) & 0xffff) == 3) {
          int v = b.getShort(e + 8) & 0xffff;
          return v >= 1 && v <= 8 ? v : 1;
        }
      }
      return 1;
    } catch (IndexOutOfBoundsException e) {
      return 1;
    }
  }

  /** Turns {@code p} upright for the given orientation (a new image unless it is 1). */
  public static Pixels apply(Pixels p, int orientation) {
    if (orientation <= 1 || orientation > 8) {
      return p;
    }
    int w = p.width();
    int h = p.height();
    int ch = p.channels();
    boolean swap = swapsAxes(orientation);
    int ow = swap ? h : w;
    int oh = swap ? w : h;
    byte[] in = p.data();
    byte[] out = new byte[in.length];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int dx;
        int dy;
        switch (orientation) {
          case 2 -> { dx = w - 1 - x; dy = y; }           // mirror horizontally
          case 3 -> { dx = w - 1 - x; dy = h - 1 - y; }   // rotate 180
          case 4 -> { dx = x; dy = h - 1 - y; }           // mirror vertically
          case 5 -> { dx = y; dy = x; }                   // transpose
          case 6 -> { dx = h - 1 - y; dy = x; }           // rotate 90 clockwise
          case 7 -> { dx = h - 1 - y; dy = w - 1 - x; }   // transverse
          default -> { dx = y; dy = w - 1 - x; }          // 8: rotate 90 counter-clockwise
        }
        System.arraycopy(in, (y * w + x) * ch, out, (dy * ow + dx) * ch, ch);
      }
    }
    return p.withData(ow, oh, out);
  }
}
