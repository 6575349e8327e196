package dev.spindle.cli.examples;

import dev.spindle.examples.futurist.FuturistPrograms;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code ./spindle futurist PROGRAM}: Scaling Python's futurist examples. */
@Command(name = "futurist", mixinStandardHelpOptions = true,
    description = {
        "Scaling Python's futurist examples on Spindle's executors: statistics (an executor's statistics"
            + " before, during and after 10 tasks), reject (one busy worker, reject_when_reached(2): the third"
            + " waiting submission is refused), periodics (two periodic tasks for 2 s, printing their statistics).",
        "Example: ./spindle futurist reject"})
public final class FuturistCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "PROGRAM", description = "statistics, reject or periodics")
  String program;

  @Override
  public Integer call() throws InterruptedException {
    switch (program) {
      case "statistics" -> FuturistPrograms.statistics(System.out);
      case "reject" -> FuturistPrograms.rejection(System.out);
      case "periodics" -> FuturistPrograms.periodics(System.out, Duration.ofSeconds(2));
      default -> throw new CommandLine.ParameterException(spec.commandLine(), "unknown program '" + program
          + "': statistics, reject or periodics");
    }
    return 0;
  }
}
