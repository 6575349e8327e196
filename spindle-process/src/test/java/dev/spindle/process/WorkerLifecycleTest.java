package dev.spindle.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.ExecutionModel;
import dev.spindle.RemoteTaskException;
import dev.spindle.Spindle;
import dev.spindle.Task;
import dev.spindle.TaskExecutor;
import dev.spindle.TaskFailedException;
import dev.spindle.TaskFuture;
import dev.spindle.TaskRegistry;
import dev.spindle.WorkerLostException;
import dev.spindle.testkit.ContractTasks;
import dev.spindle.testkit.GateServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Worker death, replacement, recycling, initializers, titles and registry errors. */
@Timeout(120)
class WorkerLifecycleTest {
  private static final Duration LONG = Duration.ofSeconds(60);

  private static TaskExecutor pool(int workers, String name, ProcessOptions options, Class<?>... catalogs) {
    TaskRegistry.Builder rb = TaskRegistry.builder();
    for (Class<?> c : catalogs) {
      rb.addCatalog(c.asSubclass(dev.spindle.TaskCatalog.class));
    }
    return Spindle.executor(ExecutionModel.PROCESSES).workers(workers).name(name).registry(rb.build())
        .with(options).start();
  }

  @Test
  void killingAWorkerMidTaskFailsThatTaskNamingPidAndStatusAndThePoolGoesOn() throws IOException {
    try (GateServer gates = new GateServer();
        TaskExecutor pool = pool(1, "lost", ProcessOptions.defaults(), ContractTasks.class, TestTasks.class)) {
      long pid = ProcessPool.of(pool).workerPids()[0];
      TaskFuture<String> running = pool.submit(ContractTasks.GATE, gates.gate("g"));
      TaskFuture<Long> queued = pool.submit(ContractTasks.SQUARE, 12L);
      gates.awaitArrived("g");
      ProcessHandle.of(pid).orElseThrow().destroyForcibly();

      Throwable e = running.exception(LONG);
      assertThat(e).isInstanceOf(WorkerLostException.class)
          .hasMessageContaining("pid " + pid).hasMessageContaining("exit status 137").hasMessageContaining("signal 9");
      WorkerLostException lost = (WorkerLostException) e;
      assertThat(lost.pid()).isEqualTo(pid);
      assertThat(lost.exitStatus()).isEqualTo(137);
      assertThat(lost.workerName()).isEqualTo("lost worker(0)");
      assertThatThrownBy(running::result).isInstanceOf(TaskFailedException.class).hasCauseInstanceOf(WorkerLostException.class);

      assertThat(queued.result(LONG)).isEqualTo(144L);
      long replacement = pool.submit(TestTasks.PID, "x").result(LONG);
      assertThat(replacement).isNotEqualTo(pid);
      assertThat(ProcessPool.of(pool).workerPids()[0]).isEqualTo(replacement);
      assertThat(pool.stats().failed()).isEqualTo(1);
    }
  }

  @Test
  void aTaskThatKillsItsWorkerFailsWithItsExitStatus() {
    try (TaskExecutor pool = pool(1, "halt", ProcessOptions.defaults(), TestTasks.class)) {
      Throwable e = pool.submit(TestTasks.HALT, 42).exception(LONG);
      assertThat(e).isInstanceOf(WorkerLostException.class).hasMessageContaining("exit status 42");
      assertThat(pool.submit(TestTasks.NOOP, 5).result(LONG)).isEqualTo(5);
    }
  }

