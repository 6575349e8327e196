package dev.spindle.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.TaskRegistry;
import dev.spindle.queue.JobHandle;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.Worker;
import dev.spindle.queue.spi.DurableStore;
import dev.spindle.queue.spi.StepLog;
import dev.spindle.queue.spi.StepRecord;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker process frozen with {@code kill -STOP} inside a step's body, past its lease: another
 * worker takes the job over and records that step; thawed with {@code kill -CONT}, the first process
 * finishes the body but its record is refused (its fence is stale) and it runs nothing more of the job.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SqliteDurableStopTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir
  Path dir;

  @Test
  void aThawedWorkerPastItsLeaseCannotRecordAStepItsSuccessorRecorded() throws Exception {
    Path db = dir.resolve("durable-stop.db");
    Path log = dir.resolve("bodies.log");
    System.setProperty("durable.log", log.toString());
    try (SqliteJobStore store = SqliteJobStore.open(db);
         JobQueue q = JobQueue.builder(store).registry(TaskRegistry.of(DurableKillTasks.class)).build()) {
      DurableStore durable = store.durable().orElseThrow();
      JobHandle<String> job = q.enqueue(DurableKillTasks.STOPPABLE, ">");
      Process child = startChild(db, log);
      try {
        await().atMost(WAIT).until(() -> lines(log).contains("s3 child"));
        freezeOutsideAWrite(child, db);
        long childFence = recorded(durable, job.id(), "s2#0").orElseThrow().fence();
        long successorFence;

        try (Worker survivor = Worker.builder(store).registry(TaskRegistry.of(DurableKillTasks.class))
            .leaseDuration(Duration.ofSeconds(1)).heartbeatInterval(Duration.ofMillis(200))
            .pollInterval(Duration.ofMillis(50)).name("survivor").start()) {
          // the lease runs out; the survivor takes the job, records s3 and waits inside s4
          await().atMost(WAIT).until(() -> lines(log).contains("s4 survivor"));
          StepRecord s3 = recorded(durable, job.id(), "s3#0").orElseThrow();
          assertThat(s3.fence()).as("s3 recorded by the successor").isGreaterThan(childFence);
          successorFence = s3.fence();

          signal(child, "-CONT");
          OutputStream in = child.getOutputStream();
          in.write("go\n".getBytes(StandardCharsets.UTF_8)); // the frozen body of s3 ends now
          in.flush();
          await().atMost(WAIT).until(() -> lines(log).contains("stopped child"));
          assertThat(recorded(durable, job.id(), "s3#0")).as("the successor's record stays").contains(s3);
          assertThat(recorded(durable, job.id(), "s4#0")).as("s4 is still running in the successor").isEmpty();
          assertThat(child.isAlive()).as("the thawed process lives on").isTrue();

          DurableKillTasks.S4_GATE.countDown();
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
        child.destroyForcibly();
        child.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  private static Optional<StepRecord> recorded(DurableStore durable, String jobId, String key) {
    return durable.view(jobId).orElseThrow().steps().stream().filter(s -> s.key().equals(key)).findFirst();
  }

  private static List<String> lines(Path log) throws java.io.IOException {
    return Files.exists(log) ? Files.readAllLines(log) : List.of();
  }

  /**
   * Stops {@code child} at a moment it holds no write transaction (its heartbeat writes too): a
   * process frozen inside one would keep the database locked for everyone. Stopped while writing,
   * it is thawed and stopped again.
   */
  private static void freezeOutsideAWrite(Process child, Path db) throws Exception {
    for (int tries = 0; ; tries++) {
      signal(child, "-STOP");
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
        st.execute("PRAGMA busy_timeout = 2000");
        st.execute("BEGIN IMMEDIATE"); // fails while the frozen process holds the write lock
        st.execute("ROLLBACK");
        return;
      } catch (SQLException busy) {
        assertThat(tries).as("froze the child outside a write: " + busy.getMessage()).isLessThan(20);
        signal(child, "-CONT");
      }
    }
  }

  private static void signal(Process p, String signal) throws Exception {
    Process kill = new ProcessBuilder("kill", signal, Long.toString(p.pid())).inheritIO().start();
    assertThat(kill.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(kill.exitValue()).as("kill " + signal).isZero();
  }

  private static Process startChild(Path db, Path log) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process p = new ProcessBuilder(java, "-Ddurable.log=" + log, "-Ddurable.halt=stdin", "-Ddurable.who=child", "-cp",
        System.getProperty("java.class.path"), DurableChildWorker.class.getName(), db.toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    assertThat(out.readLine()).as("child worker started").startsWith("READY");
    return p;
  }
}
