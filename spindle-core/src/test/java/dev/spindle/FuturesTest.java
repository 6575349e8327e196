package dev.spindle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.spi.CompletableTaskFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link Futures} over futures completed by hand from other threads. */
class FuturesTest {
  private static CompletableTaskFuture<String> future(String id) {
    return new CompletableTaskFuture<>(id, "t");
  }

  @Test
  void waitAllReturnsWhenTheLastCompletes() throws InterruptedException {
    var a = future("a");
    var b = future("b");
    CountDownLatch waiting = new CountDownLatch(1);
    Thread completer = Thread.ofPlatform().start(() -> {
      try {
        waiting.await();
      } catch (InterruptedException e) {
        return;
      }
      a.succeed("A");
      b.fail(new IllegalStateException("B"));
    });
    waiting.countDown();
    Futures.DoneAndNotDone<CompletableTaskFuture<String>> r = Futures.waitAll(List.of(a, b, a));
    assertThat(r.done()).containsExactly(a, b);
    assertThat(r.notDone()).isEmpty();
    completer.join();
  }

  @Test
  void waitTimesOutWithoutThrowingAndUnregistersItsCallbacks() {
    var a = future("a");
    var b = future("b");
    b.succeed("B");
    Futures.DoneAndNotDone<CompletableTaskFuture<String>> r = Futures.wait(List.of(a, b), Duration.ofMillis(20),
        Futures.ReturnWhen.ALL_COMPLETED);
    assertThat(r.done()).containsExactly(b);
    assertThat(r.notDone()).containsExactly(a);
    assertThat(r.allDone()).isFalse();
    List<String> calls = new ArrayList<>();
    a.onDone(x -> calls.add("mine"));
    a.succeed("A");
    assertThat(calls).containsExactly("mine"); // the waiter's callback was removed and did nothing
  }

  @Test
  void firstCompletedAndFirstExceptionReturnAtOnceWhenAlreadyTrue() {
    var a = future("a");
    var failed = future("f");
    failed.fail(new IllegalStateException("x"));
    var cancelled = future("c");
    cancelled.cancel(true);
    assertThat(Futures.wait(List.of(a, failed), null, Futures.ReturnWhen.FIRST_COMPLETED).done()).containsExactly(failed);
    assertThat(Futures.wait(List.of(a, failed), null, Futures.ReturnWhen.FIRST_EXCEPTION).done()).containsExactly(failed);
    Futures.DoneAndNotDone<CompletableTaskFuture<String>> r = Futures.wait(List.of(a, cancelled), Duration.ofMillis(20),
        Futures.ReturnWhen.FIRST_EXCEPTION);
    assertThat(r.notDone()).containsExactly(a);
  }

  @Test
  void firstExceptionWakesOnAFailureFromAnotherThread() throws InterruptedException {
    var a = future("a");
    var b = future("b");
    Thread t = Thread.ofPlatform().start(() -> b.fail(new IllegalArgumentException("b")));
    var r = Futures.wait(List.of(a, b), Duration.ofSeconds(30), Futures.ReturnWhen.FIRST_EXCEPTION);
    assertThat(r.done()).containsExactly(b);
    t.join();
  }

  @Test
  void asCompletedYieldsInCompletionOrder() throws InterruptedException {
    var a = future("a");
    var b = future("b");
    var c = future("c");
    c.succeed("C");
    Futures.Completions<CompletableTaskFuture<String>> it = Futures.asCompleted(List.of(a, b, c));
    List<TaskFuture<?>> order = new ArrayList<>();
    CountDownLatch first = new CountDownLatch(1);
    Thread t = Thread.ofPlatform().start(() -> {
      b.succeed("B");
      try {
        first.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        return;
      }
      a.succeed("A");
    });
    for (CompletableTaskFuture<String> f : it) {
      order.add(f);
      if (f == b) {
        first.countDown();
      }
    }
    assertThat(order).containsExactly(c, b, a);
    assertThatThrownBy(it::iterator).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(it::next).isInstanceOf(java.util.NoSuchElementException.class);
    t.join();
  }

  @Test
  void asCompletedTimesOutAndClosingUnregisters() {
    var a = future("a");
    var it = Futures.asCompleted(List.of(a), Duration.ofMillis(20));
    assertThatThrownBy(it::next).isInstanceOf(TaskTimeoutException.class).hasMessageContaining("1 of 1");
    assertThat(it.hasNext()).isFalse();
    var b = future("b");
    var it2 = Futures.asCompleted(List.of(b));
    it2.close();
    assertThat(it2.hasNext()).isFalse();
  }

  @Test
  void anEmptyCollectionIsDoneAtOnce() {
    assertThat(Futures.wait(List.<TaskFuture<?>>of(), null, Futures.ReturnWhen.FIRST_COMPLETED).done()).isEmpty();
    assertThat(Futures.asCompleted(List.<TaskFuture<?>>of()).hasNext()).isFalse();
  }
}
