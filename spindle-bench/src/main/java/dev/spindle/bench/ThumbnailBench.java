package dev.spindle.bench;

import dev.spindle.thumbnails.ResizePool;
import dev.spindle.thumbnails.RetryPolicy;
import dev.spindle.thumbnails.SampleServer;
import dev.spindle.thumbnails.ThumbnailConfig;
import dev.spindle.thumbnails.ThumbnailMaker;
import dev.spindle.thumbnails.ThumbnailReport;
import dev.spindle.thumbnails.Variant;
import dev.spindle.thumbnails.VariantComparison;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The thumbnail maker measured end to end, side by side in one JVM, against the local sample server
 * (26 generated 3264×1836 photos, 1 s latency per image as the course's 27 s sequential download
 * suggests):
 *
 * <ol>
 *   <li>download stage: sequential vs 4 download threads (target ≥ 3.8×; note that with a fixed
 *       latency 26 images need ⌈26/4⌉ = 7 waves, so the ceiling is 26/7 = 3.71×), the async
 *       single-thread downloader, and unbounded virtual threads (target: all 26 in &lt; 2 s);
 *   <li>overlap: the pipeline's total vs each of its stages run alone (target ≤ 1.15× the slower);
 *   <li>resize stage: 1 vs 2 worker threads, and 1 vs 2 child JVMs, median of rounds (target
 *       ≥ 1.8×), thumbnails per second;
 *   <li>every variant in one table with the course's reported speed-ups beside ours.
 * </ol>
 *
 * <pre>
 * java -cp ... dev.spindle.bench.ThumbnailBench [--latency-ms 1000] [--images 26] [--rounds 3]
 *     [--parts download,overlap,resize,variants] [--work DIR]
 * </pre>
 * Exits 1 if a target other than the 4-thread ratio (bounded below the target by the wave count)
 * is missed.
 */
public final class ThumbnailBench {
  private ThumbnailBench() {}

