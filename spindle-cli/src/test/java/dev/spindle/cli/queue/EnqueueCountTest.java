package dev.spindle.cli.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code enqueue --count} is capped, with a clear error above the cap. */
class EnqueueCountTest {
  @TempDir
  Path dir;

  @Test
  void aCountAboveTheCapIsRefusedClearlyAndNothingIsEnqueued() {
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new EnqueueCommand()).setErr(new PrintWriter(err, true));
    int code = cl.execute("demo.greet", "\"x\"", "--count", Integer.toString(EnqueueCommand.MAX_COUNT + 1), "--store",
        "sqlite:" + dir.resolve("jobs.db"));
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("--count must be within 1..1000000, not 1000001")
        .contains("enqueue more in several commands");
    assertThat(dir.resolve("jobs.db")).doesNotExist();
  }
}
