package dev.spindle.thumbnails.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes files so that readers only ever see a complete file or none: data goes to a hidden
 * temporary file in the same directory, which is forced to disk and then renamed over the target
 * in one atomic step. On any failure the temporary file is deleted. Thread-safe.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** Receives the output stream of the temporary file. */
  @FunctionalInterface
  public interface Writer {
    void writeTo(OutputStream out) throws IOException;
  }

  /** A fresh temporary path beside {@code target}: {@code .<name>.<random>.part}. */
  public static Path tempFor(Path target) {
    String name = target.getFileName().toString();
    return target.resolveSibling("." + name + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".part");
  }

  /** True for names {@link #tempFor} produces; directory scans skip them. */
  public static boolean isTemp(Path file) {
    String n = file.getFileName().toString();
    return n.startsWith(".") && n.endsWith(".part");
  }

  /**
   * Writes {@code target} atomically and returns its size in bytes.
   *
   * @throws IOException if writing or the rename fails (no partial file is left behind)
   */
  public static long write(Path target, Writer writer) throws IOException {
    Path tmp = tempFor(target);
    boolean done = false;
    try {
      try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 64 * 1024)) {
        writer.writeTo(out);
      }
      long size = Files.size(tmp);
      commit(tmp, target);
      done = true;
      return size;
    } finally {
      if (!done) {
        Files.deleteIfExists(tmp);
      }
    }
  }

  /** Renames a complete temporary file over {@code target}, atomically where the file system can. */
  public static void commit(Path tmp, Path target) throws IOException {
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
