package dev.spindle.supervisor.internal;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * POSIX signal handlers ({@code sun.misc.Signal}, the JVM's only way to handle SIGHUP or SIGTERM),
 * reached by reflection: javac warns on every use of that internal API and the warning cannot be
 * suppressed. A handler is an opaque {@code sun.misc.SignalHandler}: one returned here, or
 * {@link #IGNORE}. Thread-safe.
 */
final class PosixSignals {
  private static final Class<?> HANDLER;
  private static final Method HANDLE;
  private static final Constructor<?> NEW_SIGNAL;
  /** The handler that ignores the signal ({@code SIG_IGN}). */
  static final Object IGNORE;

  static {
    try {
      Class<?> signal = Class.forName("sun.misc.Signal");
      HANDLER = Class.forName("sun.misc.SignalHandler");
      HANDLE = signal.getMethod("handle", signal, HANDLER);
      NEW_SIGNAL = signal.getConstructor(String.class);
      IGNORE = HANDLER.getField("SIG_IGN").get(null);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private PosixSignals() {}

  /**
   * Runs {@code action} on the JVM's signal thread whenever the signal {@code name} (e.g. {@code HUP})
   * arrives.
   *
   * @return the handler it replaced
   * @throws IllegalArgumentException if the JVM cannot handle that signal
   */
  static Object handle(String name, Runnable action) {
    Object handler = Proxy.newProxyInstance(PosixSignals.class.getClassLoader(), new Class<?>[] {HANDLER},
        (proxy, method, args) -> switch (method.getName()) {
          case "handle" -> {
            action.run();
            yield null;
          }
          case "equals" -> args != null && proxy == args[0];
          case "hashCode" -> System.identityHashCode(proxy);
          default -> "handler of SIG" + name;
        });
    return set(name, handler);
  }

  /**
   * Installs {@code handler} for the signal {@code name}.
   *
   * @return the handler it replaced
   * @throws IllegalArgumentException if the JVM cannot handle that signal
   */
  static Object set(String name, Object handler) {
    try {
      return HANDLE.invoke(null, NEW_SIGNAL.newInstance(name), handler);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException("sun.misc.Signal failed", e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot use sun.misc.Signal", e);
    }
  }
}
