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
import dev.spindle.ExecutorConfig;
import dev.spindle.ExecutorStats;
import dev.spindle.Futures;
import dev.spindle.MapOptions;
import dev.spindle.RejectedSubmissionException;
import dev.spindle.RemoteTaskException;
import dev.spindle.ResultIterator;
import dev.spindle.Spindle;
import dev.spindle.Task;
import dev.spindle.TaskExecutor;
import dev.spindle.TaskFailedException;
import dev.spindle.TaskFuture;
import dev.spindle.TaskRegistry;
import dev.spindle.TaskTimeoutException;
import dev.spindle.UnknownTaskException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract every {@link TaskExecutor} backend honours: results, map ordering and laziness,
 * exceptions at {@code result()} not at submit, cancellation of queued and running executions,
 * timeouts (result, map, wait, asCompleted), done-callbacks, statistics, backpressure, shutdown,
 * {@link CompletableFuture} composition and the {@link ExecutorService} view.
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
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class ExecutorContract {
  private static final Duration LONG = GateServer.DEFAULT_WAIT;
  private static final Duration SHORT = Duration.ofMillis(150);

  /** A task that is not in {@link ContractTasks}, so every contract executor must refuse it. */
  private static final Task<Long, Long> NOT_REGISTERED =
      Task.of("contract.not-registered", Long.class, Long.class, x -> x);

  /** The gate server of the current test. */
  protected GateServer gates;
  private final List<TaskExecutor> started = new ArrayList<>();

  /** The model under test. */
  protected abstract ExecutionModel model();

  /**
   * The worker count the suite configures: default 2, and 1 for SEQUENTIAL. Return 0 to test
   * VIRTUAL's unlimited mode, where nothing ever waits for a worker (queue-related assertions then
   * check that executions run at once instead).
   */
  protected int workers() {
    return model() == ExecutionModel.SEQUENTIAL ? 1 : 2;
  }

  /** Adds backend settings (e.g. process options) to every configuration the suite builds. */
  protected ExecutorConfig.Builder configure(ExecutorConfig.Builder builder) {
    return builder;
  }

  /**
   * True if {@link TaskExecutor#asExecutorService()} works; false if it must throw
   * {@link UnsupportedOperationException} (models whose workers are other JVMs). Default true.
   */
  protected boolean supportsExecutorService() {
    return true;
  }

  /** Starts the executor for a configuration; override to start it differently. */
  protected TaskExecutor start(ExecutorConfig config) {
    return Spindle.start(config);
  }

  /** True when executions can wait for a worker (a fixed worker count). */
  protected final boolean bounded() {
    return workers() > 0;
  }

  /** How many gates run at once before one queues (2 for unlimited mode). */
  private int slots() {
    return bounded() ? workers() : 2;
  }

  /** Starts an executor with the suite's registry and worker count, then {@code custom}. */
  protected final TaskExecutor executor(UnaryOperator<ExecutorConfig.Builder> custom) {
    ExecutorConfig.Builder b = Spindle.executor(model()).registry(TaskRegistry.of(ContractTasks.class))
        .workers(workers()).name("contract-" + model().name().toLowerCase(java.util.Locale.ROOT));
    TaskExecutor ex = start(custom.apply(configure(b)).build());
    started.add(ex);
    return ex;
  }

  /** Starts an executor with the suite's defaults. */
  protected final TaskExecutor executor() {
    return executor(b -> b);
  }

  @BeforeEach
  void openGates() throws IOException {
    gates = new GateServer();
  }

  @AfterEach
  void closeAll() throws InterruptedException {
    gates.close();
    List<String> stuck = new ArrayList<>();
    for (TaskExecutor ex : started) {
      ex.shutdownNow();
      if (!ex.awaitTermination(LONG)) {
        stuck.add(ex.toString());
      }
    }
    started.clear();
    assertThat(stuck).as("executors that did not terminate after shutdownNow").isEmpty();
  }

  // ---------------------------------------------------------------- helpers

  /** Asserts a task's exception, as thrown locally or carried back from another JVM. */
  protected static void assertTaskException(@Nullable Throwable cause, Class<? extends Throwable> type, String message) {
    assertThat(cause).isNotNull();
    if (cause instanceof RemoteTaskException r) {
      assertThat(r.remoteType()).isEqualTo(type.getName());
      assertThat(r.remoteMessage()).isEqualTo(message);
      assertThat(r.getStackTrace()).as("remote stack trace").isNotEmpty();
    } else {
      assertThat(cause).isInstanceOf(type).hasMessage(message);
    }
  }

  private List<TaskFuture<String>> fillWorkers(TaskExecutor pool, String prefix) {
    List<TaskFuture<String>> fs = new ArrayList<>();
    for (int i = 0; i < slots(); i++) {
      fs.add(pool.submit(GATE, gates.gate(prefix + i)));
      gates.awaitArrived(prefix + i); // one at a time: a small backlog never overflows here
    }
    return fs;
  }

  private static List<Long> drain(Iterator<Long> it) {
    List<Long> out = new ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }

  private static void terminate(TaskExecutor pool) throws InterruptedException {
    pool.shutdown();
    assertThat(pool.awaitTermination(LONG)).as("terminated").isTrue();
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

  // ---------------------------------------------------------------- cancel

  @Test
  public void aCancelledQueuedExecutionNeverRuns() throws InterruptedException {
    TaskExecutor pool = executor();
    if (!bounded()) {
      // unlimited: nothing queues, every execution starts at once
      List<TaskFuture<String>> fs = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        fs.add(pool.submit(GATE, gates.gate("u" + i)));
      }
      gates.awaitArrivedCount(5);
      gates.releaseAll();
      for (TaskFuture<String> f : fs) {
        assertThat(f.result(LONG)).startsWith("u");
      }
      return;
    }
    List<TaskFuture<String>> running = fillWorkers(pool, "w");
    TaskFuture<String> queued = pool.submit(GATE, gates.gate("q"));
    assertThat(queued.isStarted()).isFalse();
    assertThat(queued.isDone()).isFalse();
    assertThat(queued.cancel(true)).isTrue();
    assertThat(queued.isCancelled()).isTrue();
    assertThat(queued.isDone()).isTrue();
    assertThat(queued.cancel(true)).as("second cancel").isFalse();
    assertThatThrownBy(queued::result).isInstanceOf(CancellationException.class);
    assertThatThrownBy(() -> queued.exception(LONG)).isInstanceOf(CancellationException.class);
    gates.openAll();
    for (TaskFuture<String> f : running) {
      assertThat(f.result(LONG)).startsWith("w");
    }
    terminate(pool);
    assertThat(gates.hasArrived("q")).as("the cancelled execution ran").isFalse();
    assertThat(queued.isStarted()).isFalse();
    ExecutorStats s = pool.stats();
    assertThat(s.cancelled()).isEqualTo(1);
    assertThat(s.executed()).isEqualTo(workers());
  }

  @Test
  public void cancellingARunningExecutionStopsItAndThePoolGoesOn() {
    TaskExecutor pool = executor();
    TaskFuture<String> f = pool.submit(GATE, gates.gate("r"));
    gates.awaitArrived("r");
    // a remote worker's start reaches the caller's future asynchronously (DISTRIBUTED)
    org.awaitility.Awaitility.await().atMost(LONG).until(f::isStarted);
    assertThat(f.cancel(true)).isTrue();
    assertThat(f.isCancelled()).isTrue();
    assertThatThrownBy(f::result).isInstanceOf(CancellationException.class);
    gates.awaitDeparted("r"); // interrupted, or its worker was killed
    assertThat(pool.stats().cancelled()).isEqualTo(1);
    // full capacity is back
    assertThat(pool.submit(SQUARE, 3L).result(LONG)).isEqualTo(9L);
    List<TaskFuture<String>> again = fillWorkers(pool, "again");
    gates.releaseAll();
    for (TaskFuture<String> g : again) {
      assertThat(g.result(LONG)).startsWith("again");
    }
  }

  @Test
  public void cancellingADoneExecutionReturnsFalse() {
    TaskExecutor pool = executor();
    TaskFuture<Long> f = pool.submit(SQUARE, 5L);
    assertThat(f.result(LONG)).isEqualTo(25L);
    assertThat(f.cancel(true)).isFalse();
    assertThat(f.isCancelled()).isFalse();
    assertThat(f.result()).isEqualTo(25L);
    assertThat(pool.stats().cancelled()).isZero();
  }

  // ---------------------------------------------------------------- timeouts

  @Test
  public void resultAndExceptionTimeOutWithoutCancelling() {
    TaskExecutor pool = executor();
    TaskFuture<String> f = pool.submit(GATE, gates.gate("t"));
    assertThatThrownBy(() -> f.result(SHORT)).isInstanceOf(TaskTimeoutException.class)
        .hasMessageContaining(f.id());
    assertThatThrownBy(() -> f.exception(SHORT)).isInstanceOf(TaskTimeoutException.class);
    assertThat(f.isDone()).isFalse();
    assertThat(f.isCancelled()).isFalse();
    gates.release("t");
    assertThat(f.result(LONG)).isEqualTo("t");
  }

  @Test
  public void waitForAllCompleted() {
    TaskExecutor pool = executor();
    List<TaskFuture<Long>> squares = new ArrayList<>();
    for (long i = 0; i < 10; i++) {
      squares.add(pool.submit(SQUARE, i));
    }
    Futures.DoneAndNotDone<TaskFuture<Long>> r = Futures.wait(squares, LONG, Futures.ReturnWhen.ALL_COMPLETED);
    assertThat(r.done()).containsExactlyElementsOf(squares);
    assertThat(r.notDone()).isEmpty();
    assertThat(r.allDone()).isTrue();
    assertThat(Futures.waitAll(squares).done()).hasSize(10);
    assertThat(Futures.wait(List.<TaskFuture<Long>>of(), SHORT, Futures.ReturnWhen.ALL_COMPLETED).done()).isEmpty();

    TaskFuture<String> gate = pool.submit(GATE, gates.gate("all"));
    List<TaskFuture<?>> mixed = new ArrayList<>(squares);
    mixed.add(gate);
    Futures.DoneAndNotDone<TaskFuture<?>> partial = Futures.wait(mixed, SHORT, Futures.ReturnWhen.ALL_COMPLETED);
    assertThat(partial.notDone()).containsExactly(gate);
    assertThat(partial.done()).hasSize(10);
    gates.release("all");
    assertThat(Futures.wait(mixed, LONG, Futures.ReturnWhen.ALL_COMPLETED).notDone()).isEmpty();
  }

  @Test
  public void waitForFirstCompleted() {
    TaskExecutor pool = executor();
    TaskFuture<String> a = pool.submit(GATE, gates.gate("a"));
    TaskFuture<String> b = pool.submit(GATE, gates.gate("b"));
    gates.awaitArrived("a");
    Futures.DoneAndNotDone<TaskFuture<String>> none = Futures.wait(List.of(a, b), SHORT, Futures.ReturnWhen.FIRST_COMPLETED);
    assertThat(none.done()).isEmpty();
    assertThat(none.notDone()).containsExactly(a, b);
    gates.release("a");
    Futures.DoneAndNotDone<TaskFuture<String>> r = Futures.wait(List.of(a, b), LONG, Futures.ReturnWhen.FIRST_COMPLETED);
    assertThat(r.done()).containsExactly(a);
    assertThat(r.notDone()).containsExactly(b);
    gates.release("b");
    assertThat(b.result(LONG)).isEqualTo("b");
  }

  @Test
  public void waitForFirstException() {
    TaskExecutor pool = executor();
    // without a failure it waits for all
    List<TaskFuture<Long>> ok = List.of(pool.submit(SQUARE, 1L), pool.submit(SQUARE, 2L));
    assertThat(Futures.wait(ok, LONG, Futures.ReturnWhen.FIRST_EXCEPTION).notDone()).isEmpty();

    TaskFuture<String> failing = pool.submit(FAIL, "first");
    TaskFuture<String> blocked = pool.submit(GATE, gates.gate("blocked"));
    Futures.DoneAndNotDone<TaskFuture<String>> r = Futures.wait(List.of(blocked, failing), LONG, Futures.ReturnWhen.FIRST_EXCEPTION);
    assertThat(r.done()).containsExactly(failing);
    assertThat(r.notDone()).containsExactly(blocked);

    // a cancellation is not an exception
    gates.awaitArrived("blocked");
    blocked.cancel(true);
    TaskFuture<String> other = pool.submit(GATE, gates.gate("other"));
    Futures.DoneAndNotDone<TaskFuture<String>> c = Futures.wait(List.of(blocked, other), SHORT, Futures.ReturnWhen.FIRST_EXCEPTION);
    assertThat(c.done()).containsExactly(blocked);
    assertThat(c.notDone()).containsExactly(other);
  }

  @Test
  public void asCompletedYieldsDoneFuturesFirstThenInCompletionOrder() {
    TaskExecutor pool = executor();
    TaskFuture<Long> done = pool.submit(SQUARE, 4L);
    done.result(LONG);
    TaskFuture<String> gateA = pool.submit(GATE, gates.gate("ca"));
    List<TaskFuture<?>> order = new ArrayList<>();
    try (Futures.Completions<TaskFuture<?>> it = Futures.asCompleted(List.of(gateA, done), LONG)) {
      assertThat(it.hasNext()).isTrue();
      order.add(it.next());
      gates.release("ca");
      order.add(it.next());
      assertThat(it.hasNext()).isFalse();
    }
    assertThat(order).containsExactly(done, gateA);
  }

  @Test
  public void asCompletedTimesOut() {
    TaskExecutor pool = executor();
    TaskFuture<Long> done = pool.submit(SQUARE, 4L);
    done.result(LONG);
    TaskFuture<String> blocked = pool.submit(GATE, gates.gate("never"));
    List<TaskFuture<?>> seen = new ArrayList<>();
    Futures.Completions<TaskFuture<?>> it = Futures.asCompleted(List.of(blocked, done), SHORT);
    Throwable t = catchThrowable(() -> {
      for (TaskFuture<?> f : it) {
        seen.add(f);
      }
    });
    assertThat(seen).containsExactly(done);
    assertThat(t).isInstanceOf(TaskTimeoutException.class).hasMessageContaining("1 of 2");
    assertThat(it.hasNext()).isFalse();
    assertThat(blocked.isDone()).isFalse();
  }

  // ---------------------------------------------------------------- callbacks

  @Test
  public void doneCallbacksRunInOrderAndAFailingOneIsIgnored() throws InterruptedException {
    TaskExecutor pool = executor();
    TaskFuture<String> f = pool.submit(GATE, gates.gate("cb"));
    List<String> calls = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch last = new CountDownLatch(1);
    f.onDone(x -> calls.add("a"))
        .onDone(x -> {
          calls.add("b");
          throw new IllegalStateException("a failing callback (expected in this test)");
        })
        .onDone(x -> calls.add("c:" + x.result()))
        .onDone(x -> last.countDown());
    assertThat(calls).isEmpty();
    gates.release("cb");
    assertThat(last.await(LONG.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    assertThat(calls).containsExactly("a", "b", "c:cb");
    assertThat(f.result()).isEqualTo("cb");
  }

  @Test
  public void aCallbackAddedToADoneFutureRunsAtOnceOnTheCallingThread() {
    TaskExecutor pool = executor();
    TaskFuture<Long> f = pool.submit(SQUARE, 6L);
    f.result(LONG);
    List<Thread> ranOn = new ArrayList<>();
    f.onDone(x -> ranOn.add(Thread.currentThread()));
    assertThat(ranOn).containsExactly(Thread.currentThread());
  }

  @Test
  public void callbacksRunWhenCancelled() throws InterruptedException {
    TaskExecutor pool = executor();
    TaskFuture<String> f = pool.submit(GATE, gates.gate("cc"));
    gates.awaitArrived("cc");
    CountDownLatch called = new CountDownLatch(1);
    List<Boolean> cancelled = new ArrayList<>();
    f.onDone(x -> {
      cancelled.add(x.isCancelled());
      called.countDown();
    });
    f.cancel(true);
    assertThat(called.await(LONG.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    assertThat(cancelled).containsExactly(true);
  }

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

  // ---------------------------------------------------------------- composition

  @Test
  public void futuresComposeWithCompletableFuture() throws Exception {
    TaskExecutor pool = executor();
    CompletableFuture<Long> sum = pool.submit(SQUARE, 3L).toCompletableFuture()
        .thenCombine(pool.submit(SQUARE, 4L).toCompletableFuture(), Long::sum);
    assertThat(sum.get(LONG.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(25L);

    List<CompletableFuture<Long>> many = new ArrayList<>();
    for (long i = 0; i < 20; i++) {
      many.add(pool.submit(SQUARE, i).toCompletableFuture());
    }
    CompletableFuture.allOf(many.toArray(CompletableFuture[]::new)).get(LONG.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(many.stream().map(CompletableFuture::join).collect(Collectors.toList()))
        .isEqualTo(LongStream.range(0, 20).map(x -> x * x).boxed().toList());

    Throwable failure = pool.submit(FAIL, "composed").toCompletableFuture()
        .handle((v, e) -> e).get(LONG.toMillis(), TimeUnit.MILLISECONDS);
    Throwable cause = failure instanceof CompletionException ce ? ce.getCause() : failure;
    if (cause instanceof TaskFailedException tfe) {
      cause = tfe.getCause();
    }
    assertTaskException(cause, IllegalStateException.class, "composed");

    // completing the copy does not touch the execution
    TaskFuture<String> g = pool.submit(GATE, gates.gate("copy"));
    CompletableFuture<String> copy = g.toCompletableFuture();
    copy.complete("not the result");
    copy.cancel(true);
    assertThat(g.isDone()).isFalse();
    gates.release("copy");
    assertThat(g.result(LONG)).isEqualTo("copy");
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
