package dev.spindle.testkit.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.TaskRegistry;
import dev.spindle.queue.JobHandle;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.Worker;
import dev.spindle.queue.spi.DurableStore;
import dev.spindle.queue.spi.StepLog;
import dev.spindle.queue.spi.StepRecord;
import dev.spindle.queue.spi.StoreBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A worker process frozen with {@code kill -STOP} inside a step's body, past its lease, on one
 * store: a worker in this JVM takes the job over and records that step; thawed with {@code kill
 * -CONT}, the first process finishes the body but its record is refused (its fence is stale, or its
 * heartbeat told it the job was lost) and it runs nothing more of the job. The child is a {@link
 * DurableChildWorker} running {@link DurableKillTasks#STOPPABLE}. Subclass it per backend with
 * {@link #location(Path)}, and {@link #frozenOutsideAWrite} where a process frozen inside a
 * transaction would hold locks others wait for.
 */
public abstract class DurableStopContract extends DurableChildContract {
  /**
   * Whether the frozen child holds no lock that the store's other users would wait for (it was
   * stopped inside no write). False makes the test thaw it and stop it again. True by default: a
   * store whose every write is one atomic server-side call (Redis) has nothing to check.
   *
   * @param location the store's location
   * @param workerId the child worker's id
   */
  protected boolean frozenOutsideAWrite(String location, String workerId) throws Exception {
    return true;
  }

  @Test
  void aThawedWorkerPastItsLeaseCannotRecordAStepItsSuccessorRecorded() throws Exception {
    String location = location(dir);
    Path log = dir.resolve("bodies.log");
    System.setProperty("durable.log", log.toString());
    DurableKillTasks.holdFourthStep();
    try (StoreBackend store = open(location);
         JobQueue q = JobQueue.builder(store).registry(TaskRegistry.of(DurableKillTasks.class)).build()) {
      DurableStore durable = store.durable().orElseThrow();
      JobHandle<String> job = q.enqueue(DurableKillTasks.STOPPABLE, ">");
      DurableChild child = DurableChild.start(location, log, childLease(), "durable.halt=stdin", "durable.who=child");
      try {
        await().atMost(WAIT).until(() -> lines(log).contains("s3 child"));
        freeze(child, location);
        long childFence = recorded(durable, job.id(), "s2#0").orElseThrow().fence();
        long successorFence;

        try (Worker survivor = Worker.builder(store).registry(TaskRegistry.of(DurableKillTasks.class))
            .leaseDuration(SURVIVOR_LEASE).heartbeatInterval(Duration.ofMillis(200))
            .pollInterval(Duration.ofMillis(50)).name("survivor").start()) {
          // the child's lease runs out; the survivor takes the job, records s3 and waits inside s4
          await().atMost(WAIT).until(() -> lines(log).contains("s4 survivor"));
          StepRecord s3 = recorded(durable, job.id(), "s3#0").orElseThrow();
          assertThat(s3.fence()).as("s3 recorded by the successor").isGreaterThan(childFence);
          successorFence = s3.fence();

          child.signal("-CONT");
          child.send("go"); // the frozen body of s3 ends now
          await().atMost(WAIT).until(() -> lines(log).contains("stopped child"));
          assertThat(recorded(durable, job.id(), "s3#0")).as("the successor's record stays").contains(s3);
          assertThat(recorded(durable, job.id(), "s4#0")).as("s4 is still running in the successor").isEmpty();
          assertThat(child.process().isAlive()).as("the thawed process lives on").isTrue();

          DurableKillTasks.releaseFourthStep();
          assertThat(job.result(WAIT)).isEqualTo(">s1s2s3s4s5");
        }
        assertThat(lines(log)).as("the thawed process ran nothing after its refused record")
            .containsExactly("s1 child", "s2 child", "s3 child", "s3 survivor", "s4 survivor", "stopped child",
                "s5 survivor");
        List<StepRecord> steps = durable.view(job.id()).map(StepLog::steps).orElseThrow();
        assertThat(steps).extracting(StepRecord::key).containsExactly("s1#0", "s2#0", "s3#0", "s4#0", "s5#0");
        assertThat(steps).extracting(StepRecord::fence).as("s1, s2 by the frozen process, the rest by the successor")
            .containsExactly(childFence, childFence, successorFence, successorFence, successorFence);
      } finally {
        DurableKillTasks.releaseFourthStep();
        child.destroy();
      }
    }
  }

  /** Stops the child at a moment it holds no write ({@link #frozenOutsideAWrite}); else thaws it and tries again. */
  private void freeze(DurableChild child, String location) throws Exception {
    for (int tries = 0; ; tries++) {
      child.signal("-STOP");
      if (frozenOutsideAWrite(location, child.workerId())) {
        return;
      }
      assertThat(tries).as("froze the child outside a write").isLessThan(20);
      child.signal("-CONT");
    }
  }

  private static Optional<StepRecord> recorded(DurableStore durable, String jobId, String key) {
    return durable.view(jobId).orElseThrow().steps().stream().filter(s -> s.key().equals(key)).findFirst();
  }

  private static List<String> lines(Path log) throws IOException {
    return Files.exists(log) ? Files.readAllLines(log) : List.of();
  }
}
