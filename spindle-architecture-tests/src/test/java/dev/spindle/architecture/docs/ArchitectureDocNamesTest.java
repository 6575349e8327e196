package dev.spindle.architecture.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every Java type that docs/ARCHITECTURE.md names in backticks exists in the repository: a backticked
 * span that looks like a type reference ({@code JobStore}, {@code Worker.Builder}, {@code
 * dev.spindle.queue.JobQueue}, {@code JobStore.claim}) names a top-level type with a source file of
 * that name, and each nested type is declared in that file.
 */
class ArchitectureDocNamesTest {
  /** An optional package, then types (an upper-case letter, some lower case), then an optional member. */
  private static final Pattern TYPE_REFERENCE = Pattern.compile(
      "(?:[a-z][a-z0-9]*\\.)*((?:[A-Z](?=[A-Za-z0-9]*[a-z])[A-Za-z0-9]*)(?:\\.[A-Z](?=[A-Za-z0-9]*[a-z])[A-Za-z0-9]*)*)"
          + "(?:\\.[a-z]\\w*(?:\\(.*\\))?)?(?:<.*>)?");
  private static final Pattern BACKTICKED = Pattern.compile("`([^`\\n]+)`");

  @Test
  void everyTypeArchitectureMdNamesHasASourceFile() throws IOException {
    Path doc = RepositoryFiles.root().resolve("docs/ARCHITECTURE.md");
    Map<String, Path> files = new HashMap<>();
    for (Path p : RepositoryFiles.javaSources()) {
      files.putIfAbsent(p.getFileName().toString().replace(".java", ""), p);
    }
    Set<String> named = new TreeSet<>();
    Set<String> missing = new TreeSet<>();
    Matcher spans = BACKTICKED.matcher(Files.readString(doc));
    while (spans.find()) {
      Matcher ref = TYPE_REFERENCE.matcher(spans.group(1).strip());
      if (!ref.matches()) {
        continue;
      }
      List<String> types = List.of(ref.group(1).split("\\."));
      named.add(ref.group(1));
      Path file = files.get(types.get(0));
      if (file == null) {
        missing.add(ref.group(1) + " (no " + types.get(0) + ".java)");
        continue;
      }
      String source = Files.readString(file);
      for (String nested : types.subList(1, types.size())) {
        if (!Pattern.compile("\\b(?:class|interface|record|enum)\\s+" + nested + "\\b").matcher(source).find()) {
          missing.add(ref.group(1) + " (" + nested + " not declared in " + file.getFileName() + ")");
        }
      }
    }
    System.out.printf("ARCHITECTURE.md names %d Java types%n", named.size());
    assertThat(named).as("types named in ARCHITECTURE.md").hasSizeGreaterThan(30);
    assertThat(missing).as("types ARCHITECTURE.md names that have no source").isEmpty();
  }
}
