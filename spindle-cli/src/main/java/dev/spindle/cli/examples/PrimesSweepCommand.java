package dev.spindle.cli.examples;

import dev.spindle.ExecutionModel;
import dev.spindle.cli.ProgressBar;
import dev.spindle.examples.primes.PrimeSweep;
import dev.spindle.examples.primes.SweepChart;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./spindle primes sweep}: the worker-count sweep behind Fluent Python's Figure 19-2, for every
 * model, writing a CSV of medians and a PNG line chart.
 */
@Command(name = "sweep", mixinStandardHelpOptions = true,
    description = {
        "Runs the prime checker with 1..N workers, R times each, on each model, and writes the median "
            + "times as CSV and as a PNG line chart (Fluent Python's Figure 19-2: x = workers, y = median "
            + "seconds, one line per model). A progress bar runs on stderr.",
        "Example: ./spindle primes sweep --max-workers 4 --runs 5"})
public final class PrimesSweepCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--models", paramLabel = "LIST", split = ",",
      defaultValue = "sequential,threads,virtual,processes",
      description = "comma-separated models (default: ${DEFAULT-VALUE})")
  List<String> models;

  @Option(names = "--max-workers", paramLabel = "N",
      description = "sweep 1..N workers (default: twice the number of cores)")
  @Nullable Integer maxWorkers;

  @Option(names = {"-r", "--runs"}, paramLabel = "R", defaultValue = "5",
      description = "runs per point; the text used 12 (default: ${DEFAULT-VALUE})")
  int runs;

  @Option(names = "--dataset", paramLabel = "NAME", defaultValue = "text",
      description = "text or large (default: ${DEFAULT-VALUE})")
  String dataset;

  @Option(names = "--out", paramLabel = "DIR", defaultValue = "primes-sweep",
      description = "directory for primes-sweep.csv and primes-sweep.png (default: ${DEFAULT-VALUE})")
  Path out;

  @Override
  public Integer call() throws InterruptedException {
    CommandLine cl = spec.commandLine();
    List<ExecutionModel> ms = new ArrayList<>();
    for (String m : models) {
      ms.add(ModelOptions.parseLocal(cl, m));
    }
    PrimeSweep sweep;
    try {
      PrimeSweep.Builder b = PrimeSweep.builder().models(ms).runs(runs)
          .dataset(PrimesCommand.parseDataset(cl, dataset));
      if (maxWorkers != null) {
        b.maxWorkers(maxWorkers);
      }
      sweep = b.build();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cl, e.getMessage());
    }
    PrintStream stdout = System.out;
    stdout.printf(Locale.ROOT, "Sweeping %s with 1..%d workers, %d runs each (%d runs, %d numbers per run)%n",
        String.join(", ", models), sweep.maxWorkers(), sweep.runs(), sweep.totalRuns(),
        sweep.fixtures().size());
    stdout.flush();
    PrimeSweep.SweepResult result;
    try (ProgressBar bar = ProgressBar.onStderr("sweep", sweep.totalRuns())) {
      result = sweep.run(p -> bar.step(String.format(Locale.ROOT, "%s x%d run %d: %.2fs",
          ModelOptions.name(p.model()), p.workers(), p.run(), p.seconds())));
    } catch (IllegalStateException e) {
      System.err.println("primes sweep: " + e.getMessage());
      return 1;
    }
    Path csv = out.resolve("primes-sweep.csv");
    Path png = out.resolve("primes-sweep.png");
    result.writeCsv(csv);
    SweepChart.writePng(result, String.format(Locale.ROOT, "Prime checker: median time by workers (%d cores)",
        Runtime.getRuntime().availableProcessors()), png);
    stdout.println();
    stdout.printf(Locale.ROOT, "%-11s %7s %10s %8s %8s%n", "model", "workers", "median_s", "min_s", "max_s");
    for (PrimeSweep.SweepResult.Point p : result.points()) {
      stdout.printf(Locale.ROOT, "%-11s %7d %10.3f %8.3f %8.3f%n", ModelOptions.name(p.model()), p.workers(),
          p.median(), p.min(), p.max());
    }
    stdout.println();
    stdout.println("CSV:   " + csv.toAbsolutePath());
    stdout.println("chart: " + png.toAbsolutePath());
    return 0;
  }
}
