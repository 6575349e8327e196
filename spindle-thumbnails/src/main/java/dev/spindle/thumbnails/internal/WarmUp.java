package dev.spindle.thumbnails.internal;

import dev.spindle.thumbnails.ResizeRequest;
import dev.spindle.thumbnails.ResizeResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Runs the whole resize path a few times on a generated photo in a temporary folder, so that a
 * fresh JVM (a child worker) has its resampling loops compiled before real images arrive: the
 * course kept pool start-up out of its timings, and a cold JIT is part of start-up.
 */
public final class WarmUp {
  private WarmUp() {}

  /**
   * Renders a generated 816×459 photo {@code rounds} times to 200/64/32 px.
   *
   * @return nanoseconds spent
   */
  public static long run(int rounds) {
    long t0 = System.nanoTime();
    Path dir = null;
    try {
      dir = Files.createTempDirectory("spindle-thumbnail-warmup");
      Path src = dir.resolve("warmup.jpg");
      Files.write(src, encode(ImageCodec.toPixels(SampleImageGenerator.render(0, 816, 459))));
      for (int i = 0; i < rounds; i++) {
        ResizeResult r = ThumbnailRenderer.render(new ResizeRequest(src.toString(), dir.resolve("out").toString(),
            "warmup", List.of(200, 64, 32), 10_000_000L, 0.85f, 3.0, false, null), "warm-up");
        if (!r.succeeded()) {
          throw new IllegalStateException("warm-up render failed: " + r.failureMessage());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("warm-up failed", e);
    } finally {
      if (dir != null) {
        try (var s = Files.walk(dir)) {
          for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
            Files.deleteIfExists(p);
          }
        } catch (IOException ignored) {
          // a temporary folder; nothing else to do
        }
      }
    }
    return System.nanoTime() - t0;
  }

  private static byte[] encode(Pixels p) throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    ImageCodec.write(p, "jpeg", 0.9f, out);
    return out.toByteArray();
  }
}
