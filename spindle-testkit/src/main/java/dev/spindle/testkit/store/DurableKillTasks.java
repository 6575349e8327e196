package dev.spindle.testkit.store;

import dev.spindle.Task;
import dev.spindle.TaskCatalog;
import dev.spindle.queue.DurableContext;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The durable jobs of {@link DurableKillContract} and {@link DurableStopContract}. Each step body
 * appends a line to the file named by the system property {@code durable.log} (one line per body
 * run; O_APPEND keeps lines whole across processes). A portable catalog; its only state is the
 * gate of {@link #STOPPABLE}'s fourth step in this JVM.
 *
 * <ul>
 *   <li>{@link #FIVE_STEPS} logs each step's name. The property {@code durable.halt} makes a process
 *       stop and wait to be killed: {@code between} after step {@code s2} is recorded (appending
 *       {@code halted-between}), {@code inside} in the body of {@code s3} after its line is written.
 *   <li>{@link #STOPPABLE} logs {@code <step> <who>} ({@code who} from the property {@code
 *       durable.who}, {@code survivor} by default). A process with {@code durable.halt=stdin} waits
 *       inside {@code s3} for a line on its standard input; any other waits inside {@code s4} until
 *       {@link #releaseFourthStep()}. An attempt the queue stops logs {@code stopped <who>}.
 * </ul>
 */
public final class DurableKillTasks implements TaskCatalog {
  /** Blocks forever: the process waits here for its {@code kill -9}. */
  private static final CountDownLatch NEVER = new CountDownLatch(1);
  /** The gate of {@link #STOPPABLE}'s {@code s4} in this JVM; replaced by {@link #holdFourthStep()}. */
  private static volatile CountDownLatch fourthStep = new CountDownLatch(1);

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

  /** Five steps {@code s1..s5} that log who ran them and wait where the class comment says. */
  public static final Task<String, String> STOPPABLE = Task.withContext("durable.stoppable", String.class,
      String.class, (input, tc) -> {
        DurableContext ctx = DurableContext.of(tc).orElseThrow();
        String who = System.getProperty("durable.who", "survivor");
        boolean waitForStdin = System.getProperty("durable.halt", "").equals("stdin");
        CountDownLatch gate = fourthStep;
        StringBuilder out = new StringBuilder(input);
        try {
          for (int i = 1; i <= 5; i++) {
            String name = "s" + i;
            out.append(ctx.step(name, String.class, () -> {
              log(name + " " + who);
              if (name.equals("s3") && waitForStdin) {
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
              }
              if (name.equals("s4") && !waitForStdin) {
                gate.await();
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

  /** Makes the next runs of {@link #STOPPABLE} in this JVM wait inside {@code s4}. */
  public static void holdFourthStep() {
    fourthStep = new CountDownLatch(1);
  }

  /** Lets the runs of {@link #STOPPABLE} waiting inside {@code s4} in this JVM go on. */
  public static void releaseFourthStep() {
    fourthStep.countDown();
  }

  /** Appends {@code line} to the file named by the system property {@code durable.log}. */
  public static void log(String line) throws IOException {
    Files.writeString(Path.of(System.getProperty("durable.log")), line + "\n", StandardOpenOption.CREATE,
        StandardOpenOption.APPEND, StandardOpenOption.WRITE);
  }

  @Override
  public Collection<Task<?, ?>> tasks() {
    return List.of(FIVE_STEPS, STOPPABLE);
  }
}
