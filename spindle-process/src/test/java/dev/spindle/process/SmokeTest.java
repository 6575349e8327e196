package dev.spindle.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.ExecutionModel;
import dev.spindle.Spindle;
import dev.spindle.TaskExecutor;
import dev.spindle.TaskFuture;
import dev.spindle.TaskRegistry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SmokeTest {
  @Test
  void runsTasks() {
    try (TaskExecutor pool = Spindle.executor(ExecutionModel.PROCESSES).workers(2).name("smoke")
        .registry(TaskRegistry.of(TestTasks.class)).start()) {
      assertThat(pool.submit(TestTasks.NOOP, 41).result()).isEqualTo(41);
      List<TaskFuture<Integer>> fs = new ArrayList<>();
      long t0 = System.nanoTime();
      for (int i = 0; i < 100_000; i++) {
        fs.add(pool.submit(TestTasks.NOOP, i));
      }
      for (int i = 0; i < fs.size(); i++) {
        assertThat(fs.get(i).result()).isEqualTo(i);
      }
      System.out.println("100k in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
      assertThat(pool.submit(TestTasks.PRINT, "hi").result()).isEqualTo("hi");
      System.out.println(pool.stats());
    }
  }
}
