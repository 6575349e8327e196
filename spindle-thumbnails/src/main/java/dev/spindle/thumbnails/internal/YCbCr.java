package dev.spindle.thumbnails.internal;

/**
 * JFIF YCbCr to BGR (ITU-R BT.601 full range, as libjpeg converts). Resampling is linear and this
 * conversion affine, so a JPEG can be decoded without colour conversion, shrunk as YCbCr and
 * converted at the (small) output size: the same pixels up to rounding, at a fraction of the cost.
 */
final class YCbCr {
  private YCbCr() {}

  /** Converts interleaved Y, Cb, Cr samples to B, G, R in place and returns {@code p}. */
  static Pixels toBgr(Pixels p) {
    byte[] d = p.data();
    for (int i = 0; i < d.length; i += 3) {
      double y = d[i] & 0xff;
      double cb = (d[i + 1] & 0xff) - 128.0;
      double cr = (d[i + 2] & 0xff) - 128.0;
      d[i] = clamp(y + 1.772 * cb);
      d[i + 1] = clamp(y - 0.344136 * cb - 0.714136 * cr);
      d[i + 2] = clamp(y + 1.402 * cr);
    }
    return p;
  }

  private static byte clamp(double v) {
    return (byte) (v <= 0 ? 0 : v >= 255 ? 255 : (int) (v + 0.5));
  }
}
