package dev.spindle.architecture.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.StandardLocation;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code ```java} block of README.md and docs/*.md compiles against the project's modules
 * (this module's test class path), by the convention {@link JavaSnippet} documents. A failure names
 * the Markdown file, the line and the compiler's message.
 */
class DocSnippetsCompileTest {
  @Test
  void everyJavaSnippetInTheDocsCompiles(@TempDir Path out) throws IOException {
    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    assertThat(compiler).as("a JDK's compiler (the tests run on a JDK)").isNotNull();
    List<String> errors = new ArrayList<>();
    int compiled = 0;
    int skipped = 0;
    try (StandardJavaFileManager files = compiler.getStandardFileManager(null, Locale.ROOT, null)) {
      files.setLocation(StandardLocation.CLASS_PATH, classPath());
      for (Path md : RepositoryFiles.markdown()) {
        for (JavaSnippet s : JavaSnippet.in(md)) {
          if (s.skipped()) {
            skipped++;
            continue;
          }
          Path dir = Files.createDirectories(out.resolve("s" + compiled));
          files.setLocation(StandardLocation.CLASS_OUTPUT, List.of(dir.toFile()));
          errors.addAll(compile(compiler, files, s));
          compiled++;
        }
      }
    }
    System.out.printf("documentation snippets: %d compiled, %d marked no-compile%n", compiled, skipped);
    assertThat(errors).as("snippets that do not compile").isEmpty();
    assertThat(compiled).as("snippets found in README.md and docs/").isGreaterThanOrEqualTo(10);
  }

  private static List<String> compile(JavaCompiler compiler, StandardJavaFileManager files, JavaSnippet s) {
    JavaFileObject unit = new SimpleJavaFileObject(
        URI.create("string:///" + s.className() + ".java"), JavaFileObject.Kind.SOURCE) {
      @Override
      public CharSequence getCharContent(boolean ignoreEncodingErrors) {
        return s.source();
      }
    };
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    boolean ok = compiler.getTask(null, files, diagnostics, List.of("-proc:none", "-Xlint:none"),
        null, List.of(unit)).call();
    List<String> errors = new ArrayList<>();
    for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
      if (d.getKind() == Diagnostic.Kind.ERROR) {
        errors.add(RepositoryFiles.root().relativize(s.file()) + ":" + s.markdownLine(d.getLineNumber()) + ": "
            + d.getMessage(Locale.ROOT));
      }
    }
    if (!ok && errors.isEmpty()) {
      errors.add(s.where() + ": the compiler failed without an error message");
    }
    return errors;
  }

  /** The test class path, with the entries of a manifest-only jar (Surefire's booter) expanded. */
  private static List<File> classPath() {
    Set<File> entries = new LinkedHashSet<>();
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
      File f = new File(e);
      entries.add(f);
      if (f.getName().endsWith(".jar") && f.isFile()) {
        entries.addAll(manifestClassPath(f));
      }
    }
    return List.copyOf(entries);
  }

  private static List<File> manifestClassPath(File jar) {
    try (JarFile j = new JarFile(jar)) {
      Manifest m = j.getManifest();
      String cp = m == null ? null : m.getMainAttributes().getValue("Class-Path");
      if (cp == null || cp.isBlank()) {
        return List.of();
      }
      List<File> files = new ArrayList<>();
      URI base = jar.toURI();
      for (String entry : cp.trim().split("\\s+")) {
        files.add(new File(base.resolve(entry)));
      }
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
