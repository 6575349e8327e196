package dev.spindle.process;

import dev.spindle.process.internal.shm.SharedFiles;
import dev.spindle.spi.JsonCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * The storage behind the manager-style objects ({@link SharedDict}, {@link SharedList},
 * {@link SharedNamespace}): one JSON document in a file of the private shared directory, read and
 * rewritten whole under a {@link SharedLock}, so every operation is atomic across processes and
 * costs a read (and a write) of the document. A write goes to a temporary file renamed over the
 * document, so the file always holds a whole document, even if its writer died half way. Package-private. Thread-safe and process-safe.
 */
final class JsonDocument implements AutoCloseable {
  private static final JsonCodec JSON = JsonCodec.defaults();

  private final Path path;
  private final SharedLock lock;
  private final boolean owner;
  private final String kind;

  private JsonDocument(Path path, SharedLock lock, boolean owner, String kind) {
    this.path = path;
    this.lock = lock;
    this.owner = owner;
    this.kind = kind;
  }

  static JsonDocument create(String kind, Object empty) {
    try {
      Path p = SharedFiles.newPath(kind);
      SharedFiles.replace(p, JSON.toBytes(empty, kind));
      return new JsonDocument(p, SharedLock.create(), true, kind);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a shared " + kind + ": " + e.getMessage(), e);
    }
  }

  static JsonDocument open(String kind, String path, SharedLock.Descriptor lock) {
    return new JsonDocument(SharedFiles.validate(path, kind), SharedLock.open(lock), false, kind);
  }

  String path() {
    return path.toString();
  }

  SharedLock.Descriptor lock() {
    return lock.descriptor();
  }

  /** Reads the document as {@code type} under the lock and applies {@code read}. */
  <D, R> R read(Class<D> type, Function<D, R> read) {
    try (SharedLock.Guard g = lock.acquire()) {
      return read.apply(load(type));
    }
  }

  /**
   * Reads, lets {@code change} modify the document in place, writes it back; all under the lock. The
   * file is replaced whole ({@link SharedFiles#replace}), so a process that dies while writing leaves
   * the previous document, never a torn one.
   */
  <D, R> R update(Class<D> type, Function<D, R> change) {
    try (SharedLock.Guard g = lock.acquire()) {
      D doc = load(type);
      R r = change.apply(doc);
      try {
        SharedFiles.replace(path, JSON.toBytes(doc, kind));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write shared " + kind + " " + path + ": " + e.getMessage(), e);
      }
      return r;
    }
  }

  private <D> D load(Class<D> type) {
    try {
      return JSON.fromBytes(Files.readAllBytes(path), type, kind);
    } catch (IOException e) {
      throw new UncheckedIOException("shared " + kind + " " + path + " is gone (was its creator closed?): "
          + e.getMessage(), e);
    }
  }

  /** Converts a stored JSON value to {@code type}. */
  static <T> T as(Object value, Class<T> type, String what) {
    return JSON.convert(value, type, what);
  }

  /** Converts a value to its stored JSON form (maps, lists, strings, numbers, booleans). */
  static Object stored(Object value, String what) {
    return JSON.convert(value, Object.class, what);
  }

  @Override
  public void close() {
    if (owner) {
      try {
        Files.deleteIfExists(path);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } finally {
        lock.close();
      }
    }
  }
}
