package dev.spindle.bench;

import dev.spindle.Task;
import dev.spindle.TaskCatalog;
import dev.spindle.queue.DurableContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.List;

/**
 * The job of {@link DurableFaultBench}: five durable steps whose bodies each take the input's
 * milliseconds. Each body start appends {@code <jobId>/<step>#0 <pid>} to the file named by the
 * system property {@code dfault.log} (O_APPEND keeps lines whole across processes), so re-run
 * bodies are counted per process. Public with a public no-arg constructor (a portable catalog).
 */
public final class DurableFaultTasks implements TaskCatalog {
  private static final long PID = ProcessHandle.current().pid();

  /** Five steps of {@code stepMs} each; returns the sum of the steps' results (15). */
  public static final Task<Long, Long> FIVE_STEPS = Task.withContext("dfault.five-steps", Long.class, Long.class,
      (stepMs, tc) -> {
        DurableContext ctx = DurableContext.of(tc).orElseThrow();
        long sum = 0;
        for (int i = 1; i <= 5; i++) {
          int step = i;
          sum += ctx.step("s" + i, Integer.class, () -> {
            logStart(ctx.stepKey());
            Thread.sleep(stepMs); // the body's work
            return step;
          });
        }
        return sum;
      });

  private static void logStart(String stepKey) throws IOException {
    Files.writeString(Path.of(System.getProperty("dfault.log")), stepKey + " " + PID + "\n",
        StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
  }

  @Override
  public Collection<Task<?, ?>> tasks() {
    return List.of(FIVE_STEPS);
  }
}
