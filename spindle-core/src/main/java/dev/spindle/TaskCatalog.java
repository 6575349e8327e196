package dev.spindle;

import java.util.Collection;

/**
 * A named set of tasks that any JVM can rebuild: a public class with a public no-argument
 * constructor. Child JVMs of the {@code PROCESSES} model and queue workers on other machines
 * recreate their {@link TaskRegistry} from catalog class names, so only tasks reachable from a
 * catalog can cross a process boundary (like Python's rule that a pool's function must be
 * importable).
 *
 * <p>Catalogs may also be listed in {@code META-INF/services/dev.spindle.TaskCatalog} so that
 * {@link TaskRegistry#discover()} finds them.
 */
public interface TaskCatalog {
  /** The tasks of this catalog. Called once per registry build; must not return duplicates. */
  Collection<Task<?, ?>> tasks();
}
