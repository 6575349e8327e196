package dev.spindle.testkit.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.TaskRegistry;
import dev.spindle.queue.JobHandle;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobStores;
import dev.spindle.queue.Worker;
import dev.spindle.queue.spi.StepRecord;
import dev.spindle.queue.spi.StoreBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durable steps across real {@code kill -9}s on one store: a child JVM ({@link DurableChildWorker})
 * running {@link DurableKillTasks#FIVE_STEPS} is killed between steps, a second one inside a step's
 * body; a worker in this JVM then finishes the job. Each step is recorded once, and only the body the
 * second kill interrupted runs again. Subclass it per backend with {@link #location(Path)}; the child
 * opens that location with {@link dev.spindle.queue.JobStores#open}, so the test class path must hold
 * the store's provider.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
public abstract class DurableKillContract {
  private static final Duration WAIT = Duration.ofSeconds(60);
  /** The lease of the worker in this JVM: long, as nothing waits for it to end and a lapse would strike the job. */
  private static final Duration SURVIVOR_LEASE = Duration.ofSeconds(60);

  /** A scratch directory of the test. */
  @TempDir
  protected Path dir;

  /** A new, empty store's location, as {@link dev.spindle.queue.JobStores#open} takes it. */
  protected abstract String location(Path dir) throws Exception;

  /** Opens the store at {@code location} in this JVM ({@link dev.spindle.queue.JobStores#open}). */
  protected StoreBackend open(String location) {
    return JobStores.open(location);
  }

  /**
   * The child workers' lease; each kill costs the test one lease. 5 s: one second lost the lease to
   * a child JVM starved on a loaded machine, and 3 s did at a load of 25 on two cores (a third
   * strike, and the job ended DEAD {@code worker_lost}).
   */
  protected Duration childLease() {
    return Duration.ofSeconds(5);
  }

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