  @Test
  void aDeadWorkersWriterThreadEndsWithIt() {
    try (TaskExecutor pool = pool(1, "leak", ProcessOptions.defaults(), TestTasks.class)) {
      for (int i = 0; i < 3; i++) {
        assertThat(pool.submit(TestTasks.HALT, 42).exception(LONG)).isInstanceOf(WorkerLostException.class);
      }
      assertThat(pool.submit(TestTasks.NOOP, 5).result(LONG)).isEqualTo(5);
      // one writer thread per live worker: those of the three dead ones must have ended
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(Thread.getAllStackTraces().keySet()).filteredOn(Thread::isAlive)
              .filteredOn(t -> t.getName().equals("spindle-leak worker(0)-writer")).hasSize(1));
    }
  }

  @Test
  void workersAreRecycledAfterMaxTasksPerChild() {
    try (TaskExecutor pool = pool(1, "recycle", ProcessOptions.builder().maxTasksPerChild(3).build(), TestTasks.class)) {
      List<Long> pids = new java.util.ArrayList<>();
      for (int i = 0; i < 9; i++) {
        pids.add(pool.submit(TestTasks.PID, "x").result(LONG));
      }
      assertThat(Set.copyOf(pids)).hasSize(3);
      for (int i = 0; i < 9; i += 3) {
        assertThat(pids.subList(i, i + 3)).containsOnly(pids.get(i));
      }
      assertThat(pool.stats().failed()).isZero();
    }
  }

  @Test
  void recyclingUnderLoadLosesNothing() {
    try (TaskExecutor pool = pool(2, "churn", ProcessOptions.builder().maxTasksPerChild(500).build(), TestTasks.class)) {
      List<TaskFuture<Long>> fs = new java.util.ArrayList<>();
      for (int i = 0; i < 3_000; i++) {
        fs.add(pool.submit(TestTasks.PID, "x"));
      }
      Set<Long> pids = new HashSet<>();
      for (TaskFuture<Long> f : fs) {
        pids.add(f.result(LONG));
      }
      assertThat(pids).hasSizeGreaterThanOrEqualTo(6);
      assertThat(pool.stats().executed()).isEqualTo(3_000);
    }
  }

  @Test
  void theInitializerRunsOncePerWorkerBeforeItsTasks() {
    ProcessOptions o = ProcessOptions.builder().initializer(TestTasks.INIT, "ready").maxTasksPerChild(2).build();
    try (TaskExecutor pool = pool(1, "init", o, TestTasks.class)) {
      for (int i = 0; i < 4; i++) {
        String seen = pool.submit(TestTasks.READ_INIT, "?").result(LONG);
        long pid = pool.submit(TestTasks.PID, "x").result(LONG);
        assertThat(seen).isEqualTo("ready@" + pid);
      }
    }
  }

  @Test
  void aFailingInitializerStopsThePoolFromStartingWithTheReason() {
    ProcessOptions o = ProcessOptions.builder().initializer(TestTasks.FAIL_INIT, "no").build();
    assertThatThrownBy(() -> pool(1, "badinit", o, TestTasks.class))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("could not start")
        .rootCause().isInstanceOf(RemoteTaskException.class).hasMessageContaining("initializer refuses: no");
  }

  @Test
  void anInitializerOutsideTheRegistryIsRefused() {
    ProcessOptions o = ProcessOptions.builder().initializer("nope.missing", "1").build();
    assertThatThrownBy(() -> pool(1, "noinit", o, TestTasks.class))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nope.missing");
  }

  @Test
  void aTaskUnknownToTheWorkerFailsThatFutureClearly() {
    try (TaskExecutor pool = pool(1, "split", ProcessOptions.defaults(), SplitCatalog.class)) {
      Throwable e = pool.submit(SplitCatalog.PARENT_ONLY, "x").exception(LONG);
      assertThat(e).isInstanceOf(RemoteTaskException.class);
      RemoteTaskException r = (RemoteTaskException) e;
      assertThat(r.remoteType()).isEqualTo("dev.spindle.UnknownTaskException");
      assertThat(r.getMessage()).contains("split.parent-only").contains("split worker(0)");
      assertThat(pool.submit(SplitCatalog.EVERYWHERE, "ok").result(LONG)).isEqualTo("ok");
    }
  }

  @Test
  void aRegistryThatWorkersCannotRebuildIsRefused() {
    Task<String, String> adHoc = Task.of("adhoc", String.class, String.class, s -> s);
    assertThatThrownBy(() -> Spindle.executor(ExecutionModel.PROCESSES).workers(1)
        .registry(TaskRegistry.builder().add(adHoc).build()).start())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("TaskCatalog").hasMessageContaining("adhoc");
  }

  @Test
  void remoteExceptionsCarryTypeMessageAndStackTrace() {
    try (TaskExecutor pool = pool(1, "remote", ProcessOptions.defaults(), ContractTasks.class)) {
      Throwable e = pool.submit(ContractTasks.FAIL, "boom").exception(LONG);
      assertThat(e).isInstanceOf(RemoteTaskException.class).hasMessage("java.lang.IllegalStateException: boom");
      assertThat(((RemoteTaskException) e).remoteType()).isEqualTo("java.lang.IllegalStateException");
      assertThat(e.getStackTrace()).anyMatch(f -> f.getClassName().startsWith("dev.spindle.testkit.ContractTasks"));
    }
  }

  @Test
  void workersHaveReadableTitlesInPs() throws Exception {
    try (TaskExecutor pool = pool(2, "primes", ProcessOptions.defaults(), TestTasks.class)) {
      long[] pids = ProcessPool.of(pool).workerPids();
      Process ps = new ProcessBuilder("ps", "-o", "pid=,args=", "-p", pids[0] + "," + pids[1]).start();
      String out = new String(ps.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      ps.waitFor();
      assertThat(out).contains(pids[0] + " primes worker(0) ").contains(pids[1] + " primes worker(1) ")
          .doesNotContain("-cp ").doesNotContain("-classpath");
      assertThat(pool.submit(TestTasks.NOOP, 1).result(LONG)).isEqualTo(1);
    }
  }

  @Test
  void printsOfTasksDoNotCorruptTheProtocol() {
    try (TaskExecutor pool = pool(1, "print", ProcessOptions.builder()
        .stderr(ProcessBuilder.Redirect.DISCARD).build(), TestTasks.class)) {
      for (int i = 0; i < 50; i++) {
        assertThat(pool.submit(TestTasks.PRINT, "line " + i).result(LONG)).isEqualTo("line " + i);
      }
    }
  }

  @Test
  void aStandardErrorPipeThatNobodyReadsIsRefused() {
    // Nothing reads a worker's stderr pipe: a task printing more than the pipe holds (64 KiB) would
    // block its worker for good (System.out goes there too), and the pool's shutdown with it.
    assertThatThrownBy(() -> ProcessOptions.builder().stderr(ProcessBuilder.Redirect.PIPE))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stderr");
    assertThatThrownBy(() -> ProcessOptions.builder().stderr(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stderr");
  }

  @Test
  void shutdownAcknowledgesAndEveryWorkerExits() throws Exception {
    TaskExecutor pool = pool(2, "bye", ProcessOptions.defaults(), TestTasks.class);
    long[] pids = ProcessPool.of(pool).workerPids();
    pool.submit(TestTasks.NOOP, 1).result(LONG);
    pool.shutdown();
    assertThat(pool.awaitTermination(LONG)).isTrue();
    for (long pid : pids) {
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }
  }

  @Test
  void aMalformedAnswerFailsItsFutureAndTheWorkerIsReplaced() {
    try (TaskExecutor pool = pool(1, "malformed", ProcessOptions.defaults(), TestTasks.class)) {
      long pid = ProcessPool.of(pool).workerPids()[0];
      // The pool's first execution has key 1; the task answers it itself with an "ok" that lacks
      // the "output" it must carry.
      TaskFuture<String> f = pool.submit(TestTasks.SEND_FRAME, "{\"op\":\"ok\",\"key\":1,\"nanos\":5}");
      assertThat(f.id()).isEqualTo("1");

      Throwable e = f.exception(Duration.ofSeconds(30));
      assertThat(e).isNotNull().hasMessageContaining("malformed answer").hasMessageContaining("pid " + pid)
          .hasMessageContaining("expected property 'output'");
      // The future fails before the pool kills the worker: wait for its replacement to be ready.
      org.awaitility.Awaitility.await().atMost(LONG).until(() -> {
        long now = ProcessPool.of(pool).workerPids()[0];
        return now != pid && now != -1 && ProcessPool.of(pool).workerStartupMillis()[0] != -1;
      });
      assertThat(pool.submit(TestTasks.NOOP, 5).result(LONG)).isEqualTo(5);
    }
  }

  @Test
  void workSubmittedRightAfterAMalformedAnswerWaitsForTheReplacementInsteadOfBeingLost() {
    try (TaskExecutor pool = pool(1, "condemned", ProcessOptions.defaults(), TestTasks.class)) {
      for (int round = 0; round < 3; round++) {
        long pid = ProcessPool.of(pool).workerPids()[0];
        TaskFuture<String> f = pool.submit(TestTasks.SEND_FRAME, "{\"op\":\"ok\",\"key\":" + (2 * round + 1)
            + ",\"nanos\":5}");
        assertThat(f.exception(Duration.ofSeconds(30))).hasMessageContaining("malformed answer")
            .hasMessageContaining("pid " + pid);
        // no wait for the replacement: the condemned worker must not be handed this one
        assertThat(pool.submit(TestTasks.NOOP, round).result(LONG)).isEqualTo(round);
        assertThat(ProcessPool.of(pool).workerPids()[0]).isNotEqualTo(pid);
      }
    }
  }

  @Test
  void oversizedInputIsRefusedAtSubmit() {
    try (TaskExecutor pool = pool(1, "big", ProcessOptions.builder().maxPayloadBytes(1000).build(), TestTasks.class)) {
      assertThatThrownBy(() -> pool.submit(TestTasks.PRINT, "x".repeat(2000)))
          .isInstanceOf(dev.spindle.PayloadException.class).hasMessageContaining("over the limit of 1000");
      assertThat(pool.stats().queued()).isZero();
    }
  }
}
