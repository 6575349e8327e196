package dev.spindle.thumbnails.internal;

/**
 * Shrinks an image by whole factors, averaging each {@code fx × fy} block (Pillow's
 * {@code Image.reduce}). A box average is a proper low-pass filter, unlike ImageIO's source
 * subsampling, which drops pixels and aliases. Used as a cheap first step that still leaves the
 * image several times larger than the target, so the Lanczos pass that follows decides the quality.
 * Blocks cut by the right or bottom edge average only the pixels they hold. Stateless.
 */
public final class BoxReducer {
  private BoxReducer() {}

  /** Output size along one axis: {@code ceil(size / factor)}. */
  public static int reducedSize(int size, int factor) {
    return (size + factor - 1) / factor;
  }

  /**
   * Reduces {@code src} by {@code fx} horizontally and {@code fy} vertically.
   *
   * @throws IllegalArgumentException if a factor is below 1
   */
  public static Pixels reduce(Pixels src, int fx, int fy) {
    if (fx < 1 || fy < 1) {
      throw new IllegalArgumentException("reduction factors must be >= 1: " + fx + "x" + fy);
    }
    if (fx == 1 && fy == 1) {
      return src;
    }
    final int ch = src.channels();
    final int w = src.width();
    final int h = src.height();
    final int ow = reducedSize(w, fx);
    final int oh = reducedSize(h, fy);
    final byte[] in = src.data();
    final byte[] out = new byte[ow * oh * ch];
    final int[] acc = new int[ow * ch];
    final int stride = w * ch;
    final int fullBlocks = w / fx;
    final int lastWidth = w - fullBlocks * fx;
    for (int oy = 0; oy < oh; oy++) {
      java.util.Arrays.fill(acc, 0);
      int y0 = oy * fy;
      int y1 = Math.min(y0 + fy, h);
      for (int y = y0; y < y1; y++) {
        int row = y * stride;
        if (ch == 3) {
          int p = row;
          int a = 0;
          for (int bx = 0; bx < fullBlocks; bx++, a += 3) {
            int s0 = 0, s1 = 0, s2 = 0;
            for (int k = 0; k < fx; k++, p += 3) {
              s0 += in[p] & 0xff;
              s1 += in[p + 1] & 0xff;
              s2 += in[p + 2] & 0xff;
            }
            acc[a] += s0;
            acc[a + 1] += s1;
            acc[a + 2] += s2;
          }
          for (int k = 0; k < lastWidth; k++, p += 3) {
            acc[a] += in[p] & 0xff;
            acc[a + 1] += in[p + 1] & 0xff;
            acc[a + 2] += in[p + 2] & 0xff;
          }
        } else {
          for (int x = 0; x < w; x++) {
            int a = (x / fx) * ch;
            int p = row + x * ch;
            for (int c = 0; c < ch; c++) {
              acc[a + c] += in[p + c] & 0xff;
            }
          }
        }
      }
      int rows = y1 - y0;
      int o = oy * ow * ch;
      for (int ox = 0; ox < ow; ox++) {
        int cols = Math.min(fx, w - ox * fx);
        int n = rows * cols;
        int half = n >> 1;
        int a = ox * ch;
        for (int c = 0; c < ch; c++) {
          out[o + a + c] = (byte) ((acc[a + c] + half) / n);
        }
      }
    }
    return src.withData(ow, oh, out);
  }
}
