package dev.spindle.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.TaskFailedException;
import dev.spindle.TaskFuture;
import dev.spindle.TaskInterruptedException;
import dev.spindle.TaskTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class CompletableTaskFutureTest {
  private final CompletableTaskFuture<String> f = new CompletableTaskFuture<>("7", "t");

  @Test
  void lifecycleQueuedRunningSucceeded() {
    assertThat(f.id()).isEqualTo("7");
    assertThat(f.taskName()).isEqualTo("t");
    assertThat(f.isStarted()).isFalse();
    assertThat(f.toString()).contains("QUEUED");
    assertThat(f.tryStart(null)).isTrue();
    assertThat(f.isStarted()).isTrue();
    assertThat(f.tryStart(null)).as("second start").isFalse();
    assertThat(f.toString()).contains("RUNNING");
    assertThat(f.succeed("v")).isTrue();
    assertThat(f.succeed("w")).isFalse();
    assertThat(f.result()).isEqualTo("v");
    assertThat(f.cancel(true)).isFalse();
  }

  @Test
  void sequenceIdsAreBuiltLazily() {
    assertThat(new CompletableTaskFuture<String>(42L, "t").id()).isEqualTo("42");
    assertThatThrownBy(() -> new CompletableTaskFuture<String>(-1L, "t")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aQueuedCancelledFutureNeverStartsAndReportsNotStarted() {
    List<Boolean> hook = new ArrayList<>();
    CompletableTaskFuture<String> g = new CompletableTaskFuture<>("1", "t") {
      @Override
      protected void onCancelled(boolean wasStarted) {
        hook.add(wasStarted);
      }
    };
    assertThat(g.cancel(false)).isTrue();
    assertThat(g.tryStart(() -> { })).isFalse();
    assertThat(g.isStarted()).isFalse();
    assertThat(g.isCancelled()).isTrue();
    assertThat(hook).containsExactly(false);
    assertThatThrownBy(g::result).isInstanceOf(CancellationException.class).hasMessageContaining("'t'");
  }

  @Test
  void aFutureFailedWhileQueuedDoesNotStart() {
    f.fail(new IllegalStateException("no"));
    assertThat(f.tryStart(null)).isFalse();
    assertThat(f.isStarted()).isFalse();
  }

  @Test
  void cancellingARunningFutureInvokesTheCancellerOnce() {
    AtomicInteger stops = new AtomicInteger();
    List<Boolean> hook = new ArrayList<>();
    CompletableTaskFuture<String> g = new CompletableTaskFuture<>("1", "t") {
      @Override
      protected void onCancelled(boolean wasStarted) {
        hook.add(wasStarted);
      }
    };
    g.tryStart(stops::incrementAndGet);
    assertThat(g.cancel(true)).isTrue();
    assertThat(g.cancel(true)).isFalse();
    assertThat(stops).hasValue(1);
    assertThat(hook).containsExactly(true);
    assertThat(g.succeed("late")).isFalse();
    assertThat(g.isCancelled()).isTrue();
  }

  @Test
  void cancelWithoutInterruptDoesNotInvokeTheCanceller() {
    AtomicInteger stops = new AtomicInteger();
    f.tryStart(stops::incrementAndGet);
    assertThat(f.cancel(false)).isTrue();
    assertThat(stops).hasValue(0);
  }

  @Test
  void theCancellerIsNeverInvokedAfterCompletion() {
    AtomicInteger stops = new AtomicInteger();
    f.tryStart(stops::incrementAndGet);
    f.succeed("done");
    f.cancel(true);
    assertThat(stops).hasValue(0);
  }

  @Test
  void completingWaitsForACancellerInProgress() throws Exception {
    CountDownLatch inCanceller = new CountDownLatch(1);
    CountDownLatch releaseCanceller = new CountDownLatch(1);
    AtomicBoolean cancellerDone = new AtomicBoolean();
    f.tryStart(() -> {
      inCanceller.countDown();
      try {
        releaseCanceller.await();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
      cancellerDone.set(true);
    });
    Thread canceller = Thread.ofPlatform().start(() -> f.cancel(true));
    assertThat(inCanceller.await(30, TimeUnit.SECONDS)).isTrue();
    AtomicBoolean sawCancellerDone = new AtomicBoolean();
    Thread worker = Thread.ofPlatform().start(() -> {
      f.succeed("x"); // must not return while the canceller runs
      sawCancellerDone.set(cancellerDone.get());
    });
    releaseCanceller.countDown();
    worker.join(30_000);
    canceller.join(30_000);
    assertThat(sawCancellerDone).isTrue();
  }

  @Test
  void aCancellerMayCompleteTheFutureItself() {
    f.tryStart(() -> f.fail(new IllegalStateException("killed")));
    assertThat(f.cancel(true)).isTrue();
    assertThat(f.isCancelled()).isTrue();
  }

  @Test
  void failuresSurfaceWrappedAtResultAndUnwrappedAtException() {
    IllegalStateException boom = new IllegalStateException("boom");
    f.fail(boom);
    assertThatThrownBy(f::result).isInstanceOf(TaskFailedException.class).hasCause(boom)
        .hasMessageContaining("'t'").hasMessageContaining("7");
    assertThatThrownBy(() -> f.result(Duration.ofSeconds(1))).isInstanceOf(TaskFailedException.class).hasCause(boom);
    assertThat(f.exception(Duration.ofSeconds(1))).isSameAs(boom);
  }

  @Test
  void aTaskFailedExceptionIsNotWrappedTwice() {
    TaskFailedException tfe = new TaskFailedException("t", "7", new RuntimeException("x"));
    f.fail(tfe);
    assertThatThrownBy(f::result).isSameAs(tfe);
    assertThat(f.exception(Duration.ZERO)).isSameAs(tfe.getCause());
  }

  @Test
  void timeoutsAndInterrupts() {
    assertThatThrownBy(() -> f.result(Duration.ofMillis(10))).isInstanceOf(TaskTimeoutException.class)
        .hasMessageContaining("not done within PT0.01S");
    assertThatThrownBy(() -> f.exception(Duration.ofMillis(10))).isInstanceOf(TaskTimeoutException.class);
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(f::result).isInstanceOf(TaskInterruptedException.class);
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
    f.succeed("ok");
    assertThat(f.result(Duration.ofDays(1_000_000_000))).isEqualTo("ok"); // overflowing timeout
    assertThat(f.exception(Duration.ZERO)).isNull();
  }

  @Test
  void callbacksRunInOrderOnceAndImmediatelyWhenDone() {
    List<String> calls = new ArrayList<>();
    f.onDone(x -> calls.add("a")).onDone(x -> {
      throw new IllegalStateException("failing callback (expected in this test)");
    }).onDone(x -> calls.add("c"));
    f.succeed("v");
    f.succeed("w");
    assertThat(calls).containsExactly("a", "c");
    f.onDone(x -> calls.add("late:" + x.result()));
    assertThat(calls).containsExactly("a", "c", "late:v");
  }

  @Test
  void aRemovedCallbackDoesNotRun() {
    List<String> calls = new ArrayList<>();
    Consumer<TaskFuture<String>> a = x -> calls.add("a");
    Consumer<TaskFuture<String>> b = x -> calls.add("b");
    Consumer<TaskFuture<String>> c = x -> calls.add("c");
    f.onDone(a).onDone(b).onDone(c);
    assertThat(f.removeOnDone(b)).isTrue();
    assertThat(f.removeOnDone(b)).isFalse();
    assertThat(f.removeOnDone(a)).isTrue();
    f.cancel(true);
    assertThat(calls).containsExactly("c");
    assertThat(f.removeOnDone(c)).isFalse();
  }

  @Test
  void obtrudingIsRefusedAndTheCopyIsIndependent() throws Exception {
    assertThatThrownBy(() -> f.obtrudeValue("x")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> f.obtrudeException(new RuntimeException())).isInstanceOf(UnsupportedOperationException.class);
    var copy = f.toCompletableFuture();
    copy.complete("copy");
    assertThat(f.isDone()).isFalse();
    var chained = f.thenApply(String::length);
    f.succeed("four");
    assertThat(chained.get(1, TimeUnit.SECONDS)).isEqualTo(4);
  }
}
