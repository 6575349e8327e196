package dev.spindle.bench;

import dev.spindle.Task;
import dev.spindle.TaskCatalog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Tasks of the Redis broker benchmarks ({@link RedisBench}), as a portable catalog. */
public final class RedisBenchTasks implements TaskCatalog {
  private static final Clock WALL = Clock.systemUTC();
  private static volatile @Nullable FileChannel log;

  /** Returns its input: measures the broker and the queue, not the work. */
  public static final Task<Long, Long> NOOP = Task.of("rbench.noop", Long.class, Long.class, x -> x);

  /** Returns the wall-clock time it started at, in microseconds since the epoch (latency). */
  public static final Task<Long, Long> STAMP = Task.of("rbench.stamp", Long.class, Long.class,
      x -> micros(WALL.instant()));

  /**
   * Appends "job-id\n" to the file named by the system property {@code rbench.log} (one write call
   * with O_APPEND per execution: the line reaches the kernel before the task returns, so it survives
   * {@code kill -9} of the worker), then works (sleeps) for its input in milliseconds and returns it.
   * Counts executions across kills.
   */
  public static final Task<Long, Long> LOGGED = Task.withContext("rbench.logged", Long.class, Long.class,
      (x, ctx) -> {
        FileChannel ch = log;
        if (ch == null) {
          synchronized (RedisBenchTasks.class) {
            if (log == null) {
              log = FileChannel.open(Path.of(System.getProperty("rbench.log")), StandardOpenOption.CREATE,
                  StandardOpenOption.APPEND, StandardOpenOption.WRITE);
            }
            ch = log;
          }
        }
        write(ch, ctx.executionId() + "\n");
        if (x > 0) {
          Thread.sleep(x);
        }
        return x;
      });

  private static void write(FileChannel ch, String line) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(line.getBytes(StandardCharsets.US_ASCII));
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }

  /** Used by {@link dev.spindle.TaskRegistry}. */
  public RedisBenchTasks() {}

  /** Microseconds since the epoch. */
  public static long micros(Instant t) {
    return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
  }

  @Override
  public Collection<Task<?, ?>> tasks() {
    return List.of(NOOP, STAMP, LOGGED);
  }
}
