package dev.spindle.cli.examples;

import dev.spindle.ExecutionModel;
import dev.spindle.TaskExecutor;
import dev.spindle.examples.race.BankAccountRace;
import dev.spindle.examples.race.Guarding;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./spindle bank}: the BankAccount race, unguarded, with a lock and with an atomic add. */
@Command(name = "bank", mixinStandardHelpOptions = true,
    description = {
        "The course's BankAccount race: one worker deposits 100 while another withdraws 50, N times each, "
            + "on a shared balance starting at 0 (expected N x 50). Unguarded read-add-store loses updates; "
            + "a shared lock or an atomic add does not. Threads and processes race alike: the JVM has no GIL.",
        "Example: ./spindle bank --model processes --times 100000"})
public final class BankCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", paramLabel = "MODEL", defaultValue = "threads",
      description = "threads, virtual or processes (default: ${DEFAULT-VALUE})")
  String model;

  @Option(names = "--times", paramLabel = "N", defaultValue = "1000000",
      description = "transactions per party (default: ${DEFAULT-VALUE})")
  int times;

  @Override
  public Integer call() {
    ExecutionModel m = ModelOptions.parseLocal(spec.commandLine(), model);
    if (m == ExecutionModel.SEQUENTIAL) {
      throw new CommandLine.ParameterException(spec.commandLine(), "the race needs two workers: use threads, "
          + "virtual or processes");
    }
    if (times < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--times must be >= 1");
    }
    PrintStream out = System.out;
    out.printf(Locale.ROOT, "BankAccount: +100 and -50, %,d times each, on 2 %s at once, from 0 (expected %,d)%n",
        times, m == ExecutionModel.PROCESSES ? "processes" : m == ExecutionModel.VIRTUAL ? "virtual threads"
            : "threads", 50L * times);
    boolean expectedOutcomes = true;
    try (TaskExecutor pool = BankAccountRace.startPool(m)) {
      for (Guarding g : Guarding.values()) {
        BankAccountRace.Outcome o = BankAccountRace.run(pool, g, times);
        out.printf(Locale.ROOT, "%-28s %,15d   %-28s %6.3fs%n", g.description() + ":", o.actual(),
            o.correct() ? "right" : String.format(Locale.ROOT, "WRONG (off by %,d)", o.actual() - o.expected()),
            o.seconds());
        if (g != Guarding.NONE && !o.correct()) {
          expectedOutcomes = false;
        }
      }
    }
    return expectedOutcomes ? 0 : 1;
  }
}
