package dev.spindle.thumbnails.internal;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.SplittableRandom;

/**
 * Paints deterministic, photo-like test images: a sky gradient with a sun, two ridges of hills, a
 * textured field, trees, film grain, and patches of fine detail that reveal aliasing when an image
 * is shrunk badly: a zone plate (concentric rings up to the pixel frequency), fine diagonal
 * "fabric" lines, a brick wall and window blinds. The same index always gives the same pixels.
 * Stateless and thread-safe.
 */
public final class SampleImageGenerator {
  private SampleImageGenerator() {}

  /** Renders sample {@code index} (0-based) at the given size. */
  public static BufferedImage render(int index, int w, int h) {
    SplittableRandom rnd = new SplittableRandom(0x5EEDL * 1_000_003L + index * 0x9E3779B97F4A7C15L);
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    byte[] d = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();

    double hue = rnd.nextDouble();
    double[] skyTop = hsv(0.55 + 0.1 * (hue - 0.5), 0.65, 0.55 + 0.3 * rnd.nextDouble());
    double[] skyLow = hsv(0.08 + 0.5 * hue, 0.35, 0.95);
    double[] hillFar = hsv(0.6 + 0.1 * rnd.nextDouble(), 0.35, 0.55);
    double[] hillNear = hsv(0.25 + 0.12 * rnd.nextDouble(), 0.55, 0.45);
    double[] field = hsv(0.12 + 0.15 * rnd.nextDouble(), 0.6, 0.6);

    double[] far = ridge(rnd, w, h * (0.38 + 0.08 * rnd.nextDouble()), h * 0.07, 5);
    double[] near = ridge(rnd, w, h * (0.55 + 0.08 * rnd.nextDouble()), h * 0.05, 7);
    double sunX = w * (0.1 + 0.8 * rnd.nextDouble());
    double sunY = h * (0.08 + 0.18 * rnd.nextDouble());
    double sunR = h * (0.035 + 0.02 * rnd.nextDouble());
    double grain = 9.0 + 5.0 * rnd.nextDouble();
    double skyDepth = h * 0.5;
    long noise = rnd.nextLong() | 1;

    for (int y = 0; y < h; y++) {
      double ty = (double) y / h;
      int row = y * w * 3;
      for (int x = 0; x < w; x++) {
        double r;
        double g;
        double b;
        if (y < far[x]) {
          double t = Math.min(1.0, y / skyDepth);
          r = lerp(skyTop[0], skyLow[0], t);
          g = lerp(skyTop[1], skyLow[1], t);
          b = lerp(skyTop[2], skyLow[2], t);
          double dx = x - sunX;
          double dy = y - sunY;
          double dd = (dx * dx + dy * dy) / (sunR * sunR);
          double glow = dd < 1.0 ? 1.0 : 0.6 / (0.4 + dd);
          r += glow * 0.9;
          g += glow * 0.8;
          b += glow * 0.5;
        } else if (y < near[x]) {
          double t = (y - far[x]) / Math.max(1.0, near[x] - far[x]);
          double shade = 0.75 + 0.35 * t + 0.08 * Math.sin(x * 0.013 + y * 0.021);
          r = hillFar[0] * shade;
          g = hillFar[1] * shade;
          b = hillFar[2] * shade;
        } else {
          // a field in perspective: rows of crops get finer towards the horizon
          double depth = (y - near[x]) / Math.max(1.0, h - near[x]);
          double rows = Math.sin((x - w / 2.0) / (2.0 + 40.0 * depth) * (0.6 + depth) + depth * 90.0);
          double t = 0.75 + 0.2 * rows + 0.15 * ty;
          r = (near[x] + 25 > y ? hillNear[0] : field[0]) * t;
          g = (near[x] + 25 > y ? hillNear[1] : field[1]) * t;
          b = (near[x] + 25 > y ? hillNear[2] : field[2]) * t;
        }
        noise ^= noise << 13;
        noise ^= noise >>> 7;
        noise ^= noise << 17;
        double n1 = ((noise & 0xFFFF) + ((noise >>> 16) & 0xFFFF) - 65535.0) / 65535.0 * grain;
        double n2 = (((noise >>> 32) & 0xFFFF) + ((noise >>> 48) & 0xFFFF) - 65535.0) / 65535.0 * grain;
        int p = row + x * 3;
        d[p] = clamp(b * 255 + n2);
        d[p + 1] = clamp(g * 255 + (n1 + n2) * 0.5);
        d[p + 2] = clamp(r * 255 + n1);
      }
    }
    int trees = 6 + rnd.nextInt(10);
    for (int i = 0; i < trees; i++) {
      int tx = rnd.nextInt(w);
      int ty = (int) Math.min(h - 1, near[tx] + rnd.nextInt(Math.max(1, h / 6)));
      tree(d, w, h, tx, ty, (int) (h * (0.04 + 0.06 * rnd.nextDouble())), rnd);
    }
    // Fine-detail patches, placed where they do not all overlap.
    int s = Math.min(w, h) / 3;
    zonePlate(d, w, h, (int) (w * 0.05 + rnd.nextInt(Math.max(1, w / 5))), h - s - h / 20, s);
    fabric(d, w, h, w / 3 + rnd.nextInt(Math.max(1, w / 8)), h - s - h / 16, s, s * 3 / 4, rnd.nextDouble() * 0.6 + 0.2);
    bricks(d, w, h, w * 2 / 3 - rnd.nextInt(Math.max(1, w / 10)), (int) (near[w * 2 / 3] - s / 3), s * 5 / 4, s * 3 / 4);
    blinds(d, w, h, w - s - w / 30, h / 12, s * 2 / 3, s / 2);
    return img;
  }

