package dev.spindle.architecture.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Finds the repository's root and its user-facing Markdown files (README.md and docs/*.md). */
final class RepositoryFiles {
  private RepositoryFiles() {}

  /** The directory holding README.md and docs/, searched upwards from the working directory. */
  static Path root() {
    Path dir = Path.of("").toAbsolutePath();
    for (Path p = dir; p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("README.md")) && Files.isDirectory(p.resolve("docs"))) {
        return p;
      }
    }
    throw new IllegalStateException("no README.md with a docs/ directory above " + dir);
  }

  /** README.md, then docs/*.md in name order. */
  static List<Path> markdown() {
    Path root = root();
    List<Path> files = new ArrayList<>();
    files.add(root.resolve("README.md"));
    try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
      docs.filter(p -> p.getFileName().toString().endsWith(".md")).sorted().forEach(files::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }

  /** Every .java file of the repository outside build output (target/) and hidden directories. */
  static List<Path> javaSources() {
    try (Stream<Path> all = Files.walk(root())) {
      return all.filter(p -> p.getFileName().toString().endsWith(".java"))
          .filter(p -> !p.toString().contains("/target/") && !p.toString().contains("/."))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
