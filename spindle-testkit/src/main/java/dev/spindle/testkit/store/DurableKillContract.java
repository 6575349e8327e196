package dev.spindle.testkit.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.TaskRegistry;
import dev.spindle.queue.JobHandle;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.Worker;
import dev.spindle.queue.spi.StepRecord;
import dev.spindle.queue.spi.StoreBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Durable steps across real {@code kill -9}s on one store: a child JVM ({@link DurableChildWorker})
 * running {@link DurableKillTasks#FIVE_STEPS} is killed between steps, a second one inside a step's
 * body; a worker in this JVM then finishes the job. Each step is recorded once, and only the body the
 * second kill interrupted runs again. Subclass it per backend with {@link #location(Path)}; the child
 * opens that location with {@link dev.spindle.queue.JobStores#open}, so the test class path must hold
 * the store's provider.
 */
public abstract class DurableKillContract extends DurableChildContract {

  @Test
  void killedBetweenAndInsideStepsTheJobRecordsEachStepOnceAndRerunsOnlyTheInterruptedBody() throws Exception {
    String db = location(dir);
    Path log = dir.resolve("bodies.log");
    System.setProperty("durable.log", log.toString());
    try (StoreBackend store = open(db);
         JobQueue q = JobQueue.builder(store).registry(TaskRegistry.of(DurableKillTasks.class)).build()) {
      JobHandle<String> job = q.enqueue(DurableKillTasks.FIVE_STEPS, ">");

      killWhenLogged(DurableChild.start(db, log, childLease(), "durable.halt=between"), log, "halted-between");
      assertThat(Files.readAllLines(log)).containsExactly("s1", "s2", "halted-between");

      killWhenLogged(DurableChild.start(db, log, childLease(), "durable.halt=inside"), log, "s3");
      assertThat(Files.readAllLines(log)).containsExactly("s1", "s2", "halted-between", "s3");

      try (Worker survivor = Worker.builder(store).registry(TaskRegistry.of(DurableKillTasks.class))
          .leaseDuration(SURVIVOR_LEASE).heartbeatInterval(Duration.ofMillis(200))
          .pollInterval(Duration.ofMillis(50)).name("survivor").start()) {
        assertThat(job.result(WAIT)).isEqualTo(">s1s2s3s4s5");
      }
      assertThat(Files.readAllLines(log)).as("only the interrupted body ran again")
          .containsExactly("s1", "s2", "halted-between", "s3", "s3", "s4", "s5");
      List<StepRecord> steps = store.durable().orElseThrow().view(job.id()).orElseThrow().steps();
      assertThat(steps).extracting(StepRecord::key).containsExactly("s1#0", "s2#0", "s3#0", "s4#0", "s5#0");
      assertThat(steps).extracting(StepRecord::attempt).as("s1, s2 by the first process, the rest by the last")
          .containsExactly(1, 1, 3, 3, 3);
    }
  }

  /** Waits until {@code line} is in the log, then kills the child with SIGKILL. */
  private static void killWhenLogged(DurableChild child, Path log, String line) throws Exception {
    Process p = child.process();
    try {
      await().atMost(WAIT).until(() -> Files.exists(log) && Files.readAllLines(log).contains(line)
          && Files.readAllLines(log).stream().filter(line::equals).count() == 1);
      p.destroyForcibly(); // SIGKILL
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as("killed by SIGKILL").isEqualTo(137);
    } finally {
      p.destroyForcibly();
    }
  }
}
