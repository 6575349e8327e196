package dev.spindle.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.ExecutionModel;
import dev.spindle.Spindle;
import dev.spindle.TaskExecutor;
import dev.spindle.TaskRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A parent killed with kill -9 leaves no worker behind. */
@Timeout(120)
class ParentDeathTest {
  /** The parent JVM of the test: starts a pool, prints the worker pids, waits to be killed. */
  public static void main(String[] args) throws Exception {
    TaskExecutor pool = Spindle.executor(ExecutionModel.PROCESSES).workers(2).name("orphans")
        .registry(TaskRegistry.of(TestTasks.class)).start();
    pool.submit(TestTasks.NOOP, 1).result();
    long[] pids = ProcessPool.of(pool).workerPids();
    System.out.println("PIDS " + pids[0] + " " + pids[1]);
    System.out.flush();
    Thread.currentThread().join(); // until killed
  }

  @Test
  void killingTheParentWithSigkillLeavesNoChild() throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder pb = new ProcessBuilder(java.toString(), ParentDeathTest.class.getName());
    pb.environment().put("CLASSPATH", System.getProperty("java.class.path"));
    pb.redirectError(ProcessBuilder.Redirect.DISCARD);
    Process parent = pb.start();
    List<ProcessHandle> workers = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null && !line.startsWith("PIDS ")) {
        // skip
      }
      assertThat(line).as("the parent printed its workers' pids").isNotNull();
      for (String p : line.substring(5).trim().split(" ")) {
        workers.add(ProcessHandle.of(Long.parseLong(p)).orElseThrow());
      }
      assertThat(workers).allMatch(ProcessHandle::isAlive);
      assertThat(workers).allMatch(w -> w.parent().map(ProcessHandle::pid).orElse(-1L) == parent.pid());

      parent.destroyForcibly(); // SIGKILL: no shutdown hook runs
      parent.waitFor();
      assertThat(parent.exitValue()).isEqualTo(137);
      await().atMost(Duration.ofSeconds(5)).until(() -> workers.stream().noneMatch(ProcessHandle::isAlive));
    } finally {
      parent.destroyForcibly();
      workers.forEach(ProcessHandle::destroyForcibly);
    }
  }
}
