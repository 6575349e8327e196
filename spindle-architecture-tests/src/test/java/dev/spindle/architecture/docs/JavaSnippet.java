package dev.spindle.architecture.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fenced {@code ```java} block of a Markdown file, and the compilation unit it becomes.
 *
 * <p>The convention the documentation follows:
 *
 * <ul>
 *   <li>A block with a {@code package} line compiles as it is.
 *   <li>Otherwise its leading {@code import} lines are kept and {@link #STANDARD_IMPORTS} added. A
 *       block that declares a top-level type (a line starting with {@code class}, {@code record},
 *       {@code interface}, {@code enum} or modifiers before them) is a compilation unit; any other
 *       block is statements, wrapped in a method {@code void run() throws Exception} of a class.
 *   <li>A block tagged {@code ```java no-compile} is deliberately partial and skipped (counted).
 *   <li>A block indented under a list item loses its fence's indentation first.
 * </ul>
 */
record JavaSnippet(Path file, int line, String info, String code) {
  /** Imported by every wrapped snippet. */
  static final List<String> STANDARD_IMPORTS = List.of(
      "java.time.*", "java.util.*", "java.nio.file.*", "dev.spindle.*", "dev.spindle.queue.*",
      "dev.spindle.queue.spi.*");

  private static final Pattern FENCE = Pattern.compile("^```java(.*)$");
  private static final Pattern TYPE = Pattern.compile(
      "(?m)^(?:@\\w+(?:\\([^)]*\\))?\\s+)*(?:(?:public|final|abstract|sealed|static)\\s+)*"
          + "(?:class|record|interface|enum)\\s+(\\w+)");
  private static final Pattern PUBLIC_TYPE = Pattern.compile(
      "(?m)^(?:@\\w+(?:\\([^)]*\\))?\\s+)*public\\s+(?:(?:final|abstract|sealed)\\s+)*"
          + "(?:class|record|interface|enum)\\s+(\\w+)");

  /** Every ```java block of a file, with the line number of its first code line. */
  static List<JavaSnippet> in(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<JavaSnippet> found = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      Matcher m = FENCE.matcher(lines.get(i).strip());
      if (!m.matches()) {
        continue;
      }
      int start = i + 1;
      String line = lines.get(i);
      int indent = line.length() - line.stripLeading().length(); // a block inside a list item
      StringBuilder code = new StringBuilder();
      for (i = start; i < lines.size() && !lines.get(i).strip().equals("```"); i++) {
        String l = lines.get(i);
        code.append(l.substring(Math.min(indent, l.length() - l.stripLeading().length()))).append('\n');
      }
      if (i == lines.size()) {
        throw new IllegalStateException(file + ":" + start + ": a ```java block is not closed");
      }
      found.add(new JavaSnippet(file, start + 1, m.group(1).strip(), code.toString()));
    }
    return found;
  }

  /** Whether the block is marked as deliberately partial. */
  boolean skipped() {
    return info.contains("no-compile");
  }

  /** The class name the compilation unit's file must carry. */
  String className() {
    String unit = source();
    Matcher m = PUBLIC_TYPE.matcher(unit);
    if (m.find()) {
      return m.group(1);
    }
    Matcher any = TYPE.matcher(unit);
    return any.find() ? any.group(1) : "Snippet";
  }

  /** The compilation unit: the block itself, with imports, or wrapped in a method. */
  String source() {
    if (code.lines().anyMatch(l -> l.startsWith("package "))) {
      return code;
    }
    StringBuilder imports = new StringBuilder();
    String body = body();
    code.lines().limit(headLines()).forEach(l -> imports.append(l).append('\n'));
    STANDARD_IMPORTS.forEach(i -> imports.append("import ").append(i).append(";\n"));
    if (declaresType()) {
      return imports + body;
    }
    return imports + "class Snippet {\n  void run() throws Exception {\n" + body + "  }\n}\n";
  }

  /** The line of the Markdown file that line {@code unitLine} (1-based) of {@link #source()} shows. */
  long markdownLine(long unitLine) {
    if (code.lines().anyMatch(l -> l.startsWith("package ")) || unitLine <= headLines()) {
      return line + unitLine - 1;
    }
    int added = STANDARD_IMPORTS.size() + (declaresType() ? 0 : 2);
    return line + Math.max(unitLine - 1 - added, headLines());
  }

  private boolean declaresType() {
    return TYPE.matcher(body()).find();
  }

  /** How many leading lines are imports or blank. */
  private long headLines() {
    return code.lines().takeWhile(l -> l.startsWith("import ") || l.isBlank()).count();
  }

  private String body() {
    StringBuilder body = new StringBuilder();
    code.lines().skip(headLines()).forEach(l -> body.append(l).append('\n'));
    return body.toString();
  }

  /** Where the block is, for messages. */
  String where() {
    return RepositoryFiles.root().relativize(file) + ":" + line;
  }
}
