package dev.spindle.thumbnails.internal;

/**
 * Shrinks an image by whole factors, averaging each {@code fx × fy} block (Pillow's
 * {@code Image.reduce}). A box average is a proper low-pass filter, unlike ImageIO's source
 * subsampling, which drops pixels and aliases. Used as a cheap first step that still leaves the
 * image several times larger than the target, so the Lanczos pass that follows decides the quality.
 * Blocks cut by the right or bottom edge average only the pixels they hold. Stateless.
 */
final class BoxReducer {
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
    final int stride = w * ch;
    // Sum each band of fy rows column by column first (a straight loop the JIT vectorizes), then
    // add fx columns per output pixel once per band.
    final int[] colSum = new int[stride];
    for (int oy = 0; oy < oh; oy++) {
      java.util.Arrays.fill(colSum, 0);
      int y0 = oy * fy;
      int y1 = Math.min(y0 + fy, h);
      for (int y = y0; y < y1; y++) {
        int row = y * stride;
        for (int j = 0; j < stride; j++) {
          colSum[j] += in[row + j] & 0xff;
        }
      }
      int rows = y1 - y0;
      int o = oy * ow * ch;
      for (int ox = 0; ox < ow; ox++) {
        int x0 = ox * fx;
        int cols = Math.min(fx, w - x0);
        int n = rows * cols;
        int half = n >> 1;
        for (int c = 0; c < ch; c++) {
          int sum = 0;
          for (int k = 0, p = x0 * ch + c; k < cols; k++, p += ch) {
            sum += colSum[p];
          }
          out[o + ox * ch + c] = (byte) ((sum + half) / n);
        }
      }
    }
    return src.withData(ow, oh, out);
  }
}
