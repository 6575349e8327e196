package dev.spindle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code spindle --help} lists the commands in groups: operate, inspect, then the texts' examples. */
class HelpGroupsTest {
  @Test
  void commandsAreListedByGroupInOrder() {
    CliRun help = CliRun.of("--help");
    assertThat(help.code()).isZero();
    String out = help.out();
    int operate = out.indexOf("Operate a queue:");
    int inspect = out.indexOf("Inspect:");
    int examples = out.indexOf("Run the texts' examples:");
    assertThat(operate).as(out).isPositive();
    assertThat(inspect).isGreaterThan(operate);
    assertThat(examples).isGreaterThan(inspect);
    assertThat(out).doesNotContain("Other:").doesNotContain("Commands:");
    assertThat(lines(out.substring(operate, inspect))).contains("enqueue", "worker", "services", "schedules", "flow",
        "dashboard");
    assertThat(lines(out.substring(inspect, examples))).contains("status", "jobs");
    assertThat(lines(out.substring(examples))).contains("spinner", "primes", "producer-consumer", "bank",
        "cpu-scaling", "basics", "asyncio", "futurist", "thumbnails", "demo");
  }

  @Test
  void everyCommandIsInANamedGroup() {
    List<String> grouped = CommandGroups.GROUPS.values().stream().flatMap(List::stream).toList();
    assertThat(grouped).containsExactlyInAnyOrderElementsOf(SpindleCli.commandLine().getSubcommands().keySet());
  }

  /** The first word of each command line of a help section. */
  private static List<String> lines(String section) {
    return section.lines().filter(l -> l.startsWith("  ")).map(l -> l.strip().split("\\s+")[0]).toList();
  }
}
