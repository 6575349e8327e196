package dev.spindle.queue.internal;

import dev.spindle.internal.LinuxSyscall;
import java.lang.invoke.MethodHandle;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts the calling thread in Linux's {@code SCHED_IDLE} scheduling class: it runs only on a core
 * that has nothing else to run, and the kernel places a waking thread on a core that runs only such
 * threads as if that core were idle. For a worker's background work (the job observer's metrics and
 * spans), so that it never delays the dispatcher, the store client or the jobs on a busy machine.
 * Such a thread can starve while the machine is saturated; whoever uses it must bound what waits
 * for it (the observer's hand-off falls back to the dispatcher).
 *
 * <p>The {@code sched_setscheduler} system call is made through the Foreign Function API when the
 * JVM allows native access to this module ({@code --enable-native-access=ALL-UNNAMED}, as
 * {@code ./spindle} and the test JVMs pass) on Linux x86-64 or AArch64, on Java 22 or later;
 * otherwise, or if the call fails, the thread keeps its class and this says so once at DEBUG
 * level. Thread-safe.
 */
final class IdlePriority {
  private static final Logger LOG = LoggerFactory.getLogger(IdlePriority.class);
  private static final long SCHED_IDLE = 5;
  private static final long SCHED_SETSCHEDULER = LinuxSyscall.number(144, 119);
  /** (long nr, long pid, long policy, Object param) long: syscall(2), or null where unavailable. */
  private static final @Nullable MethodHandle SYSCALL = lookUp();
  /**
   * A zeroed {@code struct sched_param} (an int, padded), or null where unavailable. Held here for
   * the JVM's life, so its automatic arena never frees it.
   */
  private static final @Nullable Object PARAM = SYSCALL == null ? null : zeroParam();

  private IdlePriority() {}

  /**
   * Moves the calling thread to {@code SCHED_IDLE}; true if it is there now, false if this platform
   * or JVM does not allow it (nothing changed).
   */
  static boolean applyToCurrentThread() {
    MethodHandle call = SYSCALL;
    Object param = PARAM;
    if (call == null || param == null) {
      return false;
    }
    try {
      long rc = (long) call.invokeExact(SCHED_SETSCHEDULER, 0L, SCHED_IDLE, param);
      if (rc != 0) {
        LOG.debug("idle priority: sched_setscheduler returned {}; the thread keeps its scheduling class", rc);
      }
      return rc == 0;
    } catch (Throwable e) {
      LOG.debug("idle priority: {}; the thread keeps its scheduling class", e.toString());
      return false;
    }
  }

  private static @Nullable MethodHandle lookUp() {
    LinuxSyscall.Lookup found = LinuxSyscall.handle(2);
    if (found.handle() == null) {
      LOG.debug("idle priority: {}; background threads keep the normal class", found.reason());
    }
    return found.handle();
  }

  private static @Nullable Object zeroParam() {
    try {
      return (Object) LinuxSyscall.allocator(8).invokeExact();
    } catch (Throwable e) {
      LOG.debug("idle priority: unavailable ({}); background threads keep the normal class", e.toString());
      return null;
    }
  }
}
