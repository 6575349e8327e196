package dev.spindle.bench;

import dev.spindle.ExecutionModel;
import dev.spindle.examples.primes.PrimeChecker;
import dev.spindle.examples.primes.PrimeDataset;
import dev.spindle.examples.primes.PrimeFixture;
import dev.spindle.examples.primes.PrimeResult;
import dev.spindle.examples.primes.PrimeRun;
import dev.spindle.examples.primes.PrimeSweep;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The prime checker on every local model, side by side in one JVM: each round runs every model once
 * (the order rotates from round to round so drift and noise hit all models alike), each run starting
 * its own pool, so pool start-up (child JVMs included) is part of every time. Prints the median, the
 * best and the worst time per model, the median pool start-up, and the speed-up over
 * {@code SEQUENTIAL} with the targets (THREADS and VIRTUAL ≥ 1.85×, PROCESSES ≥ 1.75× on
 * the large dataset with 2 workers). Every answer is checked against the dataset's flags.
 *
 * <pre>
 * java -cp ... dev.spindle.bench.PrimesBench [--dataset large|text] [--workers 2] [--rounds 3]
 *     [--models sequential,threads,virtual,processes]
 * </pre>
 */
public final class PrimesBench {
  private static final Map<ExecutionModel, Double> TARGETS = Map.of(
      ExecutionModel.THREADS, 1.85, ExecutionModel.VIRTUAL, 1.85, ExecutionModel.PROCESSES, 1.75);

  private PrimesBench() {}

  /** Runs the benchmark; see the class comment for arguments. Exits 1 if a target is missed. */
  public static void main(String[] args) throws Exception {
    PrimeDataset dataset = PrimeDataset.LARGE;
    int workers = 2;
    int rounds = 3;
    List<ExecutionModel> models = List.of(ExecutionModel.SEQUENTIAL, ExecutionModel.THREADS,
        ExecutionModel.VIRTUAL, ExecutionModel.PROCESSES);
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--dataset" -> dataset = PrimeDataset.valueOf(args[++i].toUpperCase(Locale.ROOT));
        case "--workers" -> workers = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--models" -> models = Arrays.stream(args[++i].split(","))
            .map(s -> ExecutionModel.valueOf(s.trim().toUpperCase(Locale.ROOT))).toList();
        default -> throw new IllegalArgumentException("unknown argument " + args[i]
            + "; use --dataset large|text --workers N --rounds R --models a,b,c");
      }
    }
    System.out.printf(Locale.ROOT, "prime checker, %s dataset (%d numbers), %d workers, %d rounds, pool start-up "
            + "included; %d cores, JDK %s, load average %.2f at start%n", dataset.cliName(), dataset.numbers().size(),
        workers, rounds, Runtime.getRuntime().availableProcessors(), Runtime.version(),
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());

    // Warm-up, not recorded: JIT-compile the check and the executors in this JVM, and let the
    // process model build its class-data-sharing archive if this class path has none yet.
    for (ExecutionModel m : models) {
      checker(m, workers, PrimeDataset.TEXT).run();
    }
    Map<ExecutionModel, List<Double>> times = new LinkedHashMap<>();
    Map<ExecutionModel, List<Double>> startups = new LinkedHashMap<>();
    models.forEach(m -> {
      times.put(m, new ArrayList<>());
      startups.put(m, new ArrayList<>());
    });
    for (int r = 0; r < rounds; r++) {
      for (int k = 0; k < models.size(); k++) {
        ExecutionModel m = models.get((k + r) % models.size());
        PrimeRun run = checker(m, workers, dataset).run();
        verify(run, dataset);
        Objects.requireNonNull(times.get(m)).add(run.elapsedSeconds());
        Objects.requireNonNull(startups.get(m)).add(run.startupSeconds());
        System.out.printf(Locale.ROOT, "  round %d  %-10s %8.3fs  (start-up %.3fs)%n", r + 1,
            m.name().toLowerCase(Locale.ROOT), run.elapsedSeconds(), run.startupSeconds());
      }
    }
    double base = times.containsKey(ExecutionModel.SEQUENTIAL)
        ? PrimeSweep.median(times.get(ExecutionModel.SEQUENTIAL)) : Double.NaN;
    System.out.println();
    System.out.printf(Locale.ROOT, "%-11s %9s %8s %8s %10s %9s %8s %s%n", "model", "median_s", "best_s", "worst_s",
        "startup_s", "speed-up", "target", "");
    boolean allMet = true;
    for (ExecutionModel m : models) {
      List<Double> t = Objects.requireNonNull(times.get(m));
      double med = PrimeSweep.median(t);
      double speedup = base / med;
      Double target = dataset == PrimeDataset.LARGE && workers == 2 ? TARGETS.get(m) : null;
      String verdict = "";
      if (target != null && !Double.isNaN(speedup)) {
        boolean met = speedup >= target;
        allMet &= met;
        verdict = met ? "met" : "MISSED";
      }
      System.out.printf(Locale.ROOT, "%-11s %9.3f %8.3f %8.3f %10.3f %8.2fx %8s %s%n",
          m.name().toLowerCase(Locale.ROOT), med, t.stream().mapToDouble(d -> d).min().orElseThrow(),
          t.stream().mapToDouble(d -> d).max().orElseThrow(), PrimeSweep.median(Objects.requireNonNull(startups.get(m))), speedup,
          target == null ? "-" : String.format(Locale.ROOT, ">=%.2fx", target), verdict);
    }
    System.out.printf(Locale.ROOT, "load average %.2f at end%n",
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    if (!allMet) {
      System.exit(1);
    }
  }

  private static PrimeChecker checker(ExecutionModel m, int workers, PrimeDataset dataset) {
    PrimeChecker.Builder b = PrimeChecker.on(m).dataset(dataset);
    if (m != ExecutionModel.SEQUENTIAL) {
      b.workers(workers);
    }
    return b.build();
  }

  private static void verify(PrimeRun run, PrimeDataset dataset) {
    if (!run.succeeded()) {
      throw new IllegalStateException(run.model() + ": " + run.failures());
    }
    Map<Long, Boolean> expected = new LinkedHashMap<>();
    for (PrimeFixture f : dataset.fixtures()) {
      expected.put(f.n(), f.prime());
    }
    if (run.results().size() != expected.size()) {
      throw new IllegalStateException(run.model() + " returned " + run.results().size() + " answers");
    }
    for (PrimeResult r : run.results()) {
      if (!Boolean.valueOf(r.prime()).equals(expected.get(r.n()))) {
        throw new IllegalStateException(run.model() + " got " + r.n() + " wrong");
      }
    }
  }
}
