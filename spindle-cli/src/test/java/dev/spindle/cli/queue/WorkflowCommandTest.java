package dev.spindle.cli.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.cli.SpindleCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./spindle workflow} and {@code ./spindle jobs tree} on a real SQLite file. */
class WorkflowCommandTest {
  @TempDir
  Path dir;

  private String run(String... args) {
    PrintStream old = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      assertThat(SpindleCli.commandLine().execute(args)).as(out.toString(StandardCharsets.UTF_8)).isZero();
    } finally {
      System.setOut(old);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void theDemoRunsTheChainTheChordAndTheFailingBranchThenTreeShowsThem() {
    String db = dir.resolve("wf.db").toString();
    String out = run("workflow", "--store", db);
    assertThat(out).contains("chain: add.s(4, 6) | multiply.s(10)", "  result: 100", "  result: 55",
        "  job 9 wf.refuse FAILED", "  job 10 wf.square CANCELLED", "  report: job 10 CANCELLED");
    String tree = run("jobs", "tree", "10", "--store", db);
    assertThat(tree).contains("#9 wf.refuse  FAILED", "  #10 wf.square  CANCELLED  <--",
        "    #11 wf.report  SUCCEEDED  [always]");
  }

  @Test
  void theThumbnailWorkflowDrawsAContactSheetAndNamesTheGaps() {
    String out = run("workflow", "thumbnails", "--count", "3", "--faults", "--home", dir.resolve("home").toString(),
        "--store", dir.resolve("t.db").toString(), "--workers", "2");
    assertThat(out).contains("submitted 11 jobs: 5 download -> resize chains and a contact sheet",
        "thumbnails.download FAILED", "with 3 of 5 images", "  missing image 4: CANCELLED",
        "  missing image 5 (bomb.jpg): TOO_MANY_PIXELS", "thumbnails.contact-sheet  SUCCEEDED");
    assertThat(dir.resolve("home/outgoing/contact-sheet.jpg")).isNotEmptyFile();
  }
}
