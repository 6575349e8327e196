package dev.spindle.thumbnails;

import dev.spindle.thumbnails.internal.ImageCodec;
import dev.spindle.thumbnails.internal.Pixels;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small images made in memory for tests. */
public final class TestImages {
  private TestImages() {}

  /** A smooth colour gradient, 3 channels (BGR). */
  public static Pixels gradient(int w, int h) {
    byte[] d = new byte[w * h * 3];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int p = (y * w + x) * 3;
        d[p] = (byte) (255 * x / Math.max(1, w - 1));
        d[p + 1] = (byte) (255 * y / Math.max(1, h - 1));
        d[p + 2] = (byte) 128;
      }
    }
    return new Pixels(w, h, 3, -1, d);
  }

  /** Encodes pixels. */
  public static byte[] encode(Pixels p, String format) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageCodec.write(p, format, 0.9f, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** Writes a JPEG gradient of the given size. */
  public static Path jpeg(Path file, int w, int h) throws IOException {
    Files.write(file, encode(gradient(w, h), "jpeg"));
    return file;
  }
}
