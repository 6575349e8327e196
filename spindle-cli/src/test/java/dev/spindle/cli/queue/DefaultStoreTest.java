package dev.spindle.cli.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.cli.CliRun;
import dev.spindle.cli.SpindleCli;
import dev.spindle.queue.JobStores;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ./spindle demo} then {@code ./spindle status}: both use the one default store. */
class DefaultStoreTest {
  @TempDir
  Path dir;

  @Test
  void theDemoAndTheReadCommandsUseTheSameDefaultStore() {
    String demo = location("demo", DemoCommand.class).store.location();
    String status = location("status", StatusCommand.class).store.location();
    String jobs = this.<JobsCommand.ListJobs>parsed("jobs", "list").store.location();
    assertThat(demo).isEqualTo(status).isEqualTo(jobs).isEqualTo(JobStores.defaultLocation());
  }

  @Test
  void theDemoKeepsWhatItsStoreHeldAndStatusShowsItsJobs() {
    String store = "sqlite:" + dir.resolve("jobs.db");
    CliRun enqueued = CliRun.of("enqueue", "demo.greet", "\"kept\"", "--store", store);
    String id = enqueued.out().strip();
    CliRun demo = CliRun.of("demo", "--in-process", "--workers", "1", "--store", store);
    assertThat(demo.code()).as("%s%n%s", demo.out(), demo.err()).isZero();
    assertThat(demo.out()).contains("Explore: ./spindle status --store " + store);
    CliRun show = CliRun.of("jobs", "show", id, "--store", store);
    assertThat(show.code()).as("the job enqueued before the demo is still there").isZero();
    assertThat(show.out()).contains("\"kept\"");
    CliRun status = CliRun.of("status", "--store", store);
    assertThat(status.out()).containsPattern("(?m)^demo\\s");
  }

  private static <T> T location(String command, Class<T> type) {
    return type.cast(parsed(command));
  }

  private static <T> T parsed(String... args) {
    CommandLine cl = SpindleCli.commandLine();
    CommandLine.ParseResult r = cl.parseArgs(args);
    while (r.hasSubcommand()) {
      r = r.subcommand();
    }
    return r.commandSpec().commandLine().getCommand();
  }
}