  private static double[] ridge(SplittableRandom rnd, int w, double base, double amp, int octaves) {
    double[] out = new double[w];
    double[] phase = new double[octaves];
    double[] freq = new double[octaves];
    for (int k = 0; k < octaves; k++) {
      phase[k] = rnd.nextDouble() * Math.PI * 2;
      freq[k] = (k + 1) * (1.0 + rnd.nextDouble()) * 2 * Math.PI / w;
    }
    for (int x = 0; x < w; x++) {
      double v = base;
      for (int k = 0; k < octaves; k++) {
        v += amp / (k + 1) * Math.sin(x * freq[k] * (k + 1) + phase[k]);
      }
      out[x] = v;
    }
    return out;
  }

  private static void tree(byte[] d, int w, int h, int cx, int cy, int r, SplittableRandom rnd) {
    double[] leaf = hsv(0.22 + 0.1 * rnd.nextDouble(), 0.7, 0.35 + 0.2 * rnd.nextDouble());
    for (int y = Math.max(0, cy - 3 * r); y < Math.min(h, cy + r / 2); y++) {
      for (int x = Math.max(0, cx - r); x < Math.min(w, cx + r); x++) {
        double dx = (x - cx) / (double) r;
        double dy = (y - (cy - 1.6 * r)) / (1.4 * r);
        double rr = dx * dx + dy * dy;
        int p = (y * w + x) * 3;
        if (rr < 1.0) {
          double t = 0.7 + 0.3 * Math.sin(x * 0.9) * Math.cos(y * 1.1) - 0.3 * dy;
          d[p] = clamp(leaf[2] * 255 * t);
          d[p + 1] = clamp(leaf[1] * 255 * t);
          d[p + 2] = clamp(leaf[0] * 255 * t);
        } else if (Math.abs(x - cx) < r / 10 && y > cy - r) {
          d[p] = 30;
          d[p + 1] = 50;
          d[p + 2] = 70;
        }
      }
    }
  }

