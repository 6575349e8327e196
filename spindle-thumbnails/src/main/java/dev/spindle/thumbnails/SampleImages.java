package dev.spindle.thumbnails;

import dev.spindle.thumbnails.internal.AtomicFiles;
import dev.spindle.thumbnails.internal.ImageCodec;
import dev.spindle.thumbnails.internal.SampleImageGenerator;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Generated, photo-like sample JPEGs for demos, tests and benchmarks without a network: by default
 * the course's 26 images at phone size (3264 × 1836, 2–3 MB each). Deterministic: the same index
 * and size always give the same pixels. Generated files are cached on disk (written atomically)
 * and reused. Thread-safe.
 */
public final class SampleImages {
  /** The course's number of images. */
  public static final int COUNT = 26;
  /** Phone photo width. */
  public static final int WIDTH = 3264;
  /** Phone photo height. */
  public static final int HEIGHT = 1836;
  /** JPEG quality of the samples. */
  public static final float QUALITY = 0.96f;
  /** Bumped whenever the generator's output changes, so stale caches are not reused. */
  static final int GENERATOR_VERSION = 1;

  private SampleImages() {}

  /** The file name of sample {@code index} (0-based): {@code photo-01.jpg} .. */
  public static String fileName(int index) {
    return String.format(Locale.ROOT, "photo-%02d.jpg", index + 1);
  }

  /**
   * The default cache: {@code $XDG_CACHE_HOME/spindle/thumbnail-samples}, else
   * {@code ~/.cache/spindle/thumbnail-samples}.
   */
  public static Path defaultCacheDir() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("spindle").resolve("thumbnail-samples");
  }

  /** Renders sample {@code index} as a JPEG. */
  public static byte[] renderJpeg(int index, int width, int height) {
    BufferedImage img = SampleImageGenerator.render(index, width, height);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(4 << 20);
    try {
      ImageCodec.write(ImageCodec.toPixels(img), "jpeg", QUALITY, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * Returns the paths of samples 0..count-1 at the given size under {@code cacheDir}, generating
   * missing ones (in parallel, one task per core).
   *
   * @throws IllegalArgumentException if count is not 1..999 or the size is not 8..20000 per side
   * @throws UncheckedIOException if the cache cannot be written
   */
  public static List<Path> ensure(Path cacheDir, int count, int width, int height) {
    if (count < 1 || count > 999) {
      throw new IllegalArgumentException("sample count must be 1..999: " + count);
    }
    if (width < 8 || height < 8 || width > 20_000 || height > 20_000) {
      throw new IllegalArgumentException("sample size must be 8..20000 per side: " + width + "x" + height);
    }
    Path dir = cacheDir.resolve("v" + GENERATOR_VERSION + "-" + width + "x" + height);
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the sample cache " + dir, e);
    }
    List<Path> paths = new ArrayList<>(count);
    List<Integer> missing = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Path p = dir.resolve(fileName(i));
      paths.add(p);
      if (!Files.isRegularFile(p)) {
        missing.add(i);
      }
    }
    if (!missing.isEmpty()) {
      int threads = Math.min(missing.size(), Runtime.getRuntime().availableProcessors());
      ExecutorService pool = Executors.newFixedThreadPool(threads, Thread.ofPlatform().name("sample-gen-", 1).factory());
      try {
        List<Future<?>> fs = new ArrayList<>();
        for (int i : missing) {
          fs.add(pool.submit(() -> {
            byte[] jpeg = renderJpeg(i, width, height);
            AtomicFiles.write(paths.get(i), out -> out.write(jpeg));
            return null;
          }));
        }
        for (Future<?> f : fs) {
          f.get();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while generating samples", e);
      } catch (ExecutionException e) {
        throw new UncheckedIOException("generating samples in " + dir + " failed",
            e.getCause() instanceof IOException io ? io : new IOException(e.getCause()));
      } finally {
        pool.shutdownNow();
      }
    }
    return paths;
  }
}
