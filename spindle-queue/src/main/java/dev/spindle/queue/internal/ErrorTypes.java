package dev.spindle.queue.internal;

import dev.spindle.RemoteTaskException;
import dev.spindle.TaskFailedException;
import java.util.LinkedHashSet;
import java.util.Set;

/** The type names a retry rule can match for a failure. Stateless. */
public final class ErrorTypes {
  private ErrorTypes() {}

  /**
   * The failure's class name and those of its superclasses and interfaces. A
   * {@link TaskFailedException} is unwrapped; for a {@link RemoteTaskException} the remote type is
   * used, with its hierarchy if that class is on this classpath (looked up, never instantiated).
   */
  public static Set<String> of(Throwable error) {
    Throwable t = error instanceof TaskFailedException && error.getCause() != null ? error.getCause() : error;
    Set<String> names = new LinkedHashSet<>();
    Class<?> type = t.getClass();
    if (t instanceof RemoteTaskException r) {
      names.add(r.remoteType());
      try {
        type = Class.forName(r.remoteType(), false, ErrorTypes.class.getClassLoader());
      } catch (ClassNotFoundException | LinkageError e) {
        return names;
      }
    }
    addHierarchy(type, names);
    return names;
  }

  private static void addHierarchy(Class<?> c, Set<String> names) {
    for (Class<?> k = c; k != null; k = k.getSuperclass()) {
      names.add(k.getName());
      addInterfaces(k, names);
    }
  }

  private static void addInterfaces(Class<?> c, Set<String> names) {
    for (Class<?> i : c.getInterfaces()) {
      if (names.add(i.getName())) {
        addInterfaces(i, names);
      }
    }
  }
}
