package dev.spindle.architecture.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README stays an entry page: at most 10 KB, table rows of at most 150 characters, a feature
 * table of at most 15 rows that each link to a guide; and the documentation names no work sessions,
 * rounds or issue numbers.
 */
class ReadmeShapeTest {
  private static final Pattern HISTORY = Pattern.compile("(?i)session [0-9]|round [0-9]|issue #?[0-9]");

  @Test
  void readmeIsShortWithNarrowTables() throws IOException {
    Path readme = RepositoryFiles.root().resolve("README.md");
    assertThat(Files.size(readme)).as("README.md bytes").isLessThanOrEqualTo(10 * 1024);
    List<String> lines = Files.readAllLines(readme);
    assertThat(lines).filteredOn(l -> l.startsWith("|")).as("table rows over 150 characters")
        .allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(150));
    int start = lines.indexOf("## Features");
    assertThat(start).as("a Features section").isNotNegative();
    List<String> rows = lines.subList(start + 1, lines.size()).stream()
        .dropWhile(l -> !l.startsWith("|")).takeWhile(l -> l.startsWith("|")).skip(2).toList();
    assertThat(rows).as("feature rows").isNotEmpty().hasSizeLessThanOrEqualTo(15)
        .allSatisfy(r -> assertThat(r).contains("](docs/"));
  }

  @Test
  void docsNameNoSessionsRoundsOrIssueNumbers() throws IOException {
    for (Path md : RepositoryFiles.markdown()) {
      List<String> lines = Files.readAllLines(md);
      for (int i = 0; i < lines.size(); i++) {
        assertThat(HISTORY.matcher(lines.get(i)).find())
            .as("%s:%d names work history: %s", md.getFileName(), i + 1, lines.get(i)).isFalse();
      }
    }
  }
}
