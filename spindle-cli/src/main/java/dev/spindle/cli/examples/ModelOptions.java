package dev.spindle.cli.examples;

import dev.spindle.ExecutionModel;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;

/** Parsing of the {@code --model} values the prime examples accept. */
final class ModelOptions {
  /** The models a local example can run on, as typed. */
  static final List<String> LOCAL_MODELS = List.of("sequential", "threads", "virtual", "processes", "coroutine");

  private ModelOptions() {}

  /** Parses a local model name; fails with a usage error naming the allowed values. */
  static ExecutionModel parseLocal(CommandLine cl, String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    if (!LOCAL_MODELS.contains(v)) {
      throw new CommandLine.ParameterException(cl,
          "unknown model '" + value + "': use one of " + String.join(", ", LOCAL_MODELS));
    }
    return ExecutionModel.valueOf(v.toUpperCase(Locale.ROOT));
  }

  /** "sequential", "threads", ... */
  static String name(ExecutionModel m) {
    return m.name().toLowerCase(Locale.ROOT);
  }
}
