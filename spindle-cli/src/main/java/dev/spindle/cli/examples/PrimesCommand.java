package dev.spindle.cli.examples;

import dev.spindle.ExecutionModel;
import dev.spindle.examples.primes.PrimeChecker;
import dev.spindle.examples.primes.PrimeDataset;
import dev.spindle.examples.primes.PrimeReport;
import dev.spindle.examples.primes.PrimeRun;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./spindle primes}: Fluent Python's prime checker (sequential.py, threads.py, procs.py) on a
 * chosen execution model, with the text's output format.
 */
@Command(name = "primes", mixinStandardHelpOptions = true,
    subcommands = {PrimesSweepCommand.class},
    description = {
        "Checks 20 numbers for primality, one task per number, on the chosen execution model, printing "
            + "each answer as it arrives (out of order on concurrent models), like Fluent Python's "
            + "sequential.py / threads.py / procs.py.",
        "Example: ./spindle primes --model processes --workers 2"})
public final class PrimesCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", paramLabel = "MODEL", defaultValue = "processes",
      description = "sequential, threads, virtual, processes or coroutine (one event loop: the checks never "
          + "suspend, so they run one after another) (default: ${DEFAULT-VALUE})")
  String model;

  @Option(names = {"-w", "--workers"}, paramLabel = "N",
      description = "worker threads or processes (default: the number of cores; 0 with virtual = one per number)")
  Integer workers;

  @Option(names = "--dataset", paramLabel = "NAME", defaultValue = "text",
      description = "text: the text's 20 numbers; large: 12 numbers near 2^62, seconds per check "
          + "(default: ${DEFAULT-VALUE})")
  String dataset;

  @Override
  public Integer call() throws InterruptedException {
    ExecutionModel m = ModelOptions.parseLocal(spec.commandLine(), model);
    PrimeDataset data = parseDataset(spec.commandLine(), dataset);
    PrimeChecker checker;
    try {
      PrimeChecker.Builder b = PrimeChecker.on(m).dataset(data);
      if (workers != null) {
        b.workers(workers);
      }
      checker = b.build();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    PrintStream out = System.out;
    PrintStream err = System.err;
    out.println(checker.header());
    out.flush();
    PrimeRun run;
    try {
      run = checker.run(r -> {
        out.println(PrimeReport.row(r));
        out.flush();
      }, f -> err.println(PrimeReport.errorRow(f.n(), f.error())));
    } catch (IllegalStateException e) {
      err.println("primes: " + e.getMessage());
      return 1;
    }
    out.println(PrimeReport.footer(m, run.checked(), run.elapsedSeconds()));
    if (!run.succeeded()) {
      err.println("primes: " + run.failures().size() + " of " + checker.numbers().size() + " checks failed");
      return 1;
    }
    return 0;
  }

  static PrimeDataset parseDataset(CommandLine cl, String value) {
    for (PrimeDataset d : PrimeDataset.values()) {
      if (d.cliName().equalsIgnoreCase(value.trim())) {
        return d;
      }
    }
    throw new CommandLine.ParameterException(cl, "unknown dataset '" + value + "': use text or large");
  }
}
