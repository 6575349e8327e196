package dev.spindle.testkit.store;

import dev.spindle.Task;
import dev.spindle.TaskCatalog;
import dev.spindle.queue.DurableContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The five-step durable job of {@link DurableKillContract}. Each step body appends its name to the
 * file named by the system property {@code durable.log} (one line per body run; O_APPEND keeps lines
 * whole across processes). The property {@code durable.halt} makes a process stop and wait to be
 * killed: {@code between} after step {@code s2} is recorded (appending {@code halted-between}),
 * {@code inside} in the body of {@code s3} after its line is written. A portable catalog; stateless.
 */
public final class DurableKillTasks implements TaskCatalog {
  /** Blocks forever: the process waits here for its {@code kill -9}. */
  private static final CountDownLatch NEVER = new CountDownLatch(1);

  /** Five steps {@code s1..s5}, each answering its name; returns the input and the five names. */
  public static final Task<String, String> FIVE_STEPS = Task.withContext("durable.five", String.class,
      String.class, (input, tc) -> {
        DurableContext ctx = DurableContext.of(tc).orElseThrow();
        String halt = System.getProperty("durable.halt", "");
        StringBuilder out = new StringBuilder(input);
        for (int i = 1; i <= 5; i++) {
          String name = "s" + i;
          out.append(ctx.step(name, String.class, () -> {
            log(name);
            if (name.equals("s3") && halt.equals("inside")) {
              NEVER.await();
            }
            return name;
          }));
          if (name.equals("s2") && halt.equals("between")) {
            log("halted-between");
            NEVER.await();
          }
        }
        return out.toString();
      });

  /** Appends {@code line} to the file named by the system property {@code durable.log}. */
  public static void log(String line) throws IOException {
    Files.writeString(Path.of(System.getProperty("durable.log")), line + "\n", StandardOpenOption.CREATE,
        StandardOpenOption.APPEND, StandardOpenOption.WRITE);
  }

  @Override
  public Collection<Task<?, ?>> tasks() {
    return List.of(FIVE_STEPS);
  }
}
