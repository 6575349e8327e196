package dev.spindle.store.jdbc.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Array;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clock of an embedded database's store (SQLite), as {@link ServerClock} is a server's: the
 * host kernel's real-time clock ({@code CLOCK_REALTIME}), read with a direct {@code clock_gettime}
 * system call.
 *
 * <p>Why not the database's own time function inside SQL, or {@link Clock#systemUTC()}: an embedded
 * database is a library inside each worker process, so its "database clock" is that process's C library clock,
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
  private static final long SYS_CLOCK_GETTIME = syscallNumber();
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

  private static long syscallNumber() {
    return switch (System.getProperty("os.arch", "").toLowerCase(Locale.ROOT)) {
      case "amd64", "x86_64" -> 228;
      case "aarch64", "arm64" -> 113;
      default -> -1;
    };
  }

  private static MethodHandle @Nullable [] lookUp() {
    try {
      if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux") || syscallNumber() < 0) {
        LOG.debug("host clock: not Linux x86-64/AArch64; using the JVM's system clock");
        return null;
      }
      if (Runtime.version().feature() < 22 || !(boolean) Module.class.getMethod("isNativeAccessEnabled")
          .invoke(HostClock.class.getModule())) {
        LOG.debug("host clock: no Foreign Function API or native access not enabled "
            + "(--enable-native-access=ALL-UNNAMED); using the JVM's system clock");
        return null;
      }
      MethodHandles.Lookup lookup = MethodHandles.publicLookup();
      Class<?> linkerC = Class.forName("java.lang.foreign.Linker");
      Class<?> symbolsC = Class.forName("java.lang.foreign.SymbolLookup");
      Class<?> layoutC = Class.forName("java.lang.foreign.MemoryLayout");
      Class<?> valueLayoutC = Class.forName("java.lang.foreign.ValueLayout");
      Class<?> ofLongC = Class.forName("java.lang.foreign.ValueLayout$OfLong");
      Class<?> descriptorC = Class.forName("java.lang.foreign.FunctionDescriptor");
      Class<?> optionC = Class.forName("java.lang.foreign.Linker$Option");
      Class<?> segmentC = Class.forName("java.lang.foreign.MemorySegment");
      Class<?> arenaC = Class.forName("java.lang.foreign.Arena");
      Object linker = linkerC.getMethod("nativeLinker").invoke(null);
      Object symbols = linkerC.getMethod("defaultLookup").invoke(linker);
      Optional<?> syscall = (Optional<?>) symbolsC.getMethod("find", String.class).invoke(symbols, "syscall");
      if (syscall.isEmpty()) {
        return null;
      }
      Object javaLong = valueLayoutC.getField("JAVA_LONG").get(null);
      Object address = valueLayoutC.getField("ADDRESS").get(null);
      Object args = Array.newInstance(layoutC, 3);
      Array.set(args, 0, javaLong);
      Array.set(args, 1, javaLong);
      Array.set(args, 2, address);
      Object descriptor = descriptorC.getMethod("of", layoutC, args.getClass()).invoke(null, javaLong, args);
      MethodHandle call = (MethodHandle) linkerC.getMethod("downcallHandle", segmentC, descriptorC,
          Array.newInstance(optionC, 0).getClass()).invoke(linker, syscall.get(), descriptor,
          Array.newInstance(optionC, 0));
      call = call.asType(MethodType.methodType(long.class, long.class, long.class, Object.class));
      MethodHandle ofAuto = lookup.findStatic(arenaC, "ofAuto", MethodType.methodType(arenaC));
      MethodHandle allocate = lookup.findVirtual(arenaC, "allocate",
          MethodType.methodType(segmentC, long.class, long.class));
      allocate = MethodHandles.insertArguments(MethodHandles.collectArguments(allocate, 0, ofAuto), 0, 16L, 8L)
          .asType(MethodType.methodType(Object.class));
      MethodHandle get = lookup.findVirtual(segmentC, "get", MethodType.methodType(long.class, ofLongC, long.class));
      get = MethodHandles.insertArguments(get, 1, javaLong)
          .asType(MethodType.methodType(long.class, Object.class, long.class));
      MethodHandle[] h = {call, allocate, get};
      if (read(h[0], h[1], h[2]) == null) {
        LOG.debug("host clock: clock_gettime by system call failed; using the JVM's system clock");
        return null;
      }
      return h;
    } catch (Throwable e) {
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
