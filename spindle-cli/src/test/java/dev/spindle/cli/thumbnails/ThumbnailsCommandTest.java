package dev.spindle.cli.thumbnails;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ThumbnailsCommandTest {
  @TempDir Path dir;

  private record Result(int exit, String out) {}

  private Result run(String... args) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream old = System.out;
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      CommandLine cl = new CommandLine(new ThumbnailsCommand());
      cl.setErr(new java.io.PrintWriter(new java.io.StringWriter()));
      int exit = cl.execute(args);
      return new Result(exit, buf.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(old);
    }
  }

  private long count(Path folder) throws Exception {
    try (Stream<Path> s = Files.list(folder)) {
      return s.count();
    }
  }

  @Test
  void samplesRunEndToEndAndPrintTheStatistics() throws Exception {
    Result r = run("--samples", "--count", "3", "--sample-size", "320x180", "--sample-cache", dir.resolve("cache").toString(),
        "--home", dir.resolve("home").toString(), "--no-progress", "--log-file", dir.resolve("log.txt").toString());
    assertThat(r.exit()).as(r.out()).isZero();
    assertThat(r.out()).contains("3 requested, 3 done, 0 failed").contains("thumbnails  9 files").contains("images/s");
    assertThat(count(dir.resolve("home/outgoing"))).isEqualTo(9);
  }

  @Test
  void faultsAreListedWithTheirReasonsAndTheExitStatusSaysSo() {
    Result r = run("--samples", "--faults", "--count", "2", "--sample-size", "320x180", "--sample-cache",
        dir.resolve("cache").toString(), "--home", dir.resolve("home").toString(), "--no-progress", "--timeout", "500ms",
        "--log-file", dir.resolve("log.txt").toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).contains("NOT_FOUND").contains("NOT_AN_IMAGE").contains("TRUNCATED").contains("TOO_MANY_PIXELS")
        .contains("CONNECTION_RESET").contains("TIMEOUT");
  }

  @Test
  void variantsAreListedWithTheCoursesResults() {
    Result r = run("--list-variants");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("thread-per-url").contains("6.5 s vs 27 s").contains("threads-processes");
  }

  @Test
  void badArgumentsAreUsageErrors() {
    assertThat(run("--samples", "--widths", "200,abc").exit()).isEqualTo(2);
    assertThat(run("--variant", "fastest", "http://127.0.0.1:1/a.jpg").exit()).isEqualTo(2);
    assertThat(run("--home", dir.toString()).exit()).as("no URLs").isEqualTo(2);
  }
}