  /** Concentric rings whose frequency rises to 0.5 cycles per pixel at the patch's edge. */
  private static void zonePlate(byte[] d, int w, int h, int x0, int y0, int size) {
    double rMax = size / 2.0;
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        int px = x0 + x;
        int py = y0 + y;
        if (px < 0 || py < 0 || px >= w || py >= h) {
          continue;
        }
        double dx = x - rMax;
        double dy = y - rMax;
        double r2 = dx * dx + dy * dy;
        if (r2 > rMax * rMax) {
          continue;
        }
        int v = clampInt(128 + 110 * Math.cos(Math.PI * r2 / (2 * rMax)));
        int p = (py * w + px) * 3;
        d[p] = (byte) v;
        d[p + 1] = (byte) v;
        d[p + 2] = (byte) Math.min(255, v + 10);
      }
    }
  }

  /** Fine slanted lines, 2.5 pixels apart: shimmering moiré if shrunk by point sampling. */
  private static void fabric(byte[] d, int w, int h, int x0, int y0, int pw, int ph, double slope) {
    for (int y = 0; y < ph; y++) {
      for (int x = 0; x < pw; x++) {
        int px = x0 + x;
        int py = y0 + y;
        if (px < 0 || py < 0 || px >= w || py >= h) {
          continue;
        }
        double v = Math.sin(2 * Math.PI * (x + slope * y) / 2.5);
        int p = (py * w + px) * 3;
        d[p] = clamp(120 + 90 * v);
        d[p + 1] = clamp(60 + 50 * v);
        d[p + 2] = clamp(150 + 80 * v);
      }
    }
  }

  private static void bricks(byte[] d, int w, int h, int x0, int y0, int pw, int ph) {
    for (int y = 0; y < ph; y++) {
      int course = y / 10;
      boolean mortarRow = y % 10 < 2;
      for (int x = 0; x < pw; x++) {
        int px = x0 + x;
        int py = y0 + y;
        if (px < 0 || py < 0 || px >= w || py >= h) {
          continue;
        }
        int bx = (x + (course % 2) * 12) % 24;
        boolean mortar = mortarRow || bx < 2;
        int p = (py * w + px) * 3;
        if (mortar) {
          d[p] = (byte) 190;
          d[p + 1] = (byte) 200;
          d[p + 2] = (byte) 205;
        } else {
          int tone = ((course * 7 + (x + (course % 2) * 12) / 24 * 13) % 5) * 9;
          d[p] = clamp(40 + tone);
          d[p + 1] = clamp(60 + tone);
          d[p + 2] = clamp(150 + tone);
        }
      }
    }
  }

  private static void blinds(byte[] d, int w, int h, int x0, int y0, int pw, int ph) {
    for (int y = 0; y < ph; y++) {
      boolean dark = y % 3 == 0;
      for (int x = 0; x < pw; x++) {
        int px = x0 + x;
        int py = y0 + y;
        if (px < 0 || py < 0 || px >= w || py >= h) {
          continue;
        }
        int p = (py * w + px) * 3;
        int v = dark ? 35 : 225;
        d[p] = (byte) v;
        d[p + 1] = (byte) v;
        d[p + 2] = (byte) v;
      }
    }
  }

  private static double lerp(double a, double b, double t) {
    return a + (b - a) * t;
  }

  private static byte clamp(double v) {
    return (byte) clampInt(v);
  }

  private static int clampInt(double v) {
    return v <= 0 ? 0 : v >= 255 ? 255 : (int) (v + 0.5);
  }

  /** HSV (all 0..1) to RGB (0..1). */
  static double[] hsv(double hue, double s, double v) {
    double hh = ((hue % 1.0) + 1.0) % 1.0 * 6.0;
    int i = (int) hh;
    double f = hh - i;
    double p = v * (1 - s);
    double q = v * (1 - s * f);
    double t = v * (1 - s * (1 - f));
    return switch (i) {
      case 0 -> new double[] {v, t, p};
      case 1 -> new double[] {q, v, p};
      case 2 -> new double[] {p, v, t};
      case 3 -> new double[] {p, q, v};
      case 4 -> new double[] {t, p, v};
      default -> new double[] {v, p, q};
    };
  }
}
