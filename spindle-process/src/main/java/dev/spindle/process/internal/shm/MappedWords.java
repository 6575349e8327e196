package dev.spindle.process.internal.shm;

import dev.spindle.files.PrivateFiles;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A small memory-mapped file of 64-bit words shared by processes, with atomic access through
 * {@link VarHandle}s (compare-and-set, get-and-add, volatile reads and writes act across processes
 * on the same mapping). Word 0 holds a magic number, word 1 the kind; user words start at
 * {@link #FIRST}. One mapping per file per JVM. Thread-safe.
 */
public final class MappedWords {
  /** Index of the first user word. */
  public static final int FIRST = 2;

  private static final long MAGIC = 0x53504E444C53484DL; // "SPNDLSHM"
  private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
  private static final Map<Path, MappedWords> OPEN = new ConcurrentHashMap<>();

  private final Path path;
  private final MappedByteBuffer buf;

  private MappedWords(Path path, MappedByteBuffer buf) {
    this.path = path;
    this.buf = buf;
  }

  /**
   * {@link #create} in a fresh file of the shared directory, for a public primitive.
   *
   * @param name the primitive's name for the file and messages ("event", "lock", "counter")
   * @throws java.io.UncheckedIOException naming the primitive if the file cannot be created
   */
  public static MappedWords createShared(String name, long kind, int words) {
    try {
      return create(SharedFiles.newPath(name), kind, words);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot create a shared " + name + ": " + e.getMessage(), e);
    }
  }

  /**
   * {@link #open} of a descriptor's path after {@link SharedFiles#validate}, for a public primitive.
   *
   * @throws IllegalArgumentException if the path does not name such a primitive of this user
   */
  public static MappedWords openShared(String path, String name, long kind, int words) {
    try {
      return open(SharedFiles.validate(path, name), kind, words);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot attach to " + name + " " + path + ": " + e, e);
    }
  }

  /** Creates a new zeroed file of {@code words} user words for the given kind code. */
  public static MappedWords create(Path path, long kind, int words) throws IOException {
    PrivateFiles.createFile(path);
    MappedWords m;
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      m = new MappedWords(path, ch.map(FileChannel.MapMode.READ_WRITE, 0, 8L * (FIRST + words)));
    }
    LONGS.setVolatile(m.buf, 8, kind);
    LONGS.setVolatile(m.buf, 0, MAGIC);
    OPEN.put(path, m);
    return m;
  }

  /**
   * Maps an existing file, checking magic number and kind.
   *
   * @throws IllegalArgumentException if it is not a primitive of that kind
   */
  public static MappedWords open(Path path, long kind, int words) throws IOException {
    MappedWords cached = OPEN.get(path);
    if (cached != null) {
      return cached;
    }
    MappedWords m;
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      if (ch.size() != 8L * (FIRST + words)) {
        throw new IllegalArgumentException(path + " has the wrong size for this primitive");
      }
      m = new MappedWords(path, ch.map(FileChannel.MapMode.READ_WRITE, 0, ch.size()));
    }
    if ((long) LONGS.getVolatile(m.buf, 0) != MAGIC || (long) LONGS.getVolatile(m.buf, 8) != kind) {
      throw new IllegalArgumentException(path + " is not a Spindle primitive of the expected kind");
    }
    MappedWords prev = OPEN.putIfAbsent(path, m);
    return prev != null ? prev : m;
  }

  /** The file. */
  public Path path() {
    return path;
  }

  private int off(int word) {
    return 8 * (FIRST + word);
  }

  public long get(int word) {
    return (long) LONGS.getVolatile(buf, off(word));
  }

  public void set(int word, long value) {
    LONGS.setVolatile(buf, off(word), value);
  }

  public long getAndAdd(int word, long delta) {
    return (long) LONGS.getAndAdd(buf, off(word), delta);
  }

  public long getAndSet(int word, long value) {
    return (long) LONGS.getAndSet(buf, off(word), value);
  }

  public boolean compareAndSet(int word, long expected, long value) {
    return LONGS.compareAndSet(buf, off(word), expected, value);
  }

  /** Deletes the file (mappings stay valid until collected) and forgets it in this JVM. */
  public void delete() throws IOException {
    OPEN.remove(path, this);
    Files.deleteIfExists(path);
  }
}
