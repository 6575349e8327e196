package dev.spindle.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.ExecutionModel;
import dev.spindle.Spindle;
import dev.spindle.TaskExecutor;
import dev.spindle.TaskRegistry;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The first pool creates the class-data-sharing archive; the next ones start from it. */
@Timeout(120)
class ClassDataSharingTest {
  @TempDir
  Path tmp;

  @Test
  void anArchiveIsCreatedOnceAndThenUsed() throws Exception {
    String jarsOnly = jarClasspath(tmp.resolve("jars"));
    Path cache = tmp.resolve("cache");
    ProcessOptions options = ProcessOptions.builder().classpath(jarsOnly).cacheDirectory(cache).build();

    try (TaskExecutor first = pool(options)) {
      assertThat(first.submit(TestTasks.NOOP, 1).result(Duration.ofSeconds(60))).isEqualTo(1);
      assertThat(args(first)).contains("-XX:ArchiveClassesAtExit=");
    }
    try (Stream<Path> s = Files.list(cache.resolve("cds"))) {
      assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jsa"))).hasSize(1);
    }
    try (TaskExecutor second = pool(options)) {
      assertThat(args(second)).contains("-XX:SharedArchiveFile=" + cache.resolve("cds"));
      assertThat(second.submit(TestTasks.NOOP, 2).result(Duration.ofSeconds(60))).isEqualTo(2);
    }
  }

  @Test
  void aClasspathWithDirectoriesGetsNoArchiveButWorks() throws Exception {
    ProcessOptions options = ProcessOptions.builder().cacheDirectory(tmp.resolve("cache2")).build();
    try (TaskExecutor pool = pool(options)) {
      assertThat(args(pool)).doesNotContain("SharedArchiveFile").doesNotContain("ArchiveClassesAtExit");
      assertThat(pool.submit(TestTasks.NOOP, 3).result(Duration.ofSeconds(60))).isEqualTo(3);
    }
  }

  private static TaskExecutor pool(ProcessOptions options) {
    return Spindle.executor(ExecutionModel.PROCESSES).workers(1).name("cds")
        .registry(TaskRegistry.of(TestTasks.class)).with(options).start();
  }

  private static String args(TaskExecutor pool) throws Exception {
    long pid = ProcessPool.of(pool).workerPids()[0];
    Process ps = new ProcessBuilder("ps", "-o", "args=", "-p", Long.toString(pid)).start();
    String out = new String(ps.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    ps.waitFor();
    return out;
  }

  /** This JVM's class path with every directory packed into a jar (the JDK archives jars only). */
  private static String jarClasspath(Path dir) throws IOException {
    Files.createDirectories(dir);
    List<String> entries = new ArrayList<>();
    int n = 0;
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path p = Path.of(e);
      if (Files.isDirectory(p)) {
        Path jar = dir.resolve("dir" + (n++) + ".jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar)); Stream<Path> files = Files.walk(p)) {
          for (Path f : files.filter(Files::isRegularFile).toList()) {
            out.putNextEntry(new JarEntry(p.relativize(f).toString().replace(File.separatorChar, '/')));
            try (var in = Files.newInputStream(f)) {
              in.transferTo((OutputStream) out);
            }
            out.closeEntry();
          }
        }
        entries.add(jar.toString());
      } else if (Files.isRegularFile(p)) {
        entries.add(e);
      }
    }
    return String.join(File.pathSeparator, entries);
  }
}
