package dev.spindle.store.sqlite;

import dev.spindle.Task;
import dev.spindle.TaskCatalog;
import dev.spindle.queue.DurableContext;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The durable jobs of {@link SqliteDurableKillTest} (the testkit's five-step job) and {@link
 * SqliteDurableStopTest}. As in the testkit's catalog, Each step body appends its name to the
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
    dev.spindle.testkit.store.DurableKillTasks.log(line);
  }

  @Override
  public Collection<Task<?, ?>> tasks() {
    return List.of(dev.spindle.testkit.store.DurableKillTasks.FIVE_STEPS, STOPPABLE);
  }
}
