package dev.spindle.cli.queue;

import picocli.CommandLine.Option;

/**
 * {@code --json}: the command prints one JSON document on stdout (docs/CLI.md lists the fields) and
 * nothing else; messages go to stderr. Set by picocli, then read by one thread.
 */
final class JsonOption {
  @Option(names = "--json", description = "print one JSON document on stdout and nothing else (fields: docs/CLI.md)")
  boolean json;
}
