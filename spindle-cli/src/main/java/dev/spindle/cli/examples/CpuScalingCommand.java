package dev.spindle.cli.examples;

import dev.spindle.ExecutionModel;
import dev.spindle.examples.Ticker;
import dev.spindle.examples.scaling.CpuScaling;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./spindle cpu-scaling}: Scaling Python's CPU-bound workers, with {@code time}'s CPU report. */
@Command(name = "cpu-scaling", mixinStandardHelpOptions = true,
    description = {
        "Scaling Python's compute(): each of W workers sums N random integers in [1, 100]; prints time's "
            + "user/system/%%cpu/total per model (the text: 8 threads 116%% cpu, 8 processes 332%% cpu on 4 cores).",
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

  @Option(names = "--count", paramLabel = "N", defaultValue = "50000000",
      description = "random integers per computation; the text's 1,000,000 take CPython as long as about "
          + "50,000,000 take the JVM (default: ${DEFAULT-VALUE})")
  long count;

  @Override
  public Integer call() {
    CommandLine cl = spec.commandLine();
    List<ExecutionModel> ms = new ArrayList<>();
    for (String m : models) {
      ms.add(ModelOptions.parseLocal(cl, m));
    }
    if (workers < 1 || workers > 256 || count < 1) {
      throw new CommandLine.ParameterException(cl, "--workers must be 1..256 and --count >= 1");
    }
    PrintStream out = System.out;
    out.printf(Locale.ROOT, "compute(): sum of %,d random integers in [1, 100], %d at once, %d cores%n", count, workers,
        Runtime.getRuntime().availableProcessors());
    for (ExecutionModel m : ms) {
      CpuScaling.Report r = CpuScaling.run(m, workers, count, Ticker.system());
      out.printf(Locale.ROOT, "%-11s %s   results[0]=%,d%n", ModelOptions.name(m), r.timeLine(), r.results().get(0));
    }
    return 0;
  }
}
