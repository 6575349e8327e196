package dev.spindle.cli.queue;

import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code --json} and {@code --quiet}: output for scripts. With {@code --json} a command prints one
 * JSON document on stdout (docs/CLI.md lists the fields) and nothing else; with {@code --quiet} only
 * ids, one per line. Messages go to stderr either way. Set by picocli, then read by one thread.
 */
final class OutputOptions {
  @Option(names = "--json", description = "print one JSON document on stdout and nothing else (fields: docs/CLI.md)")
  boolean json;

  @Option(names = "--quiet", description = "print only the job ids, one per line")
  boolean quiet;

  /** Refuses both at once: a usage error. */
  void check(CommandLine cl) {
    if (json && quiet) {
      throw new CommandLine.ParameterException(cl, "--json and --quiet exclude each other");
    }
  }
}
