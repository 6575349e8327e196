package dev.spindle.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Help;

/**
 * The command list of {@code spindle --help}, in groups: operate a queue, inspect it, and run the
 * texts' examples, in that order. A command in no group is listed last under "Other", so none goes
 * missing. Immutable and thread-safe.
 */
final class CommandGroups implements CommandLine.IHelpSectionRenderer {
  /** Heading to the command names of its group, in the order shown. */
  static final Map<String, List<String>> GROUPS = groups();

  private static Map<String, List<String>> groups() {
    Map<String, List<String>> g = new LinkedHashMap<>();
    g.put("Operate a queue:", List.of("enqueue", "worker", "services", "ctl", "schedules", "flow", "workflow",
        "dashboard", "migrate", "lock"));
    g.put("Inspect:", List.of("status", "jobs", "incidents", "help"));
    g.put("Run the texts' examples:", List.of("spinner", "primes", "producer-consumer", "bank", "cpu-scaling",
        "basics", "asyncio", "futurist", "thumbnails", "demo"));
    return g;
  }

  @Override
  public String render(Help help) {
    Map<String, Help> all = help.subcommands();
    if (all.isEmpty()) {
      return "";
    }
    StringBuilder sb = new StringBuilder();
    List<String> listed = new ArrayList<>();
    for (Map.Entry<String, List<String>> group : GROUPS.entrySet()) {
      Map<String, Help> members = new LinkedHashMap<>();
      for (String name : group.getValue()) {
        Help h = all.get(name);
        if (h != null) {
          members.put(name, h);
          listed.add(name);
        }
      }
      append(sb, help, group.getKey(), members);
    }
    Map<String, Help> rest = new LinkedHashMap<>(all);
    rest.keySet().removeAll(listed);
    append(sb, help, "Other:", rest);
    return sb.toString();
  }

  private static void append(StringBuilder sb, Help help, String heading, Map<String, Help> members) {
    if (!members.isEmpty()) {
      sb.append(String.format("%n%s%n", heading)).append(help.commandList(members));
    }
  }
}
