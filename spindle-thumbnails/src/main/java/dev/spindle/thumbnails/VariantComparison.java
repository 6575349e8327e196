package dev.spindle.thumbnails;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Runs several {@link Variant}s on the same URLs, one after another, each in its own home folder
 * ({@code <home>/<variant>}) and with its own maker, and tabulates them beside the course's
 * reported speed-ups. Speed-ups are measured against the {@link Variant#SEQUENTIAL} run of the same
 * comparison, on the metric the course reported for that variant (download, resize or total time).
 * When a variant resizes in this JVM, this JVM's resize path is first warmed up as every child
 * JVM's is ({@link ThumbnailTasks#WARM_UP}), outside the timings, so that one thread and child JVMs
 * are compared on equally compiled code. Not thread-safe; one comparison at a time.
 */
public final class VariantComparison {
  /** One variant's run. */
  public record Row(Variant variant, ThumbnailReport report) {}

  private VariantComparison() {}

  /**
   * Runs each variant. Pool start-up is excluded from each total (as the course did), and so is the
   * warm-up of this JVM's resize path, done first when a variant resizes here.
   *
   * @param base the configuration; its home folder holds one sub-folder per variant
   * @param progress told of the warm-up, then the name of each variant as it starts
   */
  public static List<Row> run(ThumbnailConfig base, List<String> urls, List<Variant> variants, Consumer<String> progress) {
    Objects.requireNonNull(progress, "progress");
    List<Row> rows = new ArrayList<>();
    if (variants.stream().anyMatch(v -> resizesHere(v, base.resizePool()))) {
      progress.accept("warm-up (this JVM's resize path, as each child JVM's)");
      dev.spindle.thumbnails.internal.WarmUp.run(dev.spindle.thumbnails.internal.WarmUp.DEFAULT_MAX_ROUNDS);
    }
    for (Variant v : variants) {
      progress.accept(v.cliName());
      Path home = base.homeDir().resolve(v.cliName());
      ThumbnailConfig c = base.toBuilder().homeDir(home).variant(v).build();
      deleteTree(home);
      try (ThumbnailMaker maker = ThumbnailMaker.create(c)) {
        rows.add(new Row(v, maker.makeThumbnails(urls)));
      }
    }
    return rows;
  }

  /** True if {@code v} resizes in this JVM with {@code pool} configured. */
  static boolean resizesHere(Variant v, ResizePool pool) {
    if (v.requiresProcesses()) {
      return false;
    }
    boolean childJvms = pool.kind() == ResizePool.Kind.PROCESSES
        || (pool.executor() instanceof dev.spindle.TaskExecutor e && e.model() == dev.spindle.ExecutionModel.PROCESSES);
    return !v.usesResizePool() || !childJvms;
  }

  private static void deleteTree(Path dir) {
    if (!java.nio.file.Files.exists(dir)) {
      return;
    }
    try (var s = java.nio.file.Files.walk(dir)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        java.nio.file.Files.delete(p);
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot clear " + dir, e);
    }
  }

  /** The time the course's metric of {@code v} refers to, in seconds. */
  static double metricSeconds(ThumbnailReport r, Variant.Metric m) {
    return switch (m) {
      case DOWNLOAD -> ThumbnailReport.secs(r.downloadTime());
      case RESIZE -> ThumbnailReport.secs(r.resizeTime());
      case TOTAL -> ThumbnailReport.secs(r.totalTime());
    };
  }

  /** Our speed-up of {@code row} over {@code baseline} on the variant's course metric, or NaN. */
  public static double speedup(Row row, @Nullable Row baseline) {
    if (baseline == null) {
      return Double.NaN;
    }
    Variant.Metric m = row.variant().courseMetric();
    double t = metricSeconds(row.report(), m);
    return t <= 0 ? Double.NaN : metricSeconds(baseline.report(), m) / t;
  }

  /** A Markdown table of the rows with our and the course's speed-ups. */
  public static String table(List<Row> rows) {
    Row baseline = rows.stream().filter(r -> r.variant() == Variant.SEQUENTIAL).findFirst().orElse(null);
    StringBuilder sb = new StringBuilder();
    sb.append("| variant | resize on | download s | resize s | total s | images/s | ours vs sequential | course | course result |\n");
    sb.append("|---|---|---:|---:|---:|---:|---:|---:|---|\n");
    for (Row r : rows) {
      ThumbnailReport rep = r.report();
      double ours = speedup(r, baseline);
      double course = r.variant().courseSpeedup();
      String metric = r.variant().courseMetric().name().toLowerCase(Locale.ROOT);
      sb.append(String.format(Locale.ROOT, "| %s | %s | %.2f | %.2f | %.2f | %.2f | %s | %s | %s |%n",
          r.variant().cliName(), rep.resizePool(), ThumbnailReport.secs(rep.downloadTime()),
          ThumbnailReport.secs(rep.resizeTime()), ThumbnailReport.secs(rep.totalTime()), rep.imagesPerSecond(),
          Double.isNaN(ours) ? "-" : String.format(Locale.ROOT, "%.2fx %s", ours, metric),
          Double.isNaN(course) ? "-" : String.format(Locale.ROOT, "%.1fx %s", course, metric),
          r.variant().courseResult()));
    }
    return sb.toString();
  }
}
