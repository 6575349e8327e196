package dev.spindle.thumbnails.internal;

/**
 * Separable Lanczos-3 resampling of 8-bit images, following Pillow's {@code ImagingResample}
 * ({@code Image.LANCZOS}): the kernel support widens with the scale factor when shrinking (so every
 * source pixel contributes and nothing aliases), weights are normalized per output pixel and held
 * as 22-bit fixed point, and the horizontal pass runs before the vertical one. Alpha is
 * premultiplied around the passes so transparent pixels do not bleed their colour. Stateless and
 * thread-safe.
 */
final class Lanczos {
  /** Lanczos-3: three lobes on each side. */
  static final double SUPPORT = 3.0;
  private static final int PRECISION_BITS = 32 - 8 - 2;
  private static final int HALF = 1 << (PRECISION_BITS - 1);

  private Lanczos() {}

  static double sinc(double x) {
    if (x == 0.0) {
      return 1.0;
    }
    double px = Math.PI * x;
    return Math.sin(px) / px;
  }

  /** The Lanczos-3 kernel. */
  static double kernel(double x) {
    if (x > -SUPPORT && x < SUPPORT) {
      return sinc(x) * sinc(x / SUPPORT);
    }
    return 0.0;
  }

  /** Per output pixel: the first source index, the tap count and the fixed-point weights. */
  record Coefficients(int[] first, int[] count, int taps, int[] weights) {}

  /**
   * Weights for mapping the source span {@code [in0, in1)} (of {@code inSize} pixels) onto
   * {@code outSize} pixels.
   */
  static Coefficients coefficients(int inSize, double in0, double in1, int outSize) {
    double scale = (in1 - in0) / outSize;
    double filterScale = Math.max(scale, 1.0);
    double support = SUPPORT * filterScale;
    int taps = (int) Math.ceil(support) * 2 + 1;
    int[] first = new int[outSize];
    int[] count = new int[outSize];
    int[] weights = new int[outSize * taps];
    double[] k = new double[taps];
    double ss = 1.0 / filterScale;
    for (int xx = 0; xx < outSize; xx++) {
      double center = in0 + (xx + 0.5) * scale;
      int xmin = Math.max((int) (center - support + 0.5), 0);
      int xmax = Math.min((int) (center + support + 0.5), inSize) - xmin;
      double sum = 0.0;
      for (int x = 0; x < xmax; x++) {
        double w = kernel((x + xmin - center + 0.5) * ss);
        k[x] = w;
        sum += w;
      }
      for (int x = 0; x < xmax; x++) {
        double w = sum != 0.0 ? k[x] / sum : 0.0;
        weights[xx * taps + x] = (int) (w < 0 ? w * (1 << PRECISION_BITS) - 0.5 : w * (1 << PRECISION_BITS) + 0.5);
      }
      first[xx] = xmin;
      count[xx] = Math.max(xmax, 0);
    }
    return new Coefficients(first, count, taps, weights);
  }

  private static int clip8(int v) {
    int s = v >> PRECISION_BITS;
    return s < 0 ? 0 : s > 255 ? 255 : s;
  }

  /** Resizes the whole image to {@code outW × outH}. */
  public static Pixels resize(Pixels src, int outW, int outH) {
    return resize(src, 0, 0, src.width(), src.height(), outW, outH);
  }

  /**
   * Resizes the source box {@code [x0,x1) × [y0,y1)} (fractional, in source pixels) to
   * {@code outW × outH}. A box lets a box-reduced image be resampled with the exact geometry of the
   * original even when the last reduced column or row was a partial block.
   */
  public static Pixels resize(Pixels src, double x0, double y0, double x1, double y1, int outW, int outH) {
    if (outW < 1 || outH < 1) {
      throw new IllegalArgumentException("output size must be positive: " + outW + "x" + outH);
    }
    boolean alpha = src.hasAlpha();
    Pixels in = alpha ? Alpha.premultiply(src) : src;
    Coefficients h = coefficients(in.width(), x0, x1, outW);
    Coefficients v = coefficients(in.height(), y0, y1, outH);
    // Only rows the vertical pass reads need a horizontal pass.
    int rowFirst = v.first()[0];
    int rowLast = v.first()[outH - 1] + v.count()[outH - 1];
    Pixels tmp = horizontal(in, h, outW, rowFirst, rowLast);
    Pixels out = vertical(tmp, v, outH, rowFirst);
    return alpha ? Alpha.unpremultiply(out) : out;
  }

  private static Pixels horizontal(Pixels src, Coefficients c, int outW, int rowFirst, int rowLast) {
    final int ch = src.channels();
    final int rows = rowLast - rowFirst;
    final byte[] in = src.data();
    final byte[] out = new byte[outW * rows * ch];
    final int inStride = src.width() * ch;
    final int outStride = outW * ch;
    final int[] first = c.first();
    final int[] count = c.count();
    final int[] w = c.weights();
    final int taps = c.taps();
    for (int y = 0; y < rows; y++) {
      int inRow = (y + rowFirst) * inStride;
      int outRow = y * outStride;
      if (ch == 3) {
        for (int xx = 0; xx < outW; xx++) {
          int p = inRow + first[xx] * 3;
          int k = xx * taps;
          int n = count[xx];
          int s0 = HALF, s1 = HALF, s2 = HALF;
          for (int i = 0; i < n; i++, p += 3) {
            int wi = w[k + i];
            s0 += (in[p] & 0xff) * wi;
            s1 += (in[p + 1] & 0xff) * wi;
            s2 += (in[p + 2] & 0xff) * wi;
          }
          int o = outRow + xx * 3;
          out[o] = (byte) clip8(s0);
          out[o + 1] = (byte) clip8(s1);
          out[o + 2] = (byte) clip8(s2);
        }
      } else {
        for (int xx = 0; xx < outW; xx++) {
          int k = xx * taps;
          int n = count[xx];
          for (int cc = 0; cc < ch; cc++) {
            int p = inRow + first[xx] * ch + cc;
            int s = HALF;
            for (int i = 0; i < n; i++, p += ch) {
              s += (in[p] & 0xff) * w[k + i];
            }
            out[outRow + xx * ch + cc] = (byte) clip8(s);
          }
        }
      }
    }
    return src.withData(outW, rows, out);
  }

  private static Pixels vertical(Pixels src, Coefficients c, int outH, int rowOffset) {
    final int stride = src.stride();
    final byte[] in = src.data();
    final byte[] out = new byte[stride * outH];
    final int[] acc = new int[stride];
    final int[] first = c.first();
    final int[] count = c.count();
    final int[] w = c.weights();
    final int taps = c.taps();
    for (int yy = 0; yy < outH; yy++) {
      java.util.Arrays.fill(acc, HALF);
      int k = yy * taps;
      int n = count[yy];
      int row0 = first[yy] - rowOffset;
      for (int i = 0; i < n; i++) {
        int wi = w[k + i];
        int p = (row0 + i) * stride;
        for (int j = 0; j < stride; j++) {
          acc[j] += (in[p + j] & 0xff) * wi;
        }
      }
      int o = yy * stride;
      for (int j = 0; j < stride; j++) {
        out[o + j] = (byte) clip8(acc[j]);
      }
    }
    return src.withData(src.width(), outH, out);
  }
}
