package dev.spindle.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.ExecutionModel;
import dev.spindle.MapOptions;
import dev.spindle.RemoteTaskException;
import dev.spindle.ResultIterator;
import dev.spindle.Spindle;
import dev.spindle.TaskExecutor;
import dev.spindle.TaskFailedException;
import dev.spindle.TaskRegistry;
import dev.spindle.testkit.ContractTasks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Chunked map over worker JVMs: one message per chunk, per-element outcomes, order kept. */
@Timeout(120)
class ProcessMapTest {
  private static TaskExecutor pool;

  @BeforeAll
  static void start() {
    pool = Spindle.executor(ExecutionModel.PROCESSES).workers(2).name("maps")
        .registry(TaskRegistry.of(ContractTasks.class, TestTasks.class)).start();
  }

  @AfterAll
  static void stop() {
    pool.close();
  }

  @Test
  void chunkedMapKeepsInputOrderAndReportsEachFailureAtItsPosition() {
    List<Long> inputs = LongStream.range(-3, 997).boxed().toList();
    List<Object> seen = new ArrayList<>();
    try (ResultIterator<Long> it = pool.map(ContractTasks.SQUARE_NON_NEGATIVE, inputs,
        MapOptions.defaults().withChunkSize(7).withTimeout(Duration.ofSeconds(60)))) {
      while (it.hasNext()) {
        try {
          seen.add(it.next());
        } catch (TaskFailedException e) {
          assertThat(e.getCause()).isInstanceOf(RemoteTaskException.class).hasMessageContaining("negative input");
          seen.add("failed");
        }
      }
    }
    assertThat(seen).hasSize(1000);
    assertThat(seen.subList(0, 3)).containsOnly("failed");
    for (int i = 3; i < 1000; i++) {
      long x = i - 3;
      assertThat(seen.get(i)).isEqualTo(x * x);
    }
    assertThat(pool.stats().failed()).isGreaterThanOrEqualTo(3);
  }

  @Test
  void aChunkWhoseWorkerDiesFailsEachOfItsInputsAndTheMapGoesOn() {
    List<Integer> inputs = List.of(1, 2, 3, 4);
    List<String> outcomes = new ArrayList<>();
    try (ResultIterator<Integer> it = pool.map(TestTasks.HALT, inputs, MapOptions.defaults().withChunkSize(2))) {
      while (it.hasNext()) {
        try {
          outcomes.add("ok " + it.next());
        } catch (TaskFailedException e) {
          outcomes.add(e.getCause().getClass().getSimpleName());
        }
      }
    }
    assertThat(outcomes).containsOnly("WorkerLostException").hasSize(4);
    assertThat(pool.submit(TestTasks.NOOP, 3).result(Duration.ofSeconds(60))).isEqualTo(3);
  }

  @Test
  void aChunkTooLargeForOneMessageIsRefusedClearly() {
    List<String> big = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      big.add("x".repeat(1 << 18));
    }
    assertThatThrownBy(() -> {
      try (ResultIterator<String> it = pool.map(ContractTasks.ECHO, big, MapOptions.defaults().withChunkSize(300))) {
        it.next();
      }
    }).isInstanceOf(dev.spindle.PayloadException.class).hasMessageContaining("smaller chunkSize");
  }
}
