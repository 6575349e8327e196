package dev.spindle.thumbnails.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.thumbnails.FailureReason;
import dev.spindle.thumbnails.ResizeRequest;
import dev.spindle.thumbnails.ResizeResult;
import dev.spindle.thumbnails.TestImages;
import dev.spindle.thumbnails.Thumbnail;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ThumbnailRendererTest {
  @TempDir Path dir;

  private ResizeRequest request(Path src, long maxPixels) {
    return new ResizeRequest(src.toString(), dir.resolve("out").toString(), ThumbnailRenderer.stemOf(src.getFileName().toString()),
        List.of(200, 64, 32), maxPixels, 0.85f, 3.0, false, null);
  }

  private List<String> outFiles() throws IOException {
    Path out = dir.resolve("out");
    if (!Files.isDirectory(out)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(out)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void phoneSizedJpegGivesThreeWidthsWithTheAspectRatioAndCourseNames() throws Exception {
    Path src = TestImages.jpeg(dir.resolve("IMG_0042.jpg"), 3264, 1836);
    ResizeResult r = ThumbnailRenderer.render(request(src, 100_000_000L), "t");
    assertThat(r.succeeded()).as(r.failureMessage()).isTrue();
    assertThat(r.width()).isEqualTo(3264);
    assertThat(r.height()).isEqualTo(1836);
    assertThat(r.thumbnails()).extracting(Thumbnail::width).containsExactly(200, 64, 32);
    // 1836 * w / 3264, rounded
    assertThat(r.thumbnails()).extracting(Thumbnail::height).containsExactly(113, 36, 18);
    assertThat(outFiles()).containsExactly("IMG_0042_200.jpg", "IMG_0042_32.jpg", "IMG_0042_64.jpg");
    for (Thumbnail t : r.thumbnails()) {
      BufferedImage img = ImageIO.read(Path.of(t.path()).toFile());
      assertThat(img.getWidth()).isEqualTo(t.width());
      assertThat(img.getHeight()).isEqualTo(t.height());
      assertThat(Files.size(Path.of(t.path()))).isEqualTo(t.bytes());
    }
  }

  @Test
  void coloursSurviveTheYCbCrFastPath() throws Exception {
    int w = 800;
    int h = 400;
    byte[] d = new byte[w * h * 3];
    for (int i = 0; i < d.length; i += 3) {
      boolean left = (i / 3) % w < w / 2;
      d[i] = (byte) (left ? 30 : 200);      // B
      d[i + 1] = (byte) (left ? 160 : 40);  // G
      d[i + 2] = (byte) (left ? 220 : 90);  // R
    }
    Path src = dir.resolve("colours.jpg");
    Files.write(src, TestImages.encode(new Pixels(w, h, 3, -1, d), "jpeg"));
    assertThat(ImageCodec.decode(src, 1_000_000).ycc()).as("a JFIF JPEG takes the YCbCr path").isTrue();
    ResizeResult r = ThumbnailRenderer.render(request(src, 1_000_000), "t");
    BufferedImage t = ImageIO.read(Path.of(r.thumbnails().get(0).path()).toFile());
    int leftRgb = t.getRGB(20, t.getHeight() / 2);
    int rightRgb = t.getRGB(t.getWidth() - 20, t.getHeight() / 2);
    assertThat((leftRgb >> 16) & 0xff).isCloseTo(220, org.assertj.core.data.Offset.offset(6));
    assertThat((leftRgb >> 8) & 0xff).isCloseTo(160, org.assertj.core.data.Offset.offset(6));
    assertThat(leftRgb & 0xff).isCloseTo(30, org.assertj.core.data.Offset.offset(6));
    assertThat((rightRgb >> 16) & 0xff).isCloseTo(90, org.assertj.core.data.Offset.offset(6));
    assertThat((rightRgb >> 8) & 0xff).isCloseTo(40, org.assertj.core.data.Offset.offset(6));
    assertThat(rightRgb & 0xff).isCloseTo(200, org.assertj.core.data.Offset.offset(6));
  }

  @Test
  void portraitImagesKeepTheirAspectRatioToo() throws Exception {
    Path src = TestImages.jpeg(dir.resolve("tall.jpeg"), 600, 1000);
    ResizeResult r = ThumbnailRenderer.render(request(src, 100_000_000L), "t");
    assertThat(r.thumbnails()).extracting(Thumbnail::height).containsExactly(333, 107, 53);
    assertThat(outFiles()).containsExactly("tall_200.jpeg", "tall_32.jpeg", "tall_64.jpeg");
  }

  @Test
  void pngWithAlphaStaysPngWithAlpha() throws Exception {
    byte[] d = new byte[300 * 100 * 4];
    for (int i = 0; i < d.length; i += 4) {
      d[i] = (byte) ((i / 4) % 300 < 150 ? 255 : 0);
      d[i + 3] = (byte) 200;
    }
    Path src = dir.resolve("logo.png");
    Files.write(src, TestImages.encode(new Pixels(300, 100, 4, 0, d), "png"));
    ResizeResult r = ThumbnailRenderer.render(request(src, 100_000_000L), "t");
    assertThat(r.succeeded()).as(r.failureMessage()).isTrue();
    assertThat(r.format()).isEqualTo("png");
    BufferedImage img = ImageIO.read(Path.of(r.thumbnails().get(0).path()).toFile());
    assertThat(img.getColorModel().hasAlpha()).isTrue();
    assertThat(img.getWidth()).isEqualTo(200);
  }

  @Test
  void smallSourcesAreNotEnlargedButKeepTheRequestedNames() throws Exception {
    Path src = TestImages.jpeg(dir.resolve("tiny.jpg"), 50, 25);
    ResizeResult r = ThumbnailRenderer.render(request(src, 100_000_000L), "t");
    assertThat(r.thumbnails()).extracting(Thumbnail::width).containsExactly(50, 50, 32);
    assertThat(r.thumbnails()).extracting(Thumbnail::requestedWidth).containsExactly(200, 64, 32);
    assertThat(outFiles()).contains("tiny_200.jpg");
  }

  @Test
  void truncatedJpegIsRefusedAndLeavesNoOutput() throws Exception {
    byte[] full = TestImages.encode(TestImages.gradient(800, 600), "jpeg");
    Path src = dir.resolve("cut.jpg");
    Files.write(src, Arrays.copyOf(full, full.length / 2));
    ResizeResult r = ThumbnailRenderer.render(request(src, 100_000_000L), "t");
    assertThat(r.failureReason()).isEqualTo(FailureReason.TRUNCATED);
    assertThat(r.failureMessage()).contains("cut.jpg").contains("ends early");
    assertThat(outFiles()).isEmpty();
  }

  @Test
  void truncatedPngIsRefused() throws Exception {
    byte[] full = TestImages.encode(TestImages.gradient(400, 300), "png");
    Path src = dir.resolve("cut.png");
    Files.write(src, Arrays.copyOf(full, full.length * 2 / 3));
    ResizeResult r = ThumbnailRenderer.render(request(src, 100_000_000L), "t");
    assertThat(r.failureReason()).isIn(FailureReason.TRUNCATED, FailureReason.CORRUPT);
    assertThat(outFiles()).isEmpty();
  }

  @Test
  void textIsNotAnImage() throws Exception {
    Path src = dir.resolve("page.jpg");
    Files.writeString(src, "<html><body>404</body></html>");
    ResizeResult r = ThumbnailRenderer.render(request(src, 100_000_000L), "t");
    assertThat(r.failureReason()).isEqualTo(FailureReason.NOT_AN_IMAGE);
    assertThat(r.failureMessage()).contains("<html>");
  }

  @Test
  void decompressionBombIsRefusedFromTheHeaderBeforeDecoding() throws Exception {
    // A 16x16 JPEG whose frame header claims 40000x40000: decoding would need 4.8 GB.
    byte[] b = TestImages.encode(TestImages.gradient(16, 16), "jpeg");
    for (int i = 2; i + 8 < b.length; i++) {
      if ((b[i] & 0xff) == 0xFF && (b[i + 1] & 0xff) == 0xC0) {
        b[i + 5] = (byte) (40000 >> 8);
        b[i + 6] = (byte) 40000;
        b[i + 7] = (byte) (40000 >> 8);
        b[i + 8] = (byte) 40000;
        break;
      }
    }
    Path src = dir.resolve("bomb.jpg");
    Files.write(src, b);
    ResizeResult r = ThumbnailRenderer.render(request(src, 89_478_485L), "t");
    assertThat(r.failureReason()).isEqualTo(FailureReason.TOO_MANY_PIXELS);
    assertThat(r.failureMessage()).contains("40000x40000").contains("1,600,000,000").contains("89,478,485");
  }

  @Test
  void pixelLimitIsConfigurable() throws Exception {
    Path src = TestImages.jpeg(dir.resolve("ok.jpg"), 400, 300);
    assertThat(ThumbnailRenderer.render(request(src, 120_000), "t").succeeded()).isTrue();
    assertThat(ThumbnailRenderer.render(request(src, 119_999), "t").failureReason()).isEqualTo(FailureReason.TOO_MANY_PIXELS);
  }

  @Test
  void missingSourceIsAnIoError() {
    ResizeResult r = ThumbnailRenderer.render(request(dir.resolve("nope.jpg"), 1000), "t");
    assertThat(r.failureReason()).isEqualTo(FailureReason.IO_ERROR);
    assertThat(r.failureMessage()).contains("nope.jpg");
  }

  @Test
  void pureLanczosAndBoxPlusLanczosAgree() throws Exception {
    Path src = TestImages.jpeg(dir.resolve("g.jpg"), 2000, 1000);
    ResizeRequest boxed = request(src, 100_000_000L);
    ResizeRequest pure = new ResizeRequest(boxed.source(), dir.resolve("pure").toString(), "g", boxed.widths(),
        boxed.maxPixels(), 1.0f, 0, false, null);
    ResizeRequest boxedHq = new ResizeRequest(boxed.source(), dir.resolve("boxed").toString(), "g", boxed.widths(),
        boxed.maxPixels(), 1.0f, 3.0, false, null);
    ResizeResult a = ThumbnailRenderer.render(pure, "t");
    ResizeResult b = ThumbnailRenderer.render(boxedHq, "t");
    for (int i = 0; i < 3; i++) {
      BufferedImage ia = ImageIO.read(Path.of(a.thumbnails().get(i).path()).toFile());
      BufferedImage ib = ImageIO.read(Path.of(b.thumbnails().get(i).path()).toFile());
      double diff = 0;
      for (int y = 0; y < ia.getHeight(); y++) {
        for (int x = 0; x < ia.getWidth(); x++) {
          diff += Math.abs((ia.getRGB(x, y) & 0xff) - (ib.getRGB(x, y) & 0xff));
        }
      }
      assertThat(diff / (ia.getWidth() * ia.getHeight())).as("mean abs difference, width " + ia.getWidth()).isLessThan(2.0);
    }
  }
}
