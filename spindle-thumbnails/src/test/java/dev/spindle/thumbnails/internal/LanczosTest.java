package dev.spindle.thumbnails.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LanczosTest {
  private static Pixels gray(int w, int h, java.util.function.IntBinaryOperator f) {
    byte[] d = new byte[w * h];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        d[y * w + x] = (byte) f.applyAsInt(x, y);
      }
    }
    return new Pixels(w, h, 1, -1, d);
  }

  private static double stddev(Pixels p) {
    double sum = 0;
    double sq = 0;
    for (byte b : p.data()) {
      int v = b & 0xff;
      sum += v;
      sq += v * v;
    }
    int n = p.data().length;
    double mean = sum / n;
    return Math.sqrt(Math.max(0, sq / n - mean * mean));
  }

  /** Point sampling, what ImageIO source subsampling or nearest-neighbour does. */
  private static Pixels nearest(Pixels src, int w, int h) {
    byte[] d = new byte[w * h];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        d[y * w + x] = src.data()[(y * src.height() / h) * src.width() + x * src.width() / w];
      }
    }
    return new Pixels(w, h, 1, -1, d);
  }

  @Test
  void outputHasTheRequestedSize() {
    Pixels out = Lanczos.resize(gray(333, 127, (x, y) -> x), 50, 19);
    assertThat(out.width()).isEqualTo(50);
    assertThat(out.height()).isEqualTo(19);
    assertThat(out.data()).hasSize(50 * 19);
  }

  @Test
  void aConstantImageStaysConstant() {
    Pixels out = Lanczos.resize(gray(640, 480, (x, y) -> 77), 37, 29);
    for (byte b : out.data()) {
      assertThat(b & 0xff).isEqualTo(77);
    }
  }

  @Test
  void stripesAtThePixelFrequencyAverageToFlatGreyInsteadOfAliasing() {
    // 1-pixel black/white stripes with a slight slant: everything above the target's Nyquist.
    Pixels stripes = gray(1200, 800, (x, y) -> ((x + y / 7) % 2) * 255);
    Pixels good = Lanczos.resize(stripes, 120, 80);
    Pixels bad = nearest(stripes, 120, 80);
    assertThat(stddev(bad)).as("the test pattern aliases under point sampling").isGreaterThan(100);
    assertThat(stddev(good)).as("Lanczos leaves no aliasing energy").isLessThan(3);
  }

  @Test
  void zonePlateRingsAboveTheTargetNyquistVanish() {
    int n = 1024;
    Pixels zone = gray(n, n, (x, y) -> {
      double dx = x - n / 2.0;
      double dy = y - n / 2.0;
      return (int) Math.round(127.5 + 127.5 * Math.cos(Math.PI * (dx * dx + dy * dy) / n));
    });
    int out = 128; // 8x smaller: rings finer than 1/16 cycles per source pixel must disappear
    Pixels small = Lanczos.resize(zone, out, out);
    // Local frequency at radius r is r/n cycles per source pixel; the output Nyquist is 1/16.
    // Look at the ring band between 2x and 4x that limit: it must be flat.
    double sum = 0;
    double sq = 0;
    int count = 0;
    for (int y = 0; y < out; y++) {
      for (int x = 0; x < out; x++) {
        double r = Math.hypot((x + 0.5) * 8 - n / 2.0, (y + 0.5) * 8 - n / 2.0);
        if (r > 2 * n / 16.0 && r < 4 * n / 16.0) {
          int v = small.data()[y * out + x] & 0xff;
          sum += v;
          sq += v * v;
          count++;
        }
      }
    }
    double mean = sum / count;
    double sd = Math.sqrt(sq / count - mean * mean);
    assertThat(mean).isBetween(120.0, 135.0);
    assertThat(sd).as("aliasing energy in the ring band").isLessThan(4);
  }

  @Test
  void lowFrequencyDetailKeepsItsContrast() {
    // A sine with a 100-pixel period, shrunk 4x (25-pixel period): well below the output Nyquist.
    Pixels wave = gray(800, 40, (x, y) -> (int) Math.round(127.5 + 100 * Math.sin(2 * Math.PI * x / 100.0)));
    Pixels out = Lanczos.resize(wave, 200, 10);
    int min = 255;
    int max = 0;
    for (int x = 0; x < 200; x++) {
      int v = out.data()[5 * 200 + x] & 0xff;
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    assertThat(max - min).as("peak-to-peak of a 200-level wave").isGreaterThan(190);
  }

  @Test
  void boxedResizeMatchesTheGeometryOfTheOriginal() {
    Pixels src = TestImagesBridge.gradient(999, 500);
    Pixels direct = Lanczos.resize(src, 100, 50);
    Pixels reduced = BoxReducer.reduce(src, 3, 3);
    Pixels viaBox = Lanczos.resize(reduced, 0, 0, 999 / 3.0, 500 / 3.0, 100, 50);
    int worst = 0;
    for (int i = 0; i < direct.data().length; i++) {
      worst = Math.max(worst, Math.abs((direct.data()[i] & 0xff) - (viaBox.data()[i] & 0xff)));
    }
    assertThat(worst).as("largest difference between box+Lanczos and pure Lanczos on a gradient").isLessThanOrEqualTo(2);
  }

  @Test
  void transparentPixelsDoNotBleedTheirColour() {
    // Left half opaque red, right half fully transparent "green" (ABGR order: A, B, G, R).
    int w = 100;
    int h = 10;
    byte[] d = new byte[w * h * 4];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int p = (y * w + x) * 4;
        if (x < w / 2) {
          d[p] = (byte) 255;
          d[p + 3] = (byte) 255;
        } else {
          d[p + 2] = (byte) 255;
        }
      }
    }
    Pixels out = Lanczos.resize(new Pixels(w, h, 4, 0, d), 10, 1);
    for (int x = 0; x < 10; x++) {
      int p = x * 4;
      int a = out.data()[p] & 0xff;
      if (a > 16) {
        assertThat(out.data()[p + 2] & 0xff).as("green from transparent pixels at x=" + x).isLessThan(8);
      }
    }
  }

  @Test
  void rejectsEmptyOutput() {
    assertThatThrownBy(() -> Lanczos.resize(gray(10, 10, (x, y) -> 0), 0, 5))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive");
  }
}