  /** Runs the benchmark; see the class comment for arguments. */
  public static void main(String[] args) throws Exception {
    long latencyMs = 1000;
    int images = 26;
    int rounds = 3;
    List<String> parts = List.of("download", "overlap", "resize", "variants");
    Path work = Path.of("target", "thumbnail-bench");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--latency-ms" -> latencyMs = Long.parseLong(args[++i]);
        case "--images" -> images = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--parts" -> parts = Arrays.stream(args[++i].split(",")).map(String::trim).toList();
        case "--work" -> work = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]
            + "; use --latency-ms N --images N --rounds N --parts download,overlap,resize,variants --work DIR");
      }
    }
    System.out.printf(Locale.ROOT, "thumbnail maker: %d photos 3264x1836, latency %d ms per image, %d cores, JDK %s, "
            + "load average %.2f at start%n%n", images, latencyMs, Runtime.getRuntime().availableProcessors(),
        Runtime.version(), ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    boolean ok = true;
    try (SampleServer server = SampleServer.builder().count(images).latency(Duration.ofMillis(latencyMs)).start()) {
      List<String> urls = server.imageUrls();
      ThumbnailConfig base = ThumbnailMaker.builder().homeDir(work).downloadTimeout(Duration.ofSeconds(120))
          .retryPolicy(RetryPolicy.none()).resizePool(ResizePool.threads(2)).build();
      warmUp(base, urls);
      if (parts.contains("download")) {
        ok &= downloads(base, urls, images);
      }
      if (parts.contains("overlap")) {
        ok &= overlap(base, urls);
      }
      if (parts.contains("resize")) {
        ok &= resize(base, urls, rounds);
      }
      if (parts.contains("variants")) {
        variants(base, urls);
      }
    }
    if (!ok) {
      System.exit(1);
    }
  }

  private static ThumbnailReport run(ThumbnailConfig c, String dir, java.util.function.Function<ThumbnailMaker, ThumbnailReport> f) {
    ThumbnailConfig cc = c.toBuilder().homeDir(c.homeDir().resolve(dir)).build();
    clear(cc.homeDir());
    try (ThumbnailMaker m = ThumbnailMaker.create(cc)) {
      ThumbnailReport r = f.apply(m);
      if (!r.failures().isEmpty()) {
        throw new IllegalStateException(dir + ": " + r.failures().size() + " images failed: " + r.failures().get(0));
      }
      return r;
    }
  }

  /** JIT-compiles the download, decode and resample paths before anything is timed. */
  private static void warmUp(ThumbnailConfig base, List<String> urls) {
    ThumbnailConfig c = base.toBuilder().homeDir(base.homeDir().resolve("warmup")).build();
    clear(c.homeDir());
    try (ThumbnailMaker m = ThumbnailMaker.create(c)) {
      m.downloadImages(urls.subList(0, Math.min(4, urls.size())));
      for (int i = 0; i < 2; i++) {
        m.performResizing();
      }
    }
  }

  private static boolean downloads(ThumbnailConfig base, List<String> urls, int images) {
    System.out.println("## Download stage (downloads only)");
    ThumbnailReport seq = run(base.toBuilder().variant(Variant.SEQUENTIAL).build(), "dl-sequential", m -> m.downloadImages(urls));
    ThumbnailReport four = run(base.toBuilder().variant(Variant.DOWNLOAD_THREADS).downloadConcurrency(4).build(),
        "dl-threads", m -> m.downloadImages(urls));
    ThumbnailReport sem = run(base.toBuilder().variant(Variant.PIPELINE).downloadConcurrency(4).build(),
        "dl-virtual-4", m -> m.downloadImages(urls));
    ThumbnailReport async = run(base.toBuilder().variant(Variant.ASYNC).downloadConcurrency(4).build(),
        "dl-async", m -> m.downloadImages(urls));
    ThumbnailReport unbounded = run(base.toBuilder().variant(Variant.PIPELINE).downloadConcurrency(0).build(),
        "dl-virtual-unbounded", m -> m.downloadImages(urls));
    double s = secs(seq.downloadTime());
    int waves = (images + 3) / 4;
    System.out.println("| downloader | seconds | vs sequential |");
    System.out.println("|---|---:|---:|");
    row("sequential (1 thread)", seq.downloadTime(), s);
    row("4 platform threads on a URL queue (V5)", four.downloadTime(), s);
    row("virtual threads, semaphore of 4", sem.downloadTime(), s);
    row("one thread, sendAsync, 4 in flight (V9)", async.downloadTime(), s);
    row("virtual threads, unbounded", unbounded.downloadTime(), s);
    double ratio = s / secs(four.downloadTime());
    double ceiling = (double) images / waves;
    System.out.printf(Locale.ROOT, "%n4 threads: %.2fx (target >= 3.8x; with a fixed latency %d images need %d waves of 4, "
        + "so no 4-slot downloader can beat %.2fx: %.0f%% of that ceiling) %s%n", ratio, images, waves, ceiling,
        100 * ratio / ceiling, ratio >= 3.8 ? "PASS" : "BELOW TARGET (bounded by the wave count)");
    boolean fast = secs(unbounded.downloadTime()) < 2.0;
    System.out.printf(Locale.ROOT, "unbounded virtual threads: %d images in %.2f s (target < 2 s) %s%n%n",
        unbounded.succeeded(), secs(unbounded.downloadTime()), fast ? "PASS" : "MISS");
    return fast;
  }

  private static boolean overlap(ThumbnailConfig base, List<String> urls) {
    System.out.println("## Overlap: the pipeline vs its stages alone (4 downloads at once, 2 resize threads)");
    ThumbnailConfig c = base.toBuilder().variant(Variant.PIPELINE).downloadConcurrency(4).build();
    ThumbnailReport dl = run(c, "ov-download", m -> m.downloadImages(urls));
    ThumbnailReport rs = runResizeAlone(c, urls, "ov-resize");
    ThumbnailReport full = run(c, "ov-pipeline", m -> m.makeThumbnails(urls));
    double slower = Math.max(secs(dl.totalTime()), secs(rs.totalTime()));
    double ratio = secs(full.totalTime()) / slower;
    System.out.printf(Locale.ROOT, "download alone %.2f s, resize alone %.2f s, pipeline %.2f s (download %.2f s, resize "
            + "%.2f s overlapping): %.3fx the slower stage (target <= 1.15x) %s%n%n", secs(dl.totalTime()),
        secs(rs.totalTime()), secs(full.totalTime()), secs(full.downloadTime()), secs(full.resizeTime()), ratio,
        ratio <= 1.15 ? "PASS" : "MISS");
    return ratio <= 1.15;
  }

  /** Downloads without timing, then times {@code performResizing} alone. */
  private static ThumbnailReport runResizeAlone(ThumbnailConfig c, List<String> urls, String dir) {
    return run(c, dir, m -> {
      m.downloadImages(urls);
      return m.performResizing();
    });
  }

  private static boolean resize(ThumbnailConfig base, List<String> urls, int rounds) {
    System.out.println("## Resize stage alone (26 photos -> 78 thumbnails), median of " + rounds + " rounds");
    ThumbnailConfig c = base.toBuilder().variant(Variant.PIPELINE).build();
    Path dir = c.homeDir().resolve("rs");
    clear(dir);
    List<Double> t1 = new ArrayList<>();
    List<Double> t2 = new ArrayList<>();
    List<Double> p1 = new ArrayList<>();
    List<Double> p2 = new ArrayList<>();
    ThumbnailConfig shared = c.toBuilder().homeDir(dir).build();
    try (ThumbnailMaker dl = ThumbnailMaker.create(shared)) {
      dl.downloadImages(urls);
    }
    try (ThumbnailMaker one = ThumbnailMaker.create(shared.toBuilder().resizePool(ResizePool.threads(1)).build());
         ThumbnailMaker two = ThumbnailMaker.create(shared.toBuilder().resizePool(ResizePool.threads(2)).build());
         ThumbnailMaker pOne = ThumbnailMaker.create(shared.toBuilder().resizePool(ResizePool.processes(1)).build());
         ThumbnailMaker pTwo = ThumbnailMaker.create(shared.toBuilder().resizePool(ResizePool.processes(2)).build())) {
      pOne.performResizing(); // start and warm the child JVMs outside the timing
      pTwo.performResizing();
      for (int r = 0; r < rounds; r++) {
        // Alternate the order so drift and noise hit both alike.
        List<Supplier<Void>> order = new ArrayList<>(List.of(
            () -> add(t1, one.performResizing()), () -> add(t2, two.performResizing()),
            () -> add(p1, pOne.performResizing()), () -> add(p2, pTwo.performResizing())));
        if (r % 2 == 1) {
          java.util.Collections.reverse(order);
        }
        for (Supplier<Void> run : order) {
          var unused = run.get();
        }
      }
    }
    double m1 = Medians.median(t1);
    double m2 = Medians.median(t2);
    double q1 = Medians.median(p1);
    double q2 = Medians.median(p2);
    double b1 = java.util.Collections.min(t1);
    double b2 = java.util.Collections.min(t2);
    double c1 = java.util.Collections.min(p1);
    double c2 = java.util.Collections.min(p2);
    System.out.println("| pool | median s | best s | thumbnails/s (median) | vs 1 worker (median) | vs 1 worker (best) |");
    System.out.println("|---|---:|---:|---:|---:|---:|");
    System.out.printf(Locale.ROOT, "| 1 thread | %.2f | %.2f | %.1f | 1.00x | 1.00x |%n", m1, b1, 78 / m1);
    System.out.printf(Locale.ROOT, "| 2 threads | %.2f | %.2f | %.1f | %.2fx | %.2fx |%n", m2, b2, 78 / m2, m1 / m2, b1 / b2);
    System.out.printf(Locale.ROOT, "| 1 child JVM | %.2f | %.2f | %.1f | 1.00x | 1.00x |%n", q1, c1, 78 / q1);
    System.out.printf(Locale.ROOT, "| 2 child JVMs | %.2f | %.2f | %.1f | %.2fx | %.2fx |%n", q2, c2, 78 / q2, q1 / q2, c1 / c2);
    System.out.printf(Locale.ROOT, "%n2 threads vs 1: %.2fx median, %.2fx best (target >= 1.8x) %s; 2 child JVMs vs 1: %.2fx median, "
        + "%.2fx best; load average now %.2f%n%n", m1 / m2, b1 / b2, m1 / m2 >= 1.8 ? "PASS" : "MISS", q1 / q2, c1 / c2,
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    return m1 / m2 >= 1.8;
  }

  private static Void add(List<Double> times, ThumbnailReport r) {
    if (!r.failures().isEmpty()) {
      throw new IllegalStateException("resize failed: " + r.failures().get(0));
    }
    times.add(secs(r.resizeTime()));
    return null;
  }

  private static void variants(ThumbnailConfig base, List<String> urls) {
    System.out.println("## Every variant (2 resize workers; pool start-up excluded as in the course)");
    List<VariantComparison.Row> rows = VariantComparison.run(base.toBuilder().homeDir(base.homeDir().resolve("variants")).build(),
        urls, List.of(Variant.values()), name -> System.err.println("running " + name));
    System.out.println(VariantComparison.table(rows));
  }

  private static void row(String name, Duration d, double baseline) {
    System.out.printf(Locale.ROOT, "| %s | %.2f | %.2fx |%n", name, secs(d), baseline / secs(d));
  }

  private static double secs(Duration d) {
    return d.toNanos() / 1e9;
  }

  private static void clear(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
