package dev.spindle.cli.examples;

import dev.spindle.ExecutionModel;
import dev.spindle.examples.Ticker;
import dev.spindle.examples.scaling.CpuScaling;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./spindle cpu-scaling}: Scaling Python's CPU-bound workers, with {@code time}'s CPU report. */
@Command(name = "cpu-scaling", mixinStandardHelpOptions = true,
    description = {
        "Scaling Python's compute(): each of W workers sums N random integers in [1, 100]; prints time's "
            + "user/system/%%cpu/total per model (the text: 8 threads 116%% cpu, 8 processes 332%% cpu on 4 cores), "
            + "the speed-up over sequential and the share of the cores used. Each pool is started and warmed "
            + "before the clock starts; its start-up (child JVM launches) is printed apart.",
        "Example: ./spindle cpu-scaling --models sequential,threads,processes"})
public final class CpuScalingCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--models", paramLabel = "LIST", split = ",", defaultValue = "sequential,threads,virtual,processes",
      description = "comma-separated models (default: ${DEFAULT-VALUE})")
  List<String> models;

  @Option(names = {"-w", "--workers"}, paramLabel = "W", defaultValue = "8",
      description = "concurrent computations, as in the text (default: ${DEFAULT-VALUE})")
  int workers;

  @Option(names = "--count", paramLabel = "N", defaultValue = "200000000",
      description = "random integers per computation; the text's 1,000,000 took CPython 2.8 s of CPU each, "
          + "the JVM needs about 200,000,000 for a comparable second or more, so the work, not start-up, "
          + "is what is timed (default: ${DEFAULT-VALUE})")
  long count;

  @Option(names = "--processes", paramLabel = "P",
      description = "child JVMs of the processes model (default: one per core, as multiprocessing.Pool(), at most W)")
  @Nullable Integer processes;

  @Override
  public Integer call() {
    CommandLine cl = spec.commandLine();
    List<ExecutionModel> ms = new ArrayList<>();
    for (String m : models) {
      ms.add(ModelOptions.parseLocal(cl, m));
    }
    if (workers < 1 || workers > 256 || count < 1 || (processes != null && (processes < 1 || processes > 64))) {
      throw new CommandLine.ParameterException(cl, "--workers must be 1..256, --processes 1..64 and --count >= 1");
    }
    PrintStream out = System.out;
    int cores = Runtime.getRuntime().availableProcessors();
    out.printf(Locale.ROOT, "compute(): sum of %,d random integers in [1, 100], %d at once, %d cores%n", count, workers,
        cores);
    List<CpuScaling.Report> reports = new ArrayList<>();
    for (ExecutionModel m : ms) {
      int pool = m == ExecutionModel.PROCESSES && processes != null ? processes : CpuScaling.defaultPoolSize(m, workers);
      reports.add(CpuScaling.run(m, workers, pool, count, Ticker.system()));
    }
    out.println("pool start-up, outside the timings below:");
    for (CpuScaling.Report r : reports) {
      out.printf(Locale.ROOT, "  %-11s %s%n", ModelOptions.name(r.model()), r.startupLine());
    }
    CpuScaling.Report seq = reports.stream().filter(r -> r.model() == ExecutionModel.SEQUENTIAL).findFirst().orElse(null);
    for (CpuScaling.Report r : reports) {
      String speedup = seq == null ? "" : String.format(Locale.ROOT, "  %.2fx sequential", seq.wallSeconds() / r.wallSeconds());
      out.printf(Locale.ROOT, "%-11s %s%s  %.0f%% of %d cores   results[0]=%,d%n", ModelOptions.name(r.model()), r.timeLine(),
          speedup, r.cpuPercent() / cores, cores, r.results().get(0));
    }
    out.printf(Locale.ROOT, "The text (CPython, 4 cores): threads 116%% cpu (29%% of the hardware, the GIL), processes "
        + "332%% cpu and 60%% less time. Here processes scale the work with the cores too; so do threads, "
        + "since the JVM has no GIL.%n");
    return 0;
  }
}
