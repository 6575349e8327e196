package dev.spindle.testkit;

import static dev.spindle.testkit.ContractTasks.CONTEXT;
import static dev.spindle.testkit.ContractTasks.ECHO;
import static dev.spindle.testkit.ContractTasks.FAIL;
import static dev.spindle.testkit.ContractTasks.GATE;
import static dev.spindle.testkit.ContractTasks.SQUARE;
import static dev.spindle.testkit.ContractTasks.SQUARE_NON_NEGATIVE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.spindle.ExecutionLabel;
import dev.spindle.ExecutionModel;
import dev.spindle.MapOptions;
import dev.spindle.RejectedSubmissionException;
import dev.spindle.ResultIterator;
import dev.spindle.Task;
import dev.spindle.TaskExecutor;
import dev.spindle.TaskFailedException;
import dev.spindle.TaskFuture;
import dev.spindle.TaskTimeoutException;
import dev.spindle.UnknownTaskException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * Part 1 of {@link ExecutorContract}: what a submission gives back - results, execution ids and
 * labels, refused unknown tasks, a task's exception at {@code result()} not at submit - and
 * {@code map}: input order, laziness, per-element failures, its timeout, closing and shutdown.
 * Subclass {@link ExecutorContract}, not this.
 */
public abstract class ExecutorResultsContract extends ExecutorContractFixture {
  /** A task that is not in {@link ContractTasks}, so every contract executor must refuse it. */
  private static final Task<Long, Long> NOT_REGISTERED =
      Task.of("contract.not-registered", Long.class, Long.class, x -> x);

  private static List<Long> drain(Iterator<Long> it) {
    List<Long> out = new ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }

  // ---------------------------------------------------------------- results

  @Test
  public void submitReturnsTheResult() {
    TaskExecutor pool = executor();
    assertThat(pool.submit(SQUARE, 7L).result()).isEqualTo(49L);
    assertThat(pool.submit(ECHO, "hello").result(LONG)).isEqualTo("hello");
    assertThat(pool.model()).isEqualTo(model());
  }

  @Test
  public void manySubmissionsAllComplete() {
    TaskExecutor pool = executor();
    List<TaskFuture<Long>> fs = new ArrayList<>();
    for (long i = 0; i < 500; i++) {
      fs.add(pool.submit(SQUARE, i));
    }
    long sum = 0;
    for (TaskFuture<Long> f : fs) {
      sum += f.result(LONG);
    }
    assertThat(sum).isEqualTo(LongStream.range(0, 500).map(x -> x * x).sum());
  }

  @Test
  @SuppressWarnings("NullAway") // a null input is allowed; NullAway reads the unconstrained I as non-null
  public void nullInputIsPassedThrough() {
    assertThat(executor().submit(ECHO, null).result(LONG)).isNull();
  }

