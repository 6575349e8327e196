package dev.spindle.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** This JVM's CPU time so far, for the benches' CPU-per-job figures. Thread-safe. */
final class ProcessCpu {
  /** Linux reports {@code /proc/self/stat} times in ticks of 10 ms. */
  private static final long NANOS_PER_TICK = 10_000_000L;
  /** The window {@link #awaitQuiet} measures this JVM's CPU over. */
  private static final long QUIET_WINDOW_MILLIS = 100;
  /** At most this much CPU in one window, 5 % of a core, is quiet. */
  private static final long QUIET_CPU_NANOS = QUIET_WINDOW_MILLIS * 1_000_000L / 20;

  private ProcessCpu() {}

  /** User plus system CPU time of this process, in nanoseconds. */
  static long nanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /**
   * User and system CPU time of this process, in nanoseconds at 10 ms resolution ({@code
   * /proc/self/stat}): the system part is the kernel's work for it (system calls, wake-ups).
   *
   * @throws UncheckedIOException where there is no {@code /proc} (not Linux)
   */
  static long[] userAndSystemNanos() {
    try {
      String stat = Files.readString(Path.of("/proc/self/stat"));
      // fields after the command name, which may hold spaces: state is the first, utime the 12th
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return new long[] {Long.parseLong(f[11]) * NANOS_PER_TICK, Long.parseLong(f[12]) * NANOS_PER_TICK};
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Waits until this JVM is quiet: less than 5 % of a core over a 100 ms window, so that a peer
   * measured next does not share the machine with this JVM's compiler and collector threads
   * finishing the work of the round before. Gives up after {@code maxMillis}.
   *
   * @return how long it waited, in milliseconds
   * @throws InterruptedException if interrupted while waiting
   */
  static long awaitQuiet(long maxMillis) throws InterruptedException {
    long start = System.nanoTime();
    long cpu = nanos();
    while (System.nanoTime() - start < maxMillis * 1_000_000L) {
      Thread.sleep(QUIET_WINDOW_MILLIS);
      long now = nanos();
      if (now - cpu < QUIET_CPU_NANOS) {
        break;
      }
      cpu = now;
    }
    return (System.nanoTime() - start) / 1_000_000L;
  }
}
