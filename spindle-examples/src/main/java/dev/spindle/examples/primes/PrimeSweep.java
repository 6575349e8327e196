package dev.spindle.examples.primes;

import dev.spindle.ExecutionModel;
import dev.spindle.ExecutorConfig;
import dev.spindle.examples.Ticker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The worker-count sweep of Fluent Python's Figure 19-2: the prime checker with 1..{@code maxWorkers}
 * workers, {@code runs} times each, on each model; the median time per (model, workers) point.
 * {@code SEQUENTIAL} has one point (1 worker) and is drawn as a baseline.
 *
 * <p>Runs are interleaved (every point of run 1, then of run 2, ...) so that a noisy moment of the
 * machine spreads over all points rather than spoiling one. Each run starts its own pool, so pool
 * start-up is part of every time, as in the text. Immutable; {@link #run} may be called again.
 */
public final class PrimeSweep {
  private final List<ExecutionModel> models;
  private final int maxWorkers;
  private final int runs;
  private final String datasetName;
  private final List<PrimeFixture> fixtures;
  private final Ticker ticker;
  private final Consumer<ExecutorConfig.Builder> customizer;

  private PrimeSweep(Builder b) {
    this.models = List.copyOf(b.models);
    this.maxWorkers = b.maxWorkers;
    this.runs = b.runs;
    this.datasetName = b.datasetName;
    this.fixtures = List.copyOf(b.fixtures);
    this.ticker = b.ticker;
    this.customizer = b.customizer;
  }

  /** A builder; defaults: all four local models, 1..2×cores workers, 5 runs, the text's numbers. */
  public static Builder builder() {
    return new Builder();
  }

  /** The models swept. */
  public List<ExecutionModel> models() {
    return models;
  }

  /** The largest worker count. */
  public int maxWorkers() {
    return maxWorkers;
  }

  /** Runs per point. */
  public int runs() {
    return runs;
  }

  /** The name of the numbers checked ({@code text}, {@code large}, or a custom name). */
  public String datasetName() {
    return datasetName;
  }

  /** The numbers checked, with their expected answers. */
  public List<PrimeFixture> fixtures() {
    return fixtures;
  }

  /** How many prime-checker runs {@link #run} does. */
  public int totalRuns() {
    int points = 0;
    for (ExecutionModel m : models) {
      points += m == ExecutionModel.SEQUENTIAL ? 1 : maxWorkers;
    }
    return points * runs;
  }

  /**
   * One finished run, for progress reporting.
   *
   * @param done runs finished so far, including this one
   * @param total {@link #totalRuns()}
   */
  public record Progress(int done, int total, ExecutionModel model, int workers, int run, double seconds) {}

  /**
   * Runs the sweep.
   *
   * @param progress called on the calling thread after every run
   * @throws IllegalStateException if a check fails (the sweep measures only complete, correct runs)
   */
  public SweepResult run(Consumer<Progress> progress) throws InterruptedException {
    Map<String, List<Double>> times = new LinkedHashMap<>();
    for (ExecutionModel m : models) {
      for (int w = 1; w <= (m == ExecutionModel.SEQUENTIAL ? 1 : maxWorkers); w++) {
        times.put(key(m, w), new ArrayList<>());
      }
    }
    int done = 0;
    int total = totalRuns();
    for (int r = 1; r <= runs; r++) {
      for (int w = 1; w <= maxWorkers; w++) {
        for (ExecutionModel m : models) {
          if (m == ExecutionModel.SEQUENTIAL && w > 1) {
            continue;
          }
          PrimeRun run = PrimeChecker.on(m).workers(w).numbers(fixtures.stream().map(PrimeFixture::n).toList())
              .ticker(ticker).configure(customizer).build().run();
          if (!run.succeeded()) {
            PrimeRun.Failure f = run.failures().get(0);
            throw new IllegalStateException("the sweep stopped: checking " + f.n() + " on " + m + " with " + w
                + " workers failed: " + f.error(), f.error());
          }
          verify(run);
          Objects.requireNonNull(times.get(key(m, w))).add(run.elapsedSeconds());
          progress.accept(new Progress(++done, total, m, w, r, run.elapsedSeconds()));
        }
      }
    }
    List<SweepResult.Point> points = new ArrayList<>();
    times.forEach((k, v) -> {
      String[] parts = k.split("/");
      points.add(new SweepResult.Point(ExecutionModel.valueOf(parts[0]), Integer.parseInt(parts[1]), v));
    });
    return new SweepResult(datasetName, fixtures.size(), runs, points);
  }

  private void verify(PrimeRun run) {
    Map<Long, Boolean> expected = new LinkedHashMap<>();
    fixtures.forEach(f -> expected.put(f.n(), f.prime()));
    for (PrimeResult r : run.results()) {
      if (!Objects.equals(expected.get(r.n()), r.prime())) {
        throw new IllegalStateException("wrong answer for " + r.n() + " on " + run.model() + ": " + r.prime());
      }
    }
  }

  private static String key(ExecutionModel m, int workers) {
    return m.name() + "/" + workers;
  }

  /**
   * The medians of a sweep. Immutable.
   *
   * @param datasetName the name of the numbers checked
   * @param numbers how many numbers each run checked
   * @param runs runs per point
   * @param points one per (model, workers), models in sweep order, workers ascending
   */
  public record SweepResult(String datasetName, int numbers, int runs, List<Point> points) {
    public SweepResult {
      points = List.copyOf(points);
    }

    /**
     * The times of one (model, workers) point.
     *
     * @param seconds every run's time, in run order
     */
    public record Point(ExecutionModel model, int workers, List<Double> seconds) {
      public Point {
        seconds = List.copyOf(seconds);
        if (seconds.isEmpty()) {
          throw new IllegalArgumentException("a point needs at least one run");
        }
      }

      /** The median time (the mean of the two middle values for an even count). */
      public double median() {
        return PrimeSweep.median(seconds);
      }

      /** The fastest run. */
      public double min() {
        return seconds.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
      }

      /** The slowest run. */
      public double max() {
        return seconds.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
      }
    }

    /** The points of one model, workers ascending. */
    public List<Point> pointsOf(ExecutionModel model) {
      return points.stream().filter(p -> p.model() == model).toList();
    }

    /** The CSV text: {@code model,workers,runs,median_s,min_s,max_s}, one row per point. */
    public String toCsv() {
      StringBuilder sb = new StringBuilder("model,workers,runs,median_s,min_s,max_s\n");
      for (Point p : points) {
        sb.append(String.format(Locale.ROOT, "%s,%d,%d,%.4f,%.4f,%.4f%n", p.model().name().toLowerCase(Locale.ROOT),
            p.workers(), p.seconds().size(), p.median(), p.min(), p.max()));
      }
      return sb.toString();
    }

    /** Writes {@link #toCsv()} to {@code file}, creating its directory. */
    public void writeCsv(Path file) {
      try {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) {
          Files.createDirectories(dir);
        }
        Files.writeString(file, toCsv(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
      }
    }
  }

  /** The median of a non-empty list. */
  public static double median(List<Double> values) {
    if (values.isEmpty()) {
      throw new IllegalArgumentException("median of nothing");
    }
    double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int mid = v.length / 2;
    return v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  }

  /** Validates and builds a {@link PrimeSweep}. Not thread-safe. */
  public static final class Builder {
    private List<ExecutionModel> models = List.of(ExecutionModel.SEQUENTIAL, ExecutionModel.THREADS,
        ExecutionModel.VIRTUAL, ExecutionModel.PROCESSES);
    private int maxWorkers = 2 * Runtime.getRuntime().availableProcessors();
    private int runs = 5;
    private String datasetName = PrimeDataset.TEXT.cliName();
    private List<PrimeFixture> fixtures = PrimeDataset.TEXT.fixtures();
    private Ticker ticker = Ticker.system();
    private Consumer<ExecutorConfig.Builder> customizer = b -> {};

    private Builder() {}

    /**
     * The models to sweep, in order.
     *
     * @throws IllegalArgumentException if empty, repeated, or DISTRIBUTED
     */
    public Builder models(List<ExecutionModel> models) {
      if (models.isEmpty()) {
        throw new IllegalArgumentException("sweep at least one model");
      }
      if (models.stream().distinct().count() != models.size()) {
        throw new IllegalArgumentException("a model is listed twice: " + models);
      }
      if (models.contains(ExecutionModel.DISTRIBUTED)) {
        throw new IllegalArgumentException("the prime sweep runs SEQUENTIAL, THREADS, VIRTUAL or PROCESSES");
      }
      this.models = List.copyOf(models);
      return this;
    }

    /**
     * Sweeps 1..{@code maxWorkers} workers.
     *
     * @throws IllegalArgumentException unless 1..256
     */
    public Builder maxWorkers(int maxWorkers) {
      if (maxWorkers < 1 || maxWorkers > 256) {
        throw new IllegalArgumentException("max workers must be 1..256: " + maxWorkers);
      }
      this.maxWorkers = maxWorkers;
      return this;
    }

    /**
     * Runs per point (the text: 12).
     *
     * @throws IllegalArgumentException unless 1..1000
     */
    public Builder runs(int runs) {
      if (runs < 1 || runs > 1000) {
        throw new IllegalArgumentException("runs must be 1..1000: " + runs);
      }
      this.runs = runs;
      return this;
    }

    /** The numbers to check. */
    public Builder dataset(PrimeDataset dataset) {
      return fixtures(dataset.cliName(), dataset.fixtures());
    }

    /**
     * Custom numbers to check, with their expected answers (each run is verified against them).
     *
     * @throws IllegalArgumentException if empty
     */
    public Builder fixtures(String name, List<PrimeFixture> fixtures) {
      Objects.requireNonNull(name, "name");
      if (fixtures.isEmpty()) {
        throw new IllegalArgumentException("no numbers to check");
      }
      this.datasetName = name;
      this.fixtures = List.copyOf(fixtures);
      return this;
    }

    /** The time source. */
    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /** Adjusts every executor's configuration (see {@link PrimeChecker.Builder#configure}). */
    public Builder configure(Consumer<ExecutorConfig.Builder> customizer) {
      this.customizer = Objects.requireNonNull(customizer, "customizer");
      return this;
    }

    /** The immutable sweep. */
    public PrimeSweep build() {
      return new PrimeSweep(this);
    }
  }
}
