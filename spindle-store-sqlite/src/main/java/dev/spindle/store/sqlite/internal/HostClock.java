package dev.spindle.store.sqlite.internal;

import dev.spindle.internal.LinuxSyscall;
import java.lang.invoke.MethodHandle;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SQLite store's one clock: the host kernel's real-time clock ({@code CLOCK_REALTIME}), read
 * with a direct {@code clock_gettime} system call.
 *
 * <p>Why not {@code unixepoch('subsec')} inside SQL, or {@link Clock#systemUTC()}: SQLite is a
 * library inside each worker process, so its "database clock" is that process's C library clock,
 * the same one the JVM reads. A process started under {@code libfaketime} (or any other
 * {@code LD_PRELOAD} time shim) sees a shifted clock in both, and its leases would be judged on it.
 * Every process on the host shares the kernel's clock, and a system call is not intercepted by
 * such shims, so leases, heartbeats and due times written by all the processes of one database
 * are on one clock. The store still reads it once per transaction, so a transaction sees one time.
 *
 * <p>The system call is made through the Foreign Function API when the JVM allows this module
 * native access ({@code --enable-native-access=ALL-UNNAMED}, which {@code ./spindle} and the test
 * JVMs pass) on Linux x86-64 or AArch64; otherwise (another OS, native access not enabled, or the
 * call failing) it falls back to {@link Clock#systemUTC()} and says so once at DEBUG level. Reading
 * costs about a microsecond (no vDSO). Thread-safe.
 */
public final class HostClock extends Clock {
  /** The shared instance. */
  public static final HostClock INSTANCE = new HostClock();

  private static final Logger LOG = LoggerFactory.getLogger(HostClock.class);
  private static final long CLOCK_REALTIME = 0;
  private static final long SYS_CLOCK_GETTIME = LinuxSyscall.number(228, 113);
  /** (long, long, Object segment) long: syscall(2). */
  private static final @Nullable MethodHandle SYSCALL;
  /** () Object: a new 16-byte segment, freed by the garbage collector. */
  private static final @Nullable MethodHandle ALLOCATE;
  /** (Object segment, long offset) long. */
  private static final @Nullable MethodHandle GET_LONG;

  static {
    MethodHandle[] h = lookUp();
    SYSCALL = h == null ? null : h[0];
    ALLOCATE = h == null ? null : h[1];
    GET_LONG = h == null ? null : h[2];
  }

  private HostClock() {}

  private static MethodHandle @Nullable [] lookUp() {
    LinuxSyscall.Lookup found = LinuxSyscall.handle(1);
    MethodHandle call = found.handle();
    if (call == null) {
      LOG.debug("host clock: {}; using the JVM's system clock", found.reason());
      return null;
    }
    try {
      MethodHandle[] h = {call, LinuxSyscall.allocator(16), LinuxSyscall.longReader()};
      if (read(h[0], h[1], h[2]) == null) {
        LOG.debug("host clock: clock_gettime by system call failed; using the JVM's system clock");
        return null;
      }
      return h;
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.debug("host clock: unavailable ({}); using the JVM's system clock", e.toString());
      return null;
    }
  }

  private static @Nullable Instant read(MethodHandle syscall, MethodHandle allocate, MethodHandle getLong) {
    try {
      Object ts = (Object) allocate.invokeExact();
      long rc = (long) syscall.invokeExact(SYS_CLOCK_GETTIME, CLOCK_REALTIME, ts);
      if (rc != 0) {
        return null;
      }
      long seconds = (long) getLong.invokeExact(ts, 0L);
      long nanos = (long) getLong.invokeExact(ts, 8L);
      return Instant.ofEpochSecond(seconds, nanos);
    } catch (Throwable e) {
      return null;
    }
  }

  /** True if this clock reads the kernel directly (false: it is the JVM's system clock). */
  public static boolean isDirect() {
    return SYSCALL != null;
  }

  @Override
  public Instant instant() {
    MethodHandle syscall = SYSCALL;
    MethodHandle allocate = ALLOCATE;
    MethodHandle getLong = GET_LONG;
    if (syscall != null && allocate != null && getLong != null) { // all three or none
      Instant t = read(syscall, allocate, getLong);
      if (t != null) {
        return t;
      }
    }
    return Instant.now();
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return Clock.system(zone);
  }
}
