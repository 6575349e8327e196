package dev.spindle.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Array;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Direct Linux system calls through libc's {@code syscall(2)} and the Foreign Function API, for the
 * few things the JDK cannot do (read the kernel's clock past an {@code LD_PRELOAD} shim, move a
 * thread to another scheduling class). Reached reflectively, so the modules still compile for
 * Java 21; available on Linux x86-64 and AArch64 with Java 22 or later when the JVM allows native
 * access ({@code --enable-native-access=ALL-UNNAMED}, which {@code ./spindle} and the test JVMs
 * pass). Where it is not, {@link #handle} answers null and a reason, and callers fall back. Stateless,
 * thread-safe.
 */
public final class LinuxSyscall {
  private LinuxSyscall() {}

  /** What {@link #handle} found: the call's handle, or null and why not. */
  public record Lookup(@Nullable MethodHandle handle, String reason) {}

  /**
   * A system call's number on this machine, by its names on x86-64 and AArch64; -1 on any other
   * architecture.
   */
  public static long number(long x86_64, long aarch64) {
    return switch (System.getProperty("os.arch", "").toLowerCase(Locale.ROOT)) {
      case "amd64", "x86_64" -> x86_64;
      case "aarch64", "arm64" -> aarch64;
      default -> -1;
    };
  }

  /**
   * A handle on {@code syscall(2)} of type {@code (long number, long x longs, Object pointer) long}:
   * the call's number, {@code longs} integer arguments, then one pointer (a
   * {@code MemorySegment}, typed {@code Object}); the result is the call's return value (-1 on
   * error). Null where unavailable, with the reason.
   */
  public static Lookup handle(int longs) {
    try {
      if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux") || number(0, 0) < 0) {
        return new Lookup(null, "not Linux x86-64/AArch64");
      }
      if (Runtime.version().feature() < 22 || !(boolean) Module.class.getMethod("isNativeAccessEnabled")
          .invoke(LinuxSyscall.class.getModule())) {
        return new Lookup(null, "no Foreign Function API or native access not enabled "
            + "(--enable-native-access=ALL-UNNAMED)");
      }
      Class<?> linkerC = Class.forName("java.lang.foreign.Linker");
      Class<?> symbolsC = Class.forName("java.lang.foreign.SymbolLookup");
      Class<?> layoutC = Class.forName("java.lang.foreign.MemoryLayout");
      Class<?> valueLayoutC = Class.forName("java.lang.foreign.ValueLayout");
      Class<?> descriptorC = Class.forName("java.lang.foreign.FunctionDescriptor");
      Class<?> optionC = Class.forName("java.lang.foreign.Linker$Option");
      Class<?> segmentC = Class.forName("java.lang.foreign.MemorySegment");
      Object linker = linkerC.getMethod("nativeLinker").invoke(null);
      Object symbols = linkerC.getMethod("defaultLookup").invoke(linker);
      Optional<?> syscall = (Optional<?>) symbolsC.getMethod("find", String.class).invoke(symbols, "syscall");
      if (syscall.isEmpty()) {
        return new Lookup(null, "libc has no syscall symbol");
      }
      Object javaLong = valueLayoutC.getField("JAVA_LONG").get(null);
      Object args = Array.newInstance(layoutC, longs + 2);
      for (int i = 0; i <= longs; i++) {
        Array.set(args, i, javaLong);
      }
      Array.set(args, longs + 1, valueLayoutC.getField("ADDRESS").get(null));
      Object descriptor = descriptorC.getMethod("of", layoutC, args.getClass()).invoke(null, javaLong, args);
      Object noOptions = Array.newInstance(optionC, 0);
      MethodHandle call = (MethodHandle) linkerC.getMethod("downcallHandle", segmentC, descriptorC,
          noOptions.getClass()).invoke(linker, syscall.get(), descriptor, noOptions);
      Class<?>[] params = new Class<?>[longs + 2];
      java.util.Arrays.fill(params, long.class);
      params[longs + 1] = Object.class;
      return new Lookup(call.asType(MethodType.methodType(long.class, params)), "");
    } catch (Throwable e) {
      return new Lookup(null, e.toString());
    }
  }

  /**
   * A handle of type {@code () Object} that allocates {@code bytes} of zeroed native memory, aligned
   * to 8, freed by the garbage collector once unreachable (an automatic arena). Call only after
   * {@link #handle} answered a handle.
   */
  public static MethodHandle allocator(long bytes) throws ReflectiveOperationException {
    Class<?> arenaC = Class.forName("java.lang.foreign.Arena");
    Class<?> segmentC = Class.forName("java.lang.foreign.MemorySegment");
    MethodHandles.Lookup lookup = MethodHandles.publicLookup();
    MethodHandle ofAuto = lookup.findStatic(arenaC, "ofAuto", MethodType.methodType(arenaC));
    MethodHandle allocate = lookup.findVirtual(arenaC, "allocate", MethodType.methodType(segmentC, long.class,
        long.class));
    return MethodHandles.insertArguments(MethodHandles.collectArguments(allocate, 0, ofAuto), 0, bytes, 8L)
        .asType(MethodType.methodType(Object.class));
  }

  /**
   * A handle of type {@code (Object segment, long offset) long} reading a native long. Call only
   * after {@link #handle} answered a handle.
   */
  public static MethodHandle longReader() throws ReflectiveOperationException {
    Class<?> valueLayoutC = Class.forName("java.lang.foreign.ValueLayout");
    Class<?> ofLongC = Class.forName("java.lang.foreign.ValueLayout$OfLong");
    Class<?> segmentC = Class.forName("java.lang.foreign.MemorySegment");
    MethodHandle get = MethodHandles.publicLookup().findVirtual(segmentC, "get",
        MethodType.methodType(long.class, ofLongC, long.class));
    return MethodHandles.insertArguments(get, 1, valueLayoutC.getField("JAVA_LONG").get(null))
        .asType(MethodType.methodType(long.class, Object.class, long.class));
  }
}
