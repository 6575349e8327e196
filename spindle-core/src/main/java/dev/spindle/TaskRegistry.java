package dev.spindle;

import java.lang.reflect.Constructor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * The allow-list of tasks an executor or worker may run, by name. Immutable and thread-safe.
 *
 * <p>A registry built only from {@link TaskCatalog}s is <em>portable</em>: another JVM can rebuild
 * it from {@link #catalogClassNames()}. The {@code PROCESSES} and {@code DISTRIBUTED} models need a
 * portable registry; the in-JVM models accept any.
 */
public final class TaskRegistry {
  private static final TaskRegistry EMPTY = new TaskRegistry(Map.of(), List.of(), Set.of());

  private final Map<String, Task<?, ?>> tasks;
  private final List<String> catalogClassNames;
  private final Set<String> adHocTaskNames;

  private TaskRegistry(
      Map<String, Task<?, ?>> tasks, List<String> catalogClassNames, Set<String> adHocTaskNames) {
    this.tasks = tasks;
    this.catalogClassNames = catalogClassNames;
    this.adHocTaskNames = adHocTaskNames;
  }

  /** A registry with no tasks. */
  public static TaskRegistry empty() {
    return EMPTY;
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** A portable registry of the given catalog classes. */
  @SafeVarargs
  public static TaskRegistry of(Class<? extends TaskCatalog>... catalogs) {
    Builder b = builder();
    for (Class<? extends TaskCatalog> c : catalogs) {
      b.addCatalog(c);
    }
    return b.build();
  }

  /** A portable registry of every catalog listed under {@code META-INF/services}. */
  public static TaskRegistry discover() {
    Builder b = builder();
    for (ServiceLoader.Provider<TaskCatalog> p : ServiceLoader.load(TaskCatalog.class).stream().toList()) {
      b.addCatalog(p.type());
    }
    return b.build();
  }

  /**
   * Rebuilds a portable registry from catalog class names (as sent to a child JVM or found in a
   * worker's configuration).
   *
   * @throws IllegalArgumentException if a class is missing, not a {@link TaskCatalog}, or has no
   *     public no-argument constructor
   */
  public static TaskRegistry fromCatalogClassNames(List<String> classNames) {
    Builder b = builder();
    for (String name : classNames) {
      b.addCatalog(loadCatalogClass(name));
    }
    return b.build();
  }

  private static Class<? extends TaskCatalog> loadCatalogClass(String name) {
    Class<?> c;
    try {
      c = Class.forName(name, false, TaskRegistry.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalArgumentException("task catalog class not found on the classpath: " + name, e);
    }
    if (!TaskCatalog.class.isAssignableFrom(c)) {
      throw new IllegalArgumentException(name + " is not a " + TaskCatalog.class.getName());
    }
    return c.asSubclass(TaskCatalog.class);
  }

  /** The task registered under {@code name}, if any. */
  public Optional<Task<?, ?>> find(String name) {
    return Optional.ofNullable(tasks.get(name));
  }

  /**
   * The task registered under {@code name}.
   *
   * @throws UnknownTaskException naming the task and listing the known ones
   */
  public Task<?, ?> require(String name) {
    Task<?, ?> t = tasks.get(name);
    if (t == null) {
      throw new UnknownTaskException(name, "unknown task '" + dev.spindle.spi.Echo.of(name) + "': not in the task registry (known: "
          + (tasks.isEmpty() ? "none" : String.join(", ", tasks.keySet())) + ")");
    }
    return t;
  }

  /** True if {@code task} (the same instance) is registered under its name. */
  public boolean contains(Task<?, ?> task) {
    return tasks.get(task.name()) == task;
  }

  /** Registered task names, in registration order. */
  public Set<String> names() {
    return tasks.keySet();
  }

  /** The catalog classes this registry was built from, in order. */
  public List<String> catalogClassNames() {
    return catalogClassNames;
  }

  /** True if every task came from a catalog, so another JVM can rebuild this registry. */
  public boolean isPortable() {
    return adHocTaskNames.isEmpty();
  }

  /**
   * Throws unless {@link #isPortable()}.
   *
   * @param what the feature that needs portability, for the message (e.g. "the PROCESSES model")
   */
  public void requirePortable(String what) {
    if (!isPortable()) {
      throw new IllegalArgumentException(what + " runs tasks in other JVMs, which rebuild the registry from "
          + "TaskCatalog classes; these tasks were added directly and cannot be found there: "
          + adHocTaskNames + ". Declare them in a TaskCatalog and use addCatalog(...)");
    }
  }

  @Override
  public String toString() {
    return "TaskRegistry" + tasks.keySet();
  }

  /** Builds a {@link TaskRegistry}. Not thread-safe. */
  public static final class Builder {
    private final Map<String, Task<?, ?>> tasks = new LinkedHashMap<>();
    private final List<String> catalogs = new ArrayList<>();
    private final Set<String> adHoc = new java.util.LinkedHashSet<>();

    private Builder() {}

    /** Adds one task (not portable to other JVMs; see {@link #addCatalog}). */
    public Builder add(Task<?, ?> task) {
      put(task);
      adHoc.add(task.name());
      return this;
    }

    /**
     * Adds every task of a catalog class, instantiating it with its public no-arg constructor.
     *
     * @throws IllegalArgumentException if it cannot be instantiated or a name is taken
     */
    public Builder addCatalog(Class<? extends TaskCatalog> catalogClass) {
      Objects.requireNonNull(catalogClass, "catalogClass");
      if (catalogs.contains(catalogClass.getName())) {
        return this;
      }
      TaskCatalog catalog;
      try {
        Constructor<? extends TaskCatalog> ctor = catalogClass.getConstructor();
        catalog = ctor.newInstance();
      } catch (ReflectiveOperationException e) {
        throw new IllegalArgumentException("cannot instantiate task catalog " + catalogClass.getName()
            + ": it needs a public no-argument constructor", e);
      }
      for (Task<?, ?> t : catalog.tasks()) {
        put(t);
      }
      catalogs.add(catalogClass.getName());
      return this;
    }

    private void put(Task<?, ?> task) {
      Objects.requireNonNull(task, "task");
      Task<?, ?> previous = tasks.putIfAbsent(task.name(), task);
      if (previous != null && previous != task) {
        throw new IllegalArgumentException("two different tasks are named '" + task.name() + "'");
      }
    }

    /** An immutable registry of what was added. */
    public TaskRegistry build() {
      return new TaskRegistry(Collections.unmodifiableMap(new LinkedHashMap<>(tasks)),
          List.copyOf(catalogs), Set.copyOf(adHoc));
    }
  }
}
