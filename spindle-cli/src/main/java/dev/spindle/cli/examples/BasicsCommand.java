package dev.spindle.cli.examples;

import dev.spindle.ExecutionModel;
import dev.spindle.examples.basics.SmallPrograms;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code ./spindle basics PROGRAM}: the texts' smallest programs. */
@Command(name = "basics", mixinStandardHelpOptions = true,
    description = {
        "The texts' smallest programs: fibonacci-thread (a Thread subclass computing a Fibonacci number),"
            + " threading-start (hellothread started, or the other order), append-two ([1, 2] or [2, 1]; in Java"
            + " only with a synchronized list), load-url (a pool of 2 threads, one page that exists and one that"
            + " does not, the exception caught around result()), generate-hash (SHA-256 of byte strings on a"
            + " pool of 2 child JVMs, in input order), pipe (a duplex pipe: make_tuple sends a string and a count 1-9,"
            + " make_string in a child JVM sends the string back repeated).",
        "Example: ./spindle basics generate-hash"})
public final class BasicsCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "PROGRAM",
      description = "fibonacci-thread, threading-start, append-two, load-url, generate-hash or pipe")
  String program;

  @CommandLine.Option(names = "-n", paramLabel = "N", defaultValue = "30",
      description = "fibonacci-thread's number, 0-92 (default: ${DEFAULT-VALUE})")
  int n;

  @Override
  public Integer call() throws Exception {
    List<String> lines = switch (program) {
      case "fibonacci-thread" -> {
        if (n < 0 || n > 92) {
          throw new CommandLine.ParameterException(spec.commandLine(), "-n must be 0-92: " + n);
        }
        yield SmallPrograms.fibonacciThread(n);
      }
      case "threading-start" -> SmallPrograms.threadingStart();
      case "append-two" -> SmallPrograms.appendTwo();
      case "load-url" -> SmallPrograms.loadUrl();
      case "generate-hash" -> SmallPrograms.generateHash(ExecutionModel.PROCESSES);
      case "pipe" -> SmallPrograms.pipe(java.util.concurrent.ThreadLocalRandom.current());
      default -> throw new CommandLine.ParameterException(spec.commandLine(), "unknown program '" + program
          + "': fibonacci-thread, threading-start, append-two, load-url, generate-hash or pipe");
    };
    lines.forEach(System.out::println);
    return 0;
  }
}
