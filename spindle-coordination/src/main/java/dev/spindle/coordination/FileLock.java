package dev.spindle.coordination;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * An inter-process lock for the processes of <em>one host</em> (Python's {@code fasteners}
 * InterProcessLock): an exclusive {@link FileChannel#lock() file lock} on a lock file, plus an
 * in-JVM permit so that threads of one JVM exclude each other too. The kernel drops the lock when
 * its process dies, even by {@code kill -9}, so a crashed holder never blocks the others. Each
 * acquisition also advances a counter kept in the file and returns it as a fencing token.
 *
 * <p>Not for network file systems (NFS locking is unreliable) and not reentrant. The owner is the
 * {@link Guard}, not a thread: it may be closed from any thread. Thread-safe.
 *
 * <pre>{@code
 * FileLock lock = FileLock.at(Path.of("/tmp/app.lock"));
 * try (FileLock.Guard g = lock.acquire(Duration.ofSeconds(5)).orElseThrow()) { ... }
 * }</pre>
 */
public final class FileLock {
  private static final ConcurrentHashMap<Path, Semaphore> IN_JVM = new ConcurrentHashMap<>();

  private final Path path;
  private final Semaphore local;

  private FileLock(Path path) {
    this.path = path;
    this.local = IN_JVM.computeIfAbsent(path, p -> new Semaphore(1));
  }

  /** The lock on {@code file} (created when first locked; never deleted, so that it stays one lock). */
  public static FileLock at(Path file) {
    return new FileLock(file.toAbsolutePath().normalize());
  }

  /** The lock file. */
  public Path path() {
    return path;
  }

  /** A held file lock; close to release (any thread, idempotent). */
  public final class Guard implements AutoCloseable {
    private final FileChannel channel;
    private final java.nio.channels.FileLock lock;
    private final long token;
    private boolean open = true;

    private Guard(FileChannel channel, java.nio.channels.FileLock lock, long token) {
      this.channel = channel;
      this.lock = lock;
      this.token = token;
    }

    /** This acquisition's fencing token (1, 2, ... for the life of the lock file). */
    public long token() {
      return token;
    }

    /** Releases the lock. */
    @Override
    public synchronized void close() {
      if (!open) {
        return;
      }
      open = false;
      try {
        lock.release();
        channel.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } finally {
        local.release();
      }
    }
  }

  /**
   * Takes the lock if no thread or process holds it now.
   *
   * @throws UncheckedIOException if the lock file cannot be opened
   */
  public Optional<Guard> tryAcquire() {
    if (!local.tryAcquire()) {
      return Optional.empty();
    }
    boolean ok = false;
    try {
      Optional<Guard> g = tryFile();
      ok = g.isPresent();
      return g;
    } finally {
      if (!ok) {
        local.release();
      }
    }
  }

  /**
   * Waits at most {@code timeout} for the lock (polling the file every 1 to 20 ms).
   *
   * @throws InterruptedException if interrupted while waiting
   */
  public Optional<Guard> acquire(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    if (!local.tryAcquire(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS)) {
      return Optional.empty();
    }
    boolean ok = false;
    try {
      long wait = 1_000_000;
      while (true) {
        Optional<Guard> g = tryFile();
        if (g.isPresent()) {
          ok = true;
          return g;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return Optional.empty();
        }
        LockSupport.parkNanos(Math.min(wait, left));
        if (Thread.interrupted()) {
          throw new InterruptedException("interrupted while waiting for " + path);
        }
        wait = Math.min(20_000_000, wait * 2);
      }
    } finally {
      if (!ok) {
        local.release();
      }
    }
  }

  private Optional<Guard> tryFile() {
    FileChannel ch = null;
    try {
      ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      java.nio.channels.FileLock l = ch.tryLock();
      if (l == null) {
        ch.close();
        return Optional.empty();
      }
      ByteBuffer b = ByteBuffer.allocate(8);
      long last = ch.read(b, 0) == 8 ? b.flip().getLong() : 0;
      long token = last + 1;
      ch.write(ByteBuffer.allocate(8).putLong(0, token), 0);
      return Optional.of(new Guard(ch, l, token));
    } catch (IOException e) {
      if (ch != null) {
        try {
          ch.close();
        } catch (IOException ignored) {
          // reporting the first error
        }
      }
      throw new UncheckedIOException("cannot lock " + path, e);
    }
  }
}
