package dev.spindle.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.Task;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.memory.InMemoryJobStore;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A step with its own input and a step fed by its dependencies cannot be confused: a {@code null}
 * own input for a task that takes a value is refused when the workflow is built, and
 * {@link Workflow#fromUpstream} hands the step the previous step's result.
 */
class WorkflowInputMisuseTest {
  record Order(String id, long cents) {}

  private static final Task<Order, Long> TOTAL = Task.of("wfm.total", Order.class, Long.class, Order::cents);
  private static final Task<Long, Long> DOUBLE = Task.of("wfm.double", Long.class, Long.class, x -> x * 2);
  private static final Task<Void, String> PING = Task.of("wfm.ping", Void.class, String.class, v -> "pong");
  private static final TaskRegistry REGISTRY = TaskRegistry.builder().add(TOTAL).add(DOUBLE).add(PING).build();

  @Test
  void aNullInputForATaskThatTakesARecordIsRefusedAtBuildTimeNamingTheFedStep() {
    assertThatThrownBy(() -> Workflow.task(TOTAL, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("task 'wfm.total' was given a null input")
        .hasMessageContaining(Order.class.getTypeName())
        .hasMessageContaining("Workflow.fromUpstream(task)");
    assertThatThrownBy(() -> Workflow.task(DOUBLE, null, JobOptions.defaults()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("java.lang.Long");
    assertThatThrownBy(() -> Workflow.dag().node("total", TOTAL, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nodeFromUpstream");
  }

  @Test
  void aTaskThatTakesVoidMayBeGivenNull() {
    assertThat(Workflow.task(PING, null).size()).isEqualTo(1);
    assertThat(Workflow.dag().node("ping", PING, null).build().size()).isEqualTo(1);
  }

  @Test
  void aFedStepReceivesThePreviousStepsResult() throws Exception {
    try (InMemoryJobStore store = new InMemoryJobStore();
         JobQueue q = JobQueue.builder(store).registry(REGISTRY).build();
         Worker w = Worker.builder(store).registry(REGISTRY).pollInterval(Duration.ofMillis(20)).start()) {
      WorkflowHandle h = q.submit(Workflow.chain(Workflow.task(TOTAL, new Order("o-1", 1250L)),
          Workflow.fromUpstream(DOUBLE), Workflow.fromUpstream(DOUBLE, JobOptions.defaults())));
      assertThat(h.last().get(0).result(Duration.ofSeconds(20)).asLong()).isEqualTo(5000L);
      WorkflowHandle dag = q.submit(Workflow.dag().node("total", TOTAL, new Order("o-2", 7L))
          .nodeFromUpstream("double", DOUBLE).edge("total", "double").build());
      assertThat(dag.last().get(0).result(Duration.ofSeconds(20)).asLong()).isEqualTo(14L);
    }
  }
}
