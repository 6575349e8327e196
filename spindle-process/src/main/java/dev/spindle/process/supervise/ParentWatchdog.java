package dev.spindle.process.supervise;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * The child side of parent-death safety: a child started by {@link JvmLauncher} calls
 * {@link #start} early in {@code main}, and exits by itself when its parent is gone, even if the
 * parent was killed with {@code kill -9} and could run no clean-up.
 *
 * <p>Two independent signals: the parent pid from {@value JvmLauncher#PARENT_PID_ENV} is polled
 * (if the process is gone, or this process was re-parented, the parent died); and
 * {@link #watchStdin(InputStream)} turns end-of-file on standard input (the kernel closes the
 * parent's pipe end when it dies) into the same exit, for children that do not read stdin as a
 * protocol. On parent death the JVM halts with status {@value #EXIT_STATUS} without running
 * shutdown hooks, which could block.
 */
public final class ParentWatchdog {
  /** The status a child exits with when its parent died. */
  public static final int EXIT_STATUS = 70;

  private ParentWatchdog() {}

  /** The parent pid the launcher recorded, if this JVM was started by one. */
  public static OptionalLong expectedParentPid() {
    String v = System.getenv(JvmLauncher.PARENT_PID_ENV);
    if (v == null || v.isBlank()) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(v.trim()));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /**
   * Starts a daemon thread that halts this JVM once the parent is gone.
   *
   * @param parentPid the parent's pid
   * @param period how often to check; a few hundred milliseconds is cheap
   * @return the thread
   */
  public static Thread start(long parentPid, Duration period) {
    Thread t = new Thread(() -> {
      long nanos = period.toNanos();
      while (true) {
        if (!parentAlive(parentPid)) {
          parentDied("parent process " + parentPid + " is gone");
        }
        java.util.concurrent.locks.LockSupport.parkNanos(nanos);
      }
    }, "spindle-parent-watchdog");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** {@link #start(long, Duration)} with the launcher's pid, checking every 250 ms; no-op if unknown. */
  public static void startFromEnvironment() {
    expectedParentPid().ifPresent(pid -> start(pid, Duration.ofMillis(250)));
  }

  /**
   * Starts a daemon thread that reads and discards {@code stdin} and halts the JVM at end-of-file
   * (the parent closed its end or died). Only for children that do not use stdin otherwise.
   */
  public static Thread watchStdin(InputStream stdin) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[256];
      try {
        while (stdin.read(buf) >= 0) {
          // discard
        }
      } catch (IOException e) {
        // treated as end-of-file
      }
      parentDied("standard input closed");
    }, "spindle-stdin-watchdog");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** True while the given parent is alive and still this process's parent. */
  public static boolean parentAlive(long parentPid) {
    var parent = ProcessHandle.current().parent();
    if (parent.isEmpty() || parent.get().pid() != parentPid) {
      return false;
    }
    return parent.get().isAlive();
  }

  /** Halts the JVM at once with {@link #EXIT_STATUS}, after a line on standard error. */
  public static void parentDied(String why) {
    try {
      System.err.println("[spindle] " + System.getenv().getOrDefault(JvmLauncher.TITLE_ENV, "child")
          + " (pid " + ProcessHandle.current().pid() + "): " + why + "; exiting");
      System.err.flush();
    } finally {
      Runtime.getRuntime().halt(EXIT_STATUS);
    }
  }
}
