package dev.spindle.process;

import dev.spindle.Task;
import dev.spindle.TaskCatalog;
import dev.spindle.process.supervise.JvmLauncher;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * A catalog that has one task more in the parent than in a worker (workers have
 * {@value JvmLauncher#PARENT_PID_ENV} set), to test a worker that does not know a task.
 */
public final class SplitCatalog implements TaskCatalog {
  public static final Task<String, String> EVERYWHERE = Task.of("split.everywhere", String.class, String.class, s -> s);
  public static final Task<String, String> PARENT_ONLY = Task.of("split.parent-only", String.class, String.class, s -> s);

  public SplitCatalog() {}

  @Override
  public Collection<Task<?, ?>> tasks() {
    List<Task<?, ?>> l = new ArrayList<>(List.of(EVERYWHERE));
    if (System.getenv(JvmLauncher.PARENT_PID_ENV) == null) {
      l.add(PARENT_ONLY);
    }
    return l;
  }
}
