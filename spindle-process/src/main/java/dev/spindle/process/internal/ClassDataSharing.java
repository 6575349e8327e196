package dev.spindle.process.internal;

import dev.spindle.process.ProcessOptions;
import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Application class-data sharing for worker JVMs: the classes a worker loads (Jackson, Spindle, the
 * tasks) are archived once by one worker at its exit ({@code -XX:ArchiveClassesAtExit}) and mapped
 * by every later worker ({@code -XX:SharedArchiveFile}), which cuts start-up time.
 *
 * <p>The archive is named by a hash of the JDK and the class path (with each jar's size and
 * modification time), so a rebuilt jar gets a new archive. It is written to a temporary name and
 * moved into place atomically, so concurrent pools never read a half-written file; a file lock
 * lets one worker on the machine create it at a time. The JDK refuses archives when the class path
 * holds non-empty directories (as during a Maven test run): then nothing is added and the JDK's
 * own default CDS archive still speeds up its classes. Thread-safe.
 */
final class ClassDataSharing {
  private static final Logger LOG = LoggerFactory.getLogger(ClassDataSharing.class);
  private static final Set<Path> CREATING = ConcurrentHashMap.newKeySet();
  private static final AtomicInteger SEQ = new AtomicInteger();

  /** What one worker launch should do. */
  static final class Plan {
    static final Plan NONE = new Plan(List.of(), null, null, null);

    final List<String> jvmOptions;
    private final @Nullable Path tmp;
    private final @Nullable Path archive;
    private final @Nullable FileLock lock;

    private Plan(List<String> jvmOptions, @Nullable Path tmp, @Nullable Path archive, @Nullable FileLock lock) {
      this.jvmOptions = jvmOptions;
      this.tmp = tmp;
      this.archive = archive;
      this.lock = lock;
    }

    /** Called once the worker exited: publishes a freshly dumped archive. */
    void workerExited() {
      // a plan that dumps has all three; one that only uses an archive, none
      if (tmp == null || archive == null || lock == null) {
        return;
      }
      try {
        if (Files.isRegularFile(tmp) && Files.size(tmp) > 0) {
          Files.move(tmp, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
          LOG.debug("class-data-sharing archive created: {}", archive);
          Path dir = archive.getParent();
          if (dir != null) {
            prune(dir);
          }
        } else {
          Files.deleteIfExists(tmp);
        }
      } catch (IOException e) {
        LOG.debug("could not publish class-data-sharing archive {}", archive, e);
      } finally {
        try {
          lock.release();
          lock.channel().close();
        } catch (IOException e) {
          // ignore
        }
        CREATING.remove(archive);
      }
    }
  }

  /** Archives kept per cache directory; each rebuilt jar makes a new one (about 10 MB). */
  private static final int KEEP = 4;

  private ClassDataSharing() {}

  /** Deletes all but the {@link #KEEP} newest archives (a JVM mapping one keeps its copy). */
  static void prune(Path dir) {
    try (var files = Files.list(dir)) {
      List<Path> archives = files.filter(p -> p.getFileName().toString().startsWith("workers-")
              && p.getFileName().toString().endsWith(".jsa"))
          .sorted(java.util.Comparator.comparing(ClassDataSharing::modified).reversed()).toList();
      for (Path old : archives.subList(Math.min(KEEP, archives.size()), archives.size())) {
        Files.deleteIfExists(old);
        Files.deleteIfExists(old.resolveSibling(old.getFileName() + ".lock"));
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("could not prune class-data-sharing archives in {}", dir, e);
    }
  }

  private static long modified(Path p) {
    try {
      return Files.getLastModifiedTime(p).toMillis();
    } catch (IOException e) {
      return 0;
    }
  }

  /** The plan for the next worker launched with these options. */
  static Plan plan(ProcessOptions options) {
    if (!options.classDataSharing()) {
      return Plan.NONE;
    }
    String cp = options.classpath();
    if (cp.isEmpty() || hasNonEmptyDirectory(cp)) {
      return Plan.NONE;
    }
    try {
      Path dir = options.cacheDirectory().resolve("cds");
      Files.createDirectories(dir);
      Path archive = dir.resolve("workers-" + key(options) + ".jsa");
      if (Files.isRegularFile(archive) && Files.size(archive) > 0) {
        return new Plan(List.of("-XX:SharedArchiveFile=" + archive), null, null, null);
      }
      if (!CREATING.add(archive)) {
        return Plan.NONE;
      }
      FileChannel ch = FileChannel.open(dir.resolve(archive.getFileName() + ".lock"), StandardOpenOption.CREATE,
          StandardOpenOption.WRITE);
      FileLock lock = ch.tryLock();
      if (lock == null) {
        ch.close();
        CREATING.remove(archive);
        return Plan.NONE;
      }
      Path tmp = dir.resolve(archive.getFileName() + "." + ProcessHandle.current().pid() + "-"
          + SEQ.incrementAndGet() + ".tmp");
      return new Plan(List.of("-XX:ArchiveClassesAtExit=" + tmp), tmp, archive, lock);
    } catch (IOException | RuntimeException e) {
      LOG.debug("class-data sharing unavailable: {}", e.toString());
      return Plan.NONE;
    }
  }

  private static boolean hasNonEmptyDirectory(String cp) {
    for (String entry : cp.split(File.pathSeparator)) {
      Path p = Path.of(entry.isEmpty() ? "." : entry);
      if (Files.isDirectory(p)) {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(p)) {
          if (ds.iterator().hasNext()) {
            return true;
          }
        } catch (IOException e) {
          return true;
        }
      }
    }
    return false;
  }

  private static String key(ProcessOptions o) throws IOException {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(o.javaHome().toString().getBytes(StandardCharsets.UTF_8));
      Path release = o.javaHome().resolve("release");
      if (Files.isRegularFile(release)) {
        md.update(Files.readAllBytes(release));
      }
      md.update(System.getProperty("java.vm.version", "").getBytes(StandardCharsets.UTF_8));
      for (String entry : o.classpath().split(File.pathSeparator)) {
        md.update(entry.getBytes(StandardCharsets.UTF_8));
        Path p = Path.of(entry);
        if (Files.isRegularFile(p)) {
          md.update(Long.toString(Files.size(p)).getBytes(StandardCharsets.UTF_8));
          md.update(Long.toString(Files.getLastModifiedTime(p).toMillis()).getBytes(StandardCharsets.UTF_8));
        }
      }
      return HexFormat.of().formatHex(md.digest(), 0, 10);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