  @Test
  public void executionIdsAreUniqueAndTheContextDescribesTheExecution() {
    TaskExecutor pool = executor();
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      TaskFuture<ContractTasks.ContextInfo> f = pool.submit(CONTEXT, "x");
      ContractTasks.ContextInfo info = f.result(LONG);
      assertThat(f.taskName()).isEqualTo(CONTEXT.name());
      assertThat(info.taskName()).isEqualTo(CONTEXT.name());
      assertThat(info.executionId()).isEqualTo(f.id());
      assertThat(info.attempt()).isEqualTo(1);
      assertThat(info.workerName()).isNotBlank();
      ids.add(f.id());
    }
    assertThat(ids).hasSize(50);
  }

  @Test
  @SuppressWarnings("NullAway") // passes a null label on purpose: the null check under test
  public void aLabelledSubmissionShowsTheLabelsIdAndAttemptToTheTask() {
    TaskExecutor pool = executor();
    TaskFuture<ContractTasks.ContextInfo> f = pool.submit(CONTEXT, "x", new ExecutionLabel("job-42", 3));
    ContractTasks.ContextInfo info = f.result(LONG);
    assertThat(info.taskName()).isEqualTo(CONTEXT.name());
    if (model() == ExecutionModel.DISTRIBUTED) {
      // the queue names its jobs and counts their attempts itself
      assertThat(info.executionId()).isEqualTo(f.id());
      assertThat(info.attempt()).isEqualTo(1);
    } else {
      assertThat(info.executionId()).isEqualTo("job-42");
      assertThat(info.attempt()).isEqualTo(3);
    }
    assertThatThrownBy(() -> pool.submit(CONTEXT, "x", null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  public void aTaskNotInTheRegistryIsRefusedWithAClearError() {
    TaskExecutor pool = executor();
    assertThatThrownBy(() -> pool.submit(NOT_REGISTERED, 1L))
        .isInstanceOf(UnknownTaskException.class)
        .hasMessageContaining("contract.not-registered");
    assertThatThrownBy(() -> pool.map(NOT_REGISTERED, List.of(1L)))
        .isInstanceOf(UnknownTaskException.class);
    assertThat(pool.submit(SQUARE, 2L).result(LONG)).isEqualTo(4L);
  }

  // ---------------------------------------------------------------- exceptions

  @Test
  public void aTaskExceptionSurfacesAtResultNotAtSubmit() {
    TaskExecutor pool = executor();
    TaskFuture<String> f = pool.submit(FAIL, "boom");
    Throwable t = catchThrowable(f::result);
    assertThat(t).isInstanceOf(TaskFailedException.class).hasMessageContaining(FAIL.name());
    TaskFailedException tfe = (TaskFailedException) t;
    assertThat(tfe.taskName()).isEqualTo(FAIL.name());
    assertThat(tfe.executionId()).isEqualTo(f.id());
    assertTaskException(tfe.getCause(), IllegalStateException.class, "boom");
    assertThat(f.isDone()).isTrue();
    assertThat(f.isCancelled()).isFalse();
    assertThat(f.state()).isEqualTo(Future.State.FAILED);
    assertTaskException(f.exception(LONG), IllegalStateException.class, "boom");
    assertThatThrownBy(() -> f.result(LONG)).isInstanceOf(TaskFailedException.class);
    // the executor is unaffected
    assertThat(pool.submit(SQUARE, 3L).result(LONG)).isEqualTo(9L);
    assertThat(pool.submit(ECHO, "ok").exception(LONG)).isNull();
  }

  // ---------------------------------------------------------------- map

  @Test
  public void mapYieldsOutputsInInputOrder() {
    TaskExecutor pool = executor();
    List<Long> inputs = LongStream.range(0, 300).boxed().toList();
    List<Long> expected = inputs.stream().map(x -> x * x).toList();
    try (ResultIterator<Long> it = pool.map(SQUARE, inputs)) {
      assertThat(drain(it)).isEqualTo(expected);
    }
    try (ResultIterator<Long> it = pool.map(SQUARE, inputs, MapOptions.defaults().withChunkSize(7))) {
      assertThat(drain(it)).isEqualTo(expected);
    }
    try (ResultIterator<Long> it = pool.map(SQUARE, inputs, MapOptions.defaults().withWindow(1).withChunkSize(2))) {
      assertThat(drain(it)).isEqualTo(expected);
    }
    try (ResultIterator<Long> it = pool.map(SQUARE, List.of())) {
      assertThat(it.hasNext()).isFalse();
    }
  }

  @Test
  public void mapIsLazyAndWorksOnAnEndlessIterable() {
    TaskExecutor pool = executor();
    AtomicLong reads = new AtomicLong();
    Iterable<Long> endless = () -> new Iterator<>() {
      @Override
      public boolean hasNext() {
        return true;
      }

      @Override
      public Long next() {
        return reads.getAndIncrement();
      }
    };
    int window = 3;
    int chunk = 2;
    try (ResultIterator<Long> it = pool.map(SQUARE, endless, MapOptions.defaults().withWindow(window).withChunkSize(chunk))) {
      for (long i = 0; i < 40; i++) {
        assertThat(it.next()).isEqualTo(i * i);
        assertThat(reads.get()).as("inputs read after %d outputs", i + 1).isLessThanOrEqualTo(i + 1 + (long) window * chunk + chunk);
      }
    }
  }

  @Test
  public void mapReportsFailuresPerElementAndGoesOn() {
    TaskExecutor pool = executor();
    for (int chunk : new int[] {1, 3}) {
      try (ResultIterator<Long> it = pool.map(SQUARE_NON_NEGATIVE, List.of(1L, -2L, 3L, -4L),
          MapOptions.defaults().withChunkSize(chunk))) {
        assertThat(it.next()).isEqualTo(1L);
        Throwable t = catchThrowable(it::next);
        assertThat(t).isInstanceOf(TaskFailedException.class);
        assertTaskException(t.getCause(), IllegalArgumentException.class, "negative input -2");
        assertThat(it.next()).isEqualTo(9L);
        assertThatThrownBy(it::next).isInstanceOf(TaskFailedException.class);
        assertThat(it.hasNext()).isFalse();
      }
    }
  }

  @Test
  public void mapTimesOutAndCancelsWhatIsLeft() throws InterruptedException {
    TaskExecutor pool = executor();
    List<ContractTasks.Gate> inputs = List.of(gates.gate("m0"), gates.gate("m1"), gates.gate("m2"));
    ResultIterator<String> it = pool.map(GATE, inputs, MapOptions.defaults().withTimeout(SHORT));
    assertThatThrownBy(it::next).isInstanceOf(TaskTimeoutException.class).hasMessageContaining(GATE.name());
    assertThat(it.hasNext()).isFalse();
    terminate(pool); // the gates were never released: only cancellation lets the pool terminate
    gates.awaitNoneWaiting();
  }

  @Test
  public void closingAMapCancelsPendingExecutions() throws InterruptedException {
    TaskExecutor pool = executor();
    int n = slots() + 3;
    List<ContractTasks.Gate> inputs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      inputs.add(gates.gate("c" + i));
    }
    ResultIterator<String> it = pool.map(GATE, inputs, MapOptions.defaults().withWindow(n));
    assertThat(it.hasNext()).isTrue();
    gates.awaitArrivedCount(bounded() ? workers() : n);
    it.close();
    assertThat(it.hasNext()).isFalse();
    terminate(pool);
    gates.awaitNoneWaiting();
    if (bounded()) {
      assertThat(gates.arrivedCount()).as("queued inputs never ran").isEqualTo(workers());
    }
    assertThat(pool.stats().cancelled()).isGreaterThanOrEqualTo(1);
  }

  @Test
  public void mapAfterShutdownIsRejected() {
    TaskExecutor pool = executor();
    pool.shutdown();
    assertThatThrownBy(() -> pool.map(SQUARE, List.of(1L, 2L)))
        .isInstanceOf(RejectedSubmissionException.class)
        .satisfies(e -> assertThat(((RejectedSubmissionException) e).reason())
            .isEqualTo(RejectedSubmissionException.Reason.SHUTDOWN));
  }
}
