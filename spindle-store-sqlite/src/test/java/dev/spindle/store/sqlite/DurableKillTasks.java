package dev.spindle.store.sqlite;

import dev.spindle.Task;
import dev.spindle.TaskCatalog;
import dev.spindle.queue.DurableContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The five-step durable job of {@link SqliteDurableKillTest}. Each step body appends its name to the
 * file named by the system property {@code durable.log} (one line per body run; O_APPEND keeps lines
 * whole across processes). The property {@code durable.halt} makes a process stop and wait to be
 * killed: {@code between} after step {@code s2} is recorded (appending {@code halted-between}),
 * {@code inside} in the body of {@code s3} after its line is written.
 *
 * <p>{@link #STOPPABLE} is the job of {@link SqliteDurableStopTest}: its bodies log {@code <step>
 * <who>} ({@code who} from the property {@code durable.who}); a process with {@code durable.halt=stdin}
 * waits inside {@code s3} for a line on its standard input, and the in-process worker waits inside
 * {@code s4} for {@link #S4_GATE}. An attempt stopped by the queue logs {@code stopped <who>}.
 */
public final class DurableKillTasks implements TaskCatalog {
  /** Blocks forever: the process waits here for its {@code kill -9}. */
  private static final CountDownLatch NEVER = new CountDownLatch(1);

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

  /** Opened by the test to let the in-process worker's body of {@code s4} end. */
  public static final CountDownLatch S4_GATE = new CountDownLatch(1);

  public static final Task<String, String> STOPPABLE = Task.withContext("durable.stoppable", String.class,
      String.class, (input, tc) -> {
        DurableContext ctx = DurableContext.of(tc).orElseThrow();
        String who = System.getProperty("durable.who", "survivor");
        boolean waitForStdin = System.getProperty("durable.halt", "").equals("stdin");
        StringBuilder out = new StringBuilder(input);
        try {
          for (int i = 1; i <= 5; i++) {
            String name = "s" + i;
            out.append(ctx.step(name, String.class, () -> {
              log(name + " " + who);
              if (name.equals("s3") && waitForStdin) {
                new java.io.BufferedReader(new java.io.InputStreamReader(System.in,
                    java.nio.charset.StandardCharsets.UTF_8)).readLine();
              }
              if (name.equals("s4") && !waitForStdin) {
                S4_GATE.await();
              }
              return name;
            }));
          }
        } catch (RuntimeException e) {
          log("stopped " + who);
          throw e;
        }
        return out.toString();
      });

  private static void log(String line) throws java.io.IOException {
    Files.writeString(Path.of(System.getProperty("durable.log")), line + "\n", StandardOpenOption.CREATE,
        StandardOpenOption.APPEND, StandardOpenOption.WRITE);
  }

  @Override
  public Collection<Task<?, ?>> tasks() {
    return List.of(FIVE_STEPS, STOPPABLE);
  }
}
