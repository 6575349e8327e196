package dev.spindle.store.sqlite;

import dev.spindle.Task;
import dev.spindle.TaskCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.List;

/**
 * Tasks of the worker-process tests. {@code kill.work} appends its job id to the file named by the
 * system property {@code kill.log} (one line per execution start; O_APPEND keeps lines whole across
 * processes), then works for the given milliseconds; {@code kill.exit} calls {@code System.exit}.
 */
public final class KillTestTasks implements TaskCatalog {
  public static final Task<Long, Long> WORK = Task.withContext("kill.work", Long.class, Long.class, (ms, ctx) -> {
    Files.writeString(Path.of(System.getProperty("kill.log")), ctx.executionId() + "\n", StandardOpenOption.CREATE,
        StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    Thread.sleep(ms);
    return ms;
  });

  /** Appends its job id to {@code kill.log} as {@code kill.work} does, then calls {@code System.exit(status)}. */
  public static final Task<Integer, Integer> EXIT = Task.withContext("kill.exit", Integer.class, Integer.class,
      (status, ctx) -> {
        Files.writeString(Path.of(System.getProperty("kill.log")), ctx.executionId() + "\n",
            StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        System.exit(status);
        return status;
      });

  @Override
  public Collection<Task<?, ?>> tasks() {
    return List.of(WORK, EXIT);
  }
}
