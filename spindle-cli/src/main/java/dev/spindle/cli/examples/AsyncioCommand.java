package dev.spindle.cli.examples;

import dev.spindle.examples.asyncio.AsyncioPrograms;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ./spindle asyncio PROGRAM}: the texts' asyncio programs on the COROUTINE model. */
@Command(name = "asyncio", mixinStandardHelpOptions = true,
    description = {
        "The texts' asyncio programs on one cooperative event loop (ExecutionModel.COROUTINE): hello"
            + " (delayed_hello and chaining), run-in-executor (3 worker threads run 6 blocking functions of 1 s"
            + " while the loop keeps running, then factorials in 2 child JVMs), wait-timeout (4 get_item"
            + " coroutines, a 2 s timeout, the pending ones cancelled), echo-server (the book's YellEchoServer:"
            + " one loop serves every client; try: nc 127.0.0.1 PORT).",
        "Example: ./spindle asyncio run-in-executor"})
public final class AsyncioCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "PROGRAM", description = "hello, run-in-executor, wait-timeout or echo-server")
  String program;

  @Option(names = "--port", paramLabel = "PORT", defaultValue = "8888",
      description = "echo-server's port on 127.0.0.1; 0 picks a free one (default: ${DEFAULT-VALUE})")
  int port;

  @Option(names = "--clients", paramLabel = "N", defaultValue = "0",
      description = "echo-server: stop after serving N connections; 0 serves until Ctrl-C (default: ${DEFAULT-VALUE})")
  int clients;

  @Override
  public Integer call() {
    if (port < 0 || port > 65535 || clients < 0) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--port must be 0-65535 and --clients >= 0");
    }
    switch (program) {
      case "hello" -> AsyncioPrograms.hello(System.out);
      case "run-in-executor" -> AsyncioPrograms.runInExecutor(System.out, true);
      case "wait-timeout" -> AsyncioPrograms.waitTimeout(System.out);
      case "echo-server" -> AsyncioPrograms.yellEchoServer(port, clients, System.out, p -> { });
      default -> throw new CommandLine.ParameterException(spec.commandLine(), "unknown program '" + program
          + "': hello, run-in-executor, wait-timeout or echo-server");
    }
    return 0;
  }
}
