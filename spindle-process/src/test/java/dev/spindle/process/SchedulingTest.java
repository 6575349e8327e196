package dev.spindle.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.ExecutionModel;
import dev.spindle.Spindle;
import dev.spindle.TaskExecutor;
import dev.spindle.TaskFuture;
import dev.spindle.TaskRegistry;
import dev.spindle.testkit.ContractTasks;
import dev.spindle.testkit.GateServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Work sent ahead to a busy worker is taken back when another worker idles, or when cancelled. */
@Timeout(120)
class SchedulingTest {
  private static final Duration LONG = Duration.ofSeconds(60);

  @Test
  void workSentAheadBehindALongTaskMovesToAnIdleWorker() throws Exception {
    try (GateServer gates = new GateServer();
        TaskExecutor pool = Spindle.executor(ExecutionModel.PROCESSES).workers(2).name("steal")
            .registry(TaskRegistry.of(ContractTasks.class)).start()) {
      // Fast tasks teach the pool to send work ahead.
      List<TaskFuture<Long>> warm = new ArrayList<>();
      for (long i = 0; i < 2_000; i++) {
        warm.add(pool.submit(ContractTasks.SQUARE, i));
      }
      warm.forEach(f -> f.result(LONG));

      TaskFuture<String> a = pool.submit(ContractTasks.GATE, gates.gate("a"));
      TaskFuture<String> b = pool.submit(ContractTasks.GATE, gates.gate("b"));
      gates.awaitArrived("a", "b");
      TaskFuture<Long> x1 = pool.submit(ContractTasks.SQUARE, 3L);
      TaskFuture<Long> x2 = pool.submit(ContractTasks.SQUARE, 4L);
      TaskFuture<Long> x3 = pool.submit(ContractTasks.SQUARE, 5L);
      x3.cancel(true); // withdrawn from the worker it was sent to, without killing it

      gates.release("b");
      assertThat(b.result(LONG)).isEqualTo("b");
      // Whichever worker holds gate a, the squares must not wait for it.
      assertThat(x1.result(LONG)).isEqualTo(9L);
      assertThat(x2.result(LONG)).isEqualTo(16L);
      assertThat(a.isDone()).isFalse();
      assertThat(gates.hasDeparted("a")).isFalse();
      assertThat(x3.isCancelled()).isTrue();

      gates.release("a");
      assertThat(a.result(LONG)).isEqualTo("a");
      assertThat(pool.stats().cancelled()).isEqualTo(1);
      assertThat(pool.stats().failed()).isZero();
    }
  }
}
