package dev.spindle.process.internal.shm;

import dev.spindle.files.PrivateFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Where the cross-process primitives live: one private directory per creating JVM (mode 0700, so
 * only the same user can reach the files and sockets in it), under {@code /dev/shm} when it is
 * there (memory-backed) or the temporary directory otherwise; deleted when that JVM exits.
 * Handles received from elsewhere are accepted only inside such a directory owned by this user.
 * Thread-safe.
 */
public final class SharedFiles {
  /** Prefix of every primitive directory. */
  public static final String PREFIX = "spindle-shm-";

  private static final AtomicLong SEQ = new AtomicLong();
  private static volatile @Nullable Path dir;

  private SharedFiles() {}

  /** A fresh path in this JVM's directory, e.g. {@code counter-3}. */
  public static Path newPath(String kind) throws IOException {
    return directory().resolve(kind + "-" + SEQ.incrementAndGet());
  }

  /**
   * Replaces the content of {@code target} (a file of a primitive directory) with {@code bytes} so
   * that whoever reads it, even after the writing process died half way, finds the old content or the
   * new one, never a mix: the bytes go to a fresh temporary file in the same directory (readable and
   * writable by this user only), are forced to the device, and that file is then renamed over
   * {@code target}, atomically (or, where the file system cannot, by a plain replacing move). The
   * temporary file is removed if anything fails; a process killed before the rename leaves it behind
   * until the directory is deleted, under a name that is no primitive's.
   *
   * @throws IOException if the file cannot be written or renamed; {@code target} is then unchanged
   */
  public static void replace(Path target, byte[] bytes) throws IOException {
    Path abs = target.toAbsolutePath();
    Path tmp = PrivateFiles.createTempFile(abs.getParent(), "." + abs.getFileName() + ".", ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
          ch.write(b);
        }
        ch.force(true);
      }
      try {
        Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException | RuntimeException e) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  private static Path directory() throws IOException {
    Path d = dir;
    if (d != null) {
      return d;
    }
    synchronized (SharedFiles.class) {
      if (dir == null) {
        Path shm = Path.of("/dev/shm");
        Path base = Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
        Path created = PrivateFiles.createTempDirectory(base, PREFIX + ProcessHandle.current().pid() + "-");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(created), "spindle-shm-cleanup"));
        dir = created;
      }
      return dir;
    }
  }

  /**
   * Checks that a path received in a descriptor is a primitive of this user: its directory is a
   * Spindle primitive directory, owned by this user and closed to everyone else.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static Path validate(String path, String kind) {
    if (path == null) {
      throw new IllegalArgumentException(kind + " descriptor has no path");
    }
    Path p = Path.of(path).toAbsolutePath().normalize();
    Path parent = p.getParent();
    if (parent == null || !parent.getFileName().toString().startsWith(PREFIX)
        || !p.getFileName().toString().startsWith(kind + "-")) {
      throw new IllegalArgumentException("'" + path + "' is not a Spindle " + kind + " (expected "
          + "<tmp>/" + PREFIX + "*/" + kind + "-N)");
    }
    try {
      PosixFileAttributes a = Files.readAttributes(parent, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      String me = PrivateFiles.userName();
      if (!a.isDirectory() || !PrivateFiles.isOwnedBy(parent, PrivateFiles.currentUid(), LinkOption.NOFOLLOW_LINKS)
          || !a.permissions().equals(PrivateFiles.DIRECTORY_MODE)) {
        throw new IllegalArgumentException("refusing " + kind + " '" + path + "': its directory must be owned by "
            + me + " with mode 0700");
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(kind + " '" + path + "' is gone (was its creating process closed or "
          + "ended?): " + e, e);
    }
    return p;
  }

  static void deleteTree(Path root) {
    try (Stream<Path> s = Files.walk(root)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          // best effort
        }
      });
    } catch (IOException e) {
      // best effort
    }
  }
}
