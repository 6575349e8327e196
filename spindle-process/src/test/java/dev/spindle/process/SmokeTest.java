package dev.spindle.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.ExecutionModel;
import dev.spindle.MapOptions;
import dev.spindle.Spindle;
import dev.spindle.TaskExecutor;
import dev.spindle.TaskFuture;
import dev.spindle.TaskRegistry;
import dev.spindle.ResultIterator;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SmokeTest {
  @Test
  void runsTasks() {
    long s0 = System.nanoTime();
    TaskExecutor pool = Spindle.executor(ExecutionModel.PROCESSES).workers(2).name("smoke")
        .registry(TaskRegistry.of(TestTasks.class)).start();
    System.out.println("start " + (System.nanoTime() - s0) / 1_000_000 + " ms");
    try {
      assertThat(pool.submit(TestTasks.NOOP, 41).result()).isEqualTo(41);
      for (int round = 0; round < 3; round++) {
        List<TaskFuture<Integer>> fs = new ArrayList<>(200_000);
        long t0 = System.nanoTime();
        for (int i = 0; i < 200_000; i++) {
          fs.add(pool.submit(TestTasks.NOOP, i));
        }
        long sum = 0;
        for (int i = 0; i < fs.size(); i++) {
          sum += fs.get(i).result();
        }
        long ns = System.nanoTime() - t0;
        System.out.println("200k in " + ns / 1_000_000 + " ms = " + (200_000L * 1_000_000_000 / ns) + "/s " + sum);
      }
      for (int round = 0; round < 3; round++) {
        long t0 = System.nanoTime();
        long sum = 0;
        int n = 5_000_000;
        try (ResultIterator<Integer> it = pool.map(TestTasks.NOOP, () -> IntStream.range(0, n).iterator(),
            MapOptions.defaults().withChunkSize(20_000))) {
          while (it.hasNext()) {
            sum += it.next();
          }
        }
        long ns = System.nanoTime() - t0;
        System.out.println("map 5M in " + ns / 1_000_000 + " ms = " + (n * 1_000_000_000L / ns) + "/s " + sum);
      }
      assertThat(pool.submit(TestTasks.PRINT, "hi").result()).isEqualTo("hi");
      System.out.println(pool.stats());
    } finally {
      long c0 = System.nanoTime();
      pool.close();
      System.out.println("close " + (System.nanoTime() - c0) / 1_000_000 + " ms");
    }
  }
}
