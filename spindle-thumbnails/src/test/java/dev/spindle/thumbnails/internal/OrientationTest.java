package dev.spindle.thumbnails.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.thumbnails.ResizeRequest;
import dev.spindle.thumbnails.ResizeResult;
import dev.spindle.thumbnails.TestImages;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Phone photos: Exif JPEGs without a JFIF marker, often with an orientation tag. */
class OrientationTest {
  @TempDir Path dir;

  /** Left half red, right half blue (BGR). */
  static Pixels halves(int w, int h) {
    byte[] d = new byte[w * h * 3];
    for (int i = 0; i < d.length; i += 3) {
      boolean left = (i / 3) % w < w / 2;
      d[i] = (byte) (left ? 0 : 255);
      d[i + 2] = (byte) (left ? 255 : 0);
    }
    return new Pixels(w, h, 3, -1, d);
  }

  /** A JDK JPEG with its JFIF APP0 replaced by an Exif APP1 (orientation {@code o}, or none if 0). */
  static byte[] exifJpeg(Pixels p, int o) {
    byte[] jfif = TestImages.encode(p, "jpeg");
    assertThat(jfif[2] & 0xff).isEqualTo(0xFF);
    assertThat(jfif[3] & 0xff).isEqualTo(0xE0);
    int app0 = 4 + (((jfif[4] & 0xff) << 8) | (jfif[5] & 0xff));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0xFF);
    out.write(0xD8);
    if (o > 0) {
      byte[] tiff = {'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, (byte) o, 0, 0, 0, 0, 0, 0};
      byte[] payload = new byte[6 + tiff.length];
      System.arraycopy(new byte[] {'E', 'x', 'i', 'f', 0, 0}, 0, payload, 0, 6);
      System.arraycopy(tiff, 0, payload, 6, tiff.length);
      out.write(0xFF);
      out.write(0xE1);
      out.write((payload.length + 2) >> 8);
      out.write((payload.length + 2) & 0xff);
      out.writeBytes(payload);
    }
    out.write(jfif, app0, jfif.length - app0);
    return out.toByteArray();
  }

  private ResizeResult render(Path src) {
    return ThumbnailRenderer.render(new ResizeRequest(src.toString(), dir.resolve("out").toString(),
        ThumbnailRenderer.stemOf(src.getFileName().toString()), List.of(200, 64, 32), 10_000_000, 0.9f, 3.0, false, null), "t");
  }

  @Test
  void exifJpegWithoutJfifMarkerTakesTheFastPathWithRightColours() throws Exception {
    Path src = dir.resolve("phone.jpg");
    Files.write(src, exifJpeg(halves(800, 400), 0));
    ImageCodec.Decoded d = ImageCodec.decode(src, 10_000_000);
    assertThat(d.ycc()).isTrue();
    assertThat(d.header().orientation()).isEqualTo(1);
    BufferedImage t = ImageIO.read(Path.of(render(src).thumbnails().get(0).path()).toFile());
    int left = t.getRGB(10, 50);
    int right = t.getRGB(190, 50);
    assertThat((left >> 16) & 0xff).isGreaterThan(240);
    assertThat(left & 0xff).isLessThan(15);
    assertThat(right & 0xff).isGreaterThan(240);
    assertThat((right >> 16) & 0xff).isLessThan(15);
  }

  @Test
  void rotatedPhoneShotIsTurnedUprightAndSizedByItsUprightWidth() throws Exception {
    Path src = dir.resolve("portrait.jpg");
    Files.write(src, exifJpeg(halves(800, 400), 6)); // stored landscape, shot in portrait
    ResizeResult r = render(src);
    assertThat(r.succeeded()).as(r.failureMessage()).isTrue();
    assertThat(r.width()).isEqualTo(400);
    assertThat(r.height()).isEqualTo(800);
    assertThat(r.thumbnails().get(0).width()).isEqualTo(200);
    assertThat(r.thumbnails().get(0).height()).isEqualTo(400);
    BufferedImage t = ImageIO.read(Path.of(r.thumbnails().get(0).path()).toFile());
    assertThat(t.getWidth()).isEqualTo(200);
    assertThat(t.getHeight()).isEqualTo(400);
    // Rotating 90 degrees clockwise puts the stored left (red) half on top.
    assertThat((t.getRGB(100, 20) >> 16) & 0xff).isGreaterThan(240);
    assertThat(t.getRGB(100, 380) & 0xff).isGreaterThan(240);
  }

  @Test
  void everyOrientationMapsCornersLikeTheExifSpecification() {
    // 3x2 image with distinct values; check where the top-left stored pixel lands.
    byte[] d = {1, 2, 3, 4, 5, 6};
    Pixels p = new Pixels(3, 2, 1, -1, d);
    int[][] expected = { // orientation -> {width, height, index of stored pixel 1 in the output}
        {}, {3, 2, 0}, {3, 2, 2}, {3, 2, 5}, {3, 2, 3}, {2, 3, 0}, {2, 3, 1}, {2, 3, 5}, {2, 3, 4}};
    for (int o = 1; o <= 8; o++) {
      Pixels out = Orientation.apply(p, o);
      assertThat(out.width()).as("width for " + o).isEqualTo(expected[o][0]);
      assertThat(out.height()).as("height for " + o).isEqualTo(expected[o][1]);
      assertThat(out.data()[expected[o][2]]).as("top-left pixel for orientation " + o).isEqualTo((byte) 1);
    }
  }

  @Test
  void malformedExifIsIgnored() {
    assertThat(Orientation.fromExif(new byte[] {'E', 'x', 'i', 'f', 0, 0, 'X', 'X'})).isEqualTo(1);
    assertThat(Orientation.fromExif(null)).isEqualTo(1);
    byte[] truncated = {'E', 'x', 'i', 'f', 0, 0, 'M', 'M', 0, 42, 0, 0, 0, 8, 0, 9};
    assertThat(Orientation.fromExif(truncated)).isEqualTo(1);
  }
}
