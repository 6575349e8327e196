package dev.spindle.testkit;

import static dev.spindle.testkit.ContractTasks.FAIL;
import static dev.spindle.testkit.ContractTasks.GATE;
import static dev.spindle.testkit.ContractTasks.SQUARE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.spindle.ExecutorStats;
import dev.spindle.Futures;
import dev.spindle.TaskExecutor;
import dev.spindle.TaskFailedException;
import dev.spindle.TaskFuture;
import dev.spindle.TaskTimeoutException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * Part 2 of {@link ExecutorContract}: the {@link TaskFuture} - cancelling queued, running and done
 * executions, result timeouts, {@link Futures#wait} and {@link Futures#asCompleted}, done-callbacks
 * and {@link CompletableFuture} composition. Subclass {@link ExecutorContract}, not this.
 */
public abstract class ExecutorFuturesContract extends ExecutorResultsContract {
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
}
