package dev.spindle.thumbnails.internal;

import dev.spindle.thumbnails.ResizeRequest;
import dev.spindle.thumbnails.ResizeResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Runs the whole resize path on generated photos in a temporary folder until the JIT has settled,
 * so that a fresh JVM (a child worker) has its decoding and resampling loops compiled before real
 * images arrive: the course kept pool start-up out of its timings, and a cold JIT is part of
 * start-up.
 *
 * <p>Two things matter, both measured as the CPU of a fresh JVM's first batch of 13 phone photos
 * against its third (a figure that does not depend on the machine's load): <b>variety</b> and
 * <b>rounds</b>. Rounds on one generated photo, however many, left the first real batch at about
 * 1.2× the CPU of a warm one (1.34–1.43 s against 1.11–1.15 s): the compiler threads were at work
 * during the batch, recompiling code whose profile one scene had not exercised. Rounds that
 * cycle through {@link #SCENES} different scenes, {@link #MIN_ROUNDS} of them at least, leave the
 * first batch at the CPU of a warm one (1.13 s). Each round also sends its request and result
 * through the JSON codec the process pool's frames use, which a child would otherwise compile
 * during its first tasks. So rounds go on, cycling through the scenes,
 * until {@link #MIN_ROUNDS} have run and a whole cycle adds less than
 * {@link #SETTLED_COMPILE_MILLIS} ms of JIT compilation (read from the
 * {@link java.lang.management.CompilationMXBean}), or the maximum is reached. Stateless.
 */
public final class WarmUp {
  private WarmUp() {}

  /** Different generated scenes the rounds cycle through. */
  public static final int SCENES = 4;
  /** Rounds always run (whole cycles through the scenes). */
  public static final int MIN_ROUNDS = 6 * SCENES;
  /** The most rounds a warm-up runs when the caller does not say. */
  public static final int DEFAULT_MAX_ROUNDS = 40;
  /** A cycle through the scenes that adds less JIT compilation than this, in milliseconds, ends the warm-up. */
  public static final long SETTLED_COMPILE_MILLIS = 20;
  /** Photo width: a quarter of a phone photo's pixels (1632×918). */
  private static final int WIDTH = 1632;
  /** Photo height. */
  private static final int HEIGHT = 918;
  /** Generator indices of the scenes: none of the 26 sample photos. */
  private static final int FIRST_SCENE = 100;
  /**
   * No round starts after this much wall time, settled or not: on a machine loaded by other work a
   * worker must still become ready well within its start-up timeout.
   */
  public static final java.time.Duration BUDGET = java.time.Duration.ofSeconds(20);

  /**
   * Renders {@link #SCENES} generated 1632×918 photos (a quarter of a phone photo's pixels), in
   * turn, to 200/64/32 px until the JIT settles: at least {@link #MIN_ROUNDS} rounds (fewer only if
   * {@code maxRounds} is lower), at most {@code maxRounds}, and no round started after
   * {@link #BUDGET}.
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
      List<Path> sources = new java.util.ArrayList<>(SCENES);
      for (int s = 0; s < SCENES; s++) {
        Path src = dir.resolve("warmup-" + s + ".jpg");
        Files.write(src, encode(ImageCodec.toPixels(SampleImageGenerator.render(FIRST_SCENE + s, WIDTH, HEIGHT))));
        sources.add(src);
      }
      dev.spindle.spi.JsonCodec codec = dev.spindle.spi.JsonCodec.defaults();
      long compiled = timed ? jit.getTotalCompilationTime() : 0;
      for (int i = 0; i < maxRounds; i++) {
        Path src = sources.get(i % SCENES);
        ResizeRequest request = new ResizeRequest(src.toString(), dir.resolve("out").toString(),
            "warmup", List.of(200, 64, 32), 10_000_000L, 0.85f, 3.0, false, null);
        ResizeResult r = ThumbnailRenderer.render(request, "warm-up");
        if (!r.succeeded()) {
          throw new IllegalStateException("warm-up render failed: " + r.failureMessage());
        }
        // a task's input and result cross the pipe as JSON: compile that path too
        codec.fromBytes(codec.toBytes(request, "warm-up request"), ResizeRequest.class, "warm-up request");
        codec.fromBytes(codec.toBytes(r, "warm-up result"), ResizeResult.class, "warm-up result");
        if (timed && (i + 1) % SCENES == 0) {
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
    ImageCodec.write(p, "jpeg", dev.spindle.thumbnails.SampleImages.QUALITY, out);
    return out.toByteArray();
  }
}
