package dev.spindle.testkit;

import static dev.spindle.testkit.ContractTasks.FAIL;
import static dev.spindle.testkit.ContractTasks.GATE;
import static dev.spindle.testkit.ContractTasks.SQUARE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.spindle.ExecutorStats;
import dev.spindle.RejectedSubmissionException;
import dev.spindle.TaskExecutor;
import dev.spindle.TaskFuture;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link TaskExecutor} backend honours, in three parts on one fixture
 * ({@link ExecutorContractFixture}): results, exceptions and {@code map}
 * ({@link ExecutorResultsContract}); the futures - cancellation, timeouts, {@code wait},
 * {@code asCompleted}, done-callbacks, {@link CompletableFuture} composition
 * ({@link ExecutorFuturesContract}); and here the executor as a whole - statistics, backpressure,
 * shutdown and the {@link ExecutorService} view.
 *
 * <p>Subclass it once per model (and configuration worth covering) and implement {@link #model()}.
 * Every task it runs comes from the portable catalog {@link ContractTasks}, so it runs unchanged
 * against executors whose workers are other JVMs. Blocking is done by {@link ContractTasks#GATE}
 * tasks released through a {@link GateServer}; no test sleeps. Expected timeouts are short (at
 * most 200 ms); every other wait is bounded by {@link GateServer#DEFAULT_WAIT} so a broken backend
 * fails instead of hanging.
 *
 * <p>Capability hooks (override when the model differs; they change what is asserted, never skip
 * a test): {@link #workers()}, {@link #supportsExecutorService()}, {@link #configure}.
 */
public abstract class ExecutorContract extends ExecutorFuturesContract {
  // ---------------------------------------------------------------- statistics

  @Test
  public void statisticsCountExecutionsFailuresAndGauges() {
    TaskExecutor pool = executor();
    ExecutorStats zero = pool.stats();
    assertThat(zero.executed()).isZero();
    assertThat(zero.failed()).isZero();
    assertThat(zero.cancelled()).isZero();
    assertThat(zero.rejected()).isZero();
    assertThat(zero.totalRuntime()).isEqualTo(Duration.ZERO);
    assertThat(zero.averageRuntime()).isEqualTo(Duration.ZERO);
    for (long i = 0; i < 5; i++) {
      pool.submit(SQUARE, i).result(LONG);
    }
    for (int i = 0; i < 2; i++) {
      pool.submit(FAIL, "x").exception(LONG);
    }
    ExecutorStats s = pool.stats();
    assertThat(s.executed()).isEqualTo(7);
    assertThat(s.failed()).isEqualTo(2);
    assertThat(s.cancelled()).isZero();
    assertThat(s.rejected()).isZero();
    assertThat(s.totalRuntime()).isGreaterThanOrEqualTo(Duration.ZERO);
    assertThat(s.active()).isZero();
    assertThat(s.queued()).isZero();

    List<TaskFuture<String>> running = fillWorkers(pool, "s");
    List<TaskFuture<String>> waiting = new ArrayList<>();
    if (bounded()) {
      waiting.add(pool.submit(GATE, gates.gate("sq0")));
      waiting.add(pool.submit(GATE, gates.gate("sq1")));
    }
    ExecutorStats busy = pool.stats();
    assertThat(busy.active()).isEqualTo(slots());
    assertThat(busy.queued()).isEqualTo(waiting.size());
    gates.openAll();
    for (TaskFuture<String> f : running) {
      f.result(LONG);
    }
    for (TaskFuture<String> f : waiting) {
      f.result(LONG);
    }
    ExecutorStats after = pool.stats();
    assertThat(after.executed()).isEqualTo(7 + running.size() + waiting.size());
    assertThat(after.totalRuntime()).isGreaterThan(Duration.ZERO);
    assertThat(after.averageRuntime()).isGreaterThan(Duration.ZERO);
  }

  // ---------------------------------------------------------------- backpressure

  @Test
  public void aFullBacklogRejectsSubmissionsClearly() {
    TaskExecutor pool = executor(b -> b.maxQueued(2));
    List<TaskFuture<String>> accepted = new ArrayList<>();
    if (bounded()) {
      accepted.addAll(fillWorkers(pool, "b"));
    }
    accepted.add(pool.submit(GATE, gates.gate("bq0")));
    accepted.add(pool.submit(GATE, gates.gate("bq1")));
    Throwable t = catchThrowable(() -> pool.submit(SQUARE, 1L));
    assertThat(t).isInstanceOf(RejectedSubmissionException.class).hasMessageContaining("2");
    assertThat(((RejectedSubmissionException) t).reason()).isEqualTo(RejectedSubmissionException.Reason.BACKLOG_FULL);
    assertThat(t).isInstanceOf(RejectedExecutionException.class);
    assertThat(pool.stats().rejected()).isEqualTo(1);
    gates.openAll();
    for (TaskFuture<String> f : accepted) {
      f.result(LONG);
    }
    assertThat(pool.submit(SQUARE, 2L).result(LONG)).isEqualTo(4L);
  }

  @Test
  public void cancellingAQueuedExecutionFreesItsBacklogSlot() {
    TaskExecutor pool = executor(b -> b.maxQueued(1));
    if (!bounded()) {
      TaskFuture<String> g = pool.submit(GATE, gates.gate("inflight"));
      gates.awaitArrived("inflight");
      assertThatThrownBy(() -> pool.submit(SQUARE, 1L)).isInstanceOf(RejectedSubmissionException.class);
      g.cancel(true);
      gates.awaitDeparted("inflight");
      org.awaitility.Awaitility.await().atMost(LONG).untilAsserted(() ->
          assertThat(catchThrowable(() -> pool.submit(SQUARE, 1L).result(LONG))).isNull());
      return;
    }
    fillWorkers(pool, "f");
    TaskFuture<String> queued = pool.submit(GATE, gates.gate("fq"));
    assertThatThrownBy(() -> pool.submit(SQUARE, 1L)).isInstanceOf(RejectedSubmissionException.class);
    queued.cancel(true);
    TaskFuture<Long> next = pool.submit(SQUARE, 3L);
    gates.openAll();
    assertThat(next.result(LONG)).isEqualTo(9L);
  }

  // ---------------------------------------------------------------- shutdown

  @Test
  public void submitAfterShutdownFailsClearly() throws InterruptedException {
    TaskExecutor pool = executor();
    assertThat(pool.isShutdown()).isFalse();
    pool.shutdown();
    pool.shutdown(); // idempotent
    assertThat(pool.isShutdown()).isTrue();
    Throwable t = catchThrowable(() -> pool.submit(SQUARE, 1L));
    assertThat(t).isInstanceOf(RejectedSubmissionException.class).hasMessageContaining("shut down");
    assertThat(((RejectedSubmissionException) t).reason()).isEqualTo(RejectedSubmissionException.Reason.SHUTDOWN);
    assertThat(pool.stats().rejected()).isEqualTo(1);
    assertThat(pool.awaitTermination(LONG)).isTrue();
    assertThat(pool.isTerminated()).isTrue();
  }

  @Test
  public void shutdownIsGracefulQueuedAndRunningWorkFinishes() throws InterruptedException {
    TaskExecutor pool = executor();
    List<TaskFuture<String>> fs = new ArrayList<>(fillWorkers(pool, "g"));
    fs.add(pool.submit(GATE, gates.gate("gq")));
    assertThat(pool.awaitTermination(Duration.ofMillis(20))).as("terminated before shutdown").isFalse();
    pool.shutdown();
    assertThat(pool.isShutdown()).isTrue();
    assertThat(pool.isTerminated()).isFalse();
    assertThat(pool.awaitTermination(SHORT)).isFalse();
    gates.openAll();
    assertThat(pool.awaitTermination(LONG)).isTrue();
    assertThat(pool.isTerminated()).isTrue();
    for (TaskFuture<String> f : fs) {
      assertThat(f.isDone()).isTrue();
      assertThat(f.result()).startsWith("g");
    }
  }

  @Test
  public void shutdownNowCancelsQueuedAndStopsRunningWork() throws InterruptedException {
    TaskExecutor pool = executor();
    List<TaskFuture<String>> running = fillWorkers(pool, "n");
    List<TaskFuture<String>> queued = new ArrayList<>();
    if (bounded()) {
      queued.add(pool.submit(GATE, gates.gate("nq0")));
      queued.add(pool.submit(GATE, gates.gate("nq1")));
    }
    List<TaskFuture<?>> never = pool.shutdownNow();
    assertThat(never).containsExactlyInAnyOrderElementsOf(queued);
    for (TaskFuture<?> f : never) {
      assertThat(f.isCancelled()).isTrue();
    }
    assertThat(pool.awaitTermination(LONG)).isTrue();
    for (TaskFuture<String> f : running) {
      assertThat(f.isDone()).isTrue();
      assertThat(catchThrowable(f::result)).isNotNull();
    }
    gates.awaitNoneWaiting();
    assertThat(gates.hasArrived("nq0")).isFalse();
    assertThat(gates.hasArrived("nq1")).isFalse();
    assertThatThrownBy(() -> pool.submit(SQUARE, 1L)).isInstanceOf(RejectedSubmissionException.class);
  }

  @Test
  public void closeWaitsForEverySubmittedExecution() {
    List<TaskFuture<Long>> fs = new ArrayList<>();
    TaskExecutor pool = executor();
    try (pool) {
      for (long i = 0; i < 50; i++) {
        fs.add(pool.submit(SQUARE, i));
      }
    }
    assertThat(pool.isTerminated()).isTrue();
    for (int i = 0; i < fs.size(); i++) {
      assertThat(fs.get(i).isDone()).isTrue();
      assertThat(fs.get(i).result()).isEqualTo((long) i * i);
    }
    pool.close(); // idempotent
  }

  // ---------------------------------------------------------------- ExecutorService

  @Test
  public void theExecutorServiceViewRunsClosuresOrIsUnsupported() throws Exception {
    TaskExecutor pool = executor();
    if (!supportsExecutorService()) {
      assertThatThrownBy(pool::asExecutorService).isInstanceOf(UnsupportedOperationException.class)
          .hasMessageContaining(model().name());
      return;
    }
    ExecutorService es = pool.asExecutorService();
    assertThat(es.submit(() -> 42).get(LONG.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(42);
    CountDownLatch ran = new CountDownLatch(1);
    es.execute(ran::countDown);
    assertThat(ran.await(LONG.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    assertThat(es.submit(() -> { }, "done").get(LONG.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("done");
    List<Future<Integer>> all = es.invokeAll(List.<java.util.concurrent.Callable<Integer>>of(() -> 1, () -> 2, () -> 3));
    List<Integer> values = new ArrayList<>();
    for (Future<Integer> f : all) {
      values.add(f.get());
    }
    assertThat(values).containsExactly(1, 2, 3);
    assertThat(es.invokeAny(List.<java.util.concurrent.Callable<Integer>>of(() -> 7))).isEqualTo(7);
    Future<Object> failing = es.submit(() -> {
      throw new IOException("closure failed");
    });
    assertThatThrownBy(() -> failing.get(LONG.toMillis(), TimeUnit.MILLISECONDS))
        .isInstanceOf(java.util.concurrent.ExecutionException.class);
    assertThat(pool.stats().executed()).isGreaterThanOrEqualTo(7);
    es.shutdown();
    assertThat(pool.isShutdown()).isTrue();
    assertThatThrownBy(() -> es.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
    assertThat(es.awaitTermination(LONG.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    assertThat(es.isTerminated()).isTrue();
  }
}
