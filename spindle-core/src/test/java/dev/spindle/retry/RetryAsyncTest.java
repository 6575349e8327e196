package dev.spindle.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.spindle.coroutine.Async;
import dev.spindle.coroutine.EventLoop;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RetryAsyncTest {
  private static final Executor DIRECT = Runnable::run;

  private final FakeTime time = new FakeTime();

  private Retry.Builder builder() {
    return Retry.builder().clock(time).sleeper(time).random(() -> 0.5);
  }

  @Test
  void anAsyncCallIsRetriedThroughFailedStagesAndThrownExceptions() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    Retry retry = builder().waitBetween(Wait.fixed(Duration.ofMillis(50))).build();
    CompletableFuture<String> f = retry.callAsync(() -> switch (calls.incrementAndGet()) {
      case 1 -> CompletableFuture.failedFuture(new IOException("reset"));
      case 2 -> throw new IllegalStateException("thrown by the supplier");
      default -> CompletableFuture.completedFuture("ok");
    }, DIRECT);
    assertThat(f.get()).isEqualTo("ok");
    assertThat(calls).hasValue(3);
    assertThat(time.sleeps).containsExactly(Duration.ofMillis(50), Duration.ofMillis(50));
  }

  @Test
  void anAsyncCallGivesUpWithTheAttemptsOwnExceptionOrTheExhaustedOne() {
    IOException boom = new IOException("boom");
    Retry retry = builder().stopAfterAttempts(2).waitBetween(Wait.none()).build();
    Throwable t = catchThrowable(() -> retry.callAsync(() -> CompletableFuture.<String>failedFuture(boom), DIRECT).get());
    assertThat(t).isInstanceOf(ExecutionException.class).hasCause(boom);

    Retry exhausted = builder().stopAfterAttempts(2).waitBetween(Wait.none())
        .retryIfResult(r -> "busy".equals(r)).onGiveUp(GiveUp.EXHAUSTED_EXCEPTION).build();
    Throwable e = catchThrowable(() -> exhausted.callAsync(() -> CompletableFuture.completedFuture("busy"), DIRECT).get());
    assertThat(e.getCause()).isInstanceOf(RetryExhaustedException.class);
    assertThat(((RetryExhaustedException) e.getCause()).attempts()).isEqualTo(2);
  }

  @Test
  void cancellingTheFutureCancelsTheAttemptInFlightAndStartsNoOther() {
    AtomicInteger calls = new AtomicInteger();
    AtomicReference<CompletableFuture<String>> inFlight = new AtomicReference<>();
    Retry retry = builder().waitBetween(Wait.none()).stopAfterAttempts(5).build();
    CompletableFuture<String> f = retry.callAsync(() -> {
      calls.incrementAndGet();
      CompletableFuture<String> attempt = new CompletableFuture<>();
      inFlight.set(attempt);
      return attempt;
    }, DIRECT);
    inFlight.get().completeExceptionally(new IOException("first fails"));
    assertThat(calls).hasValue(2);
    f.cancel(true);
    assertThat(inFlight.get()).isCancelled();
    assertThat(calls).hasValue(2);
  }

  @Test
  void laterAttemptsRunOnTheGivenExecutor() throws Exception {
    List<String> threads = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger calls = new AtomicInteger();
    Retry retry = builder().waitBetween(Wait.none()).build();
    try (var pool = java.util.concurrent.Executors.newSingleThreadExecutor(r -> new Thread(r, "retry-pool"))) {
      String r = retry.callAsync(() -> {
        threads.add(Thread.currentThread().getName());
        return calls.incrementAndGet() < 2 ? CompletableFuture.failedFuture(new IOException("x"))
            : CompletableFuture.completedFuture("ok");
      }, pool).get();
      assertThat(r).isEqualTo("ok");
    }
    assertThat(threads).hasSize(2);
    assertThat(threads.get(0)).isEqualTo(Thread.currentThread().getName());
    assertThat(threads.get(1)).isEqualTo("retry-pool");
  }

  @Test
  void aPauseThatEndedBeforeItIsAwaitedStillResumesOnTheExecutor() throws Exception {
    Sleeper alreadyOver = new Sleeper() {
      @Override
      public void sleep(Duration duration) {}

      @Override
      public CompletableFuture<Void> after(Duration duration, Executor executor) {
        return CompletableFuture.completedFuture(null); // the pause is over when the call returns
      }
    };
    List<String> threads = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger calls = new AtomicInteger();
    Retry retry = Retry.builder().clock(time).sleeper(alreadyOver).waitBetween(Wait.none()).build();
    try (var pool = java.util.concurrent.Executors.newSingleThreadExecutor(r -> new Thread(r, "retry-pool"))) {
      assertThat(retry.callAsync(() -> {
        threads.add(Thread.currentThread().getName());
        return calls.incrementAndGet() < 2 ? CompletableFuture.failedFuture(new IOException("x"))
            : CompletableFuture.completedFuture("ok");
      }, pool).get()).isEqualTo("ok");
    }
    assertThat(threads).containsExactly(Thread.currentThread().getName(), "retry-pool");
  }

  @Test
  void theSystemSleeperSuspendsACoroutineSoOthersRunWhileItWaits() {
    List<String> log = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger calls = new AtomicInteger();
    Retry retry = Retry.builder().waitBetween(Wait.fixed(Duration.ofMillis(5))).build();
    EventLoop.run(() -> {
      var other = Async.createTask(() -> {
        log.add("other ran");
        return null;
      });
      String r = retry.call(() -> {
        log.add("attempt " + calls.incrementAndGet());
        if (calls.get() < 2) {
          throw new IOException("x");
        }
        return "ok";
      });
      other.await();
      log.add(r);
      return null;
    });
    assertThat(log).containsExactly("attempt 1", "other ran", "attempt 2", "ok");
  }

  @Test
  void theSystemSleeperWaitsOnAVirtualThread() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    Retry retry = Retry.builder().waitBetween(Wait.fixed(Duration.ofMillis(1))).build();
    AtomicReference<String> out = new AtomicReference<>();
    Thread t = Thread.ofVirtual().start(() -> {
      try {
        out.set(retry.call(() -> calls.incrementAndGet() < 3 ? failNow() : "ok"));
      } catch (Exception e) {
        out.set(e.toString());
      }
    });
    t.join();
    assertThat(out.get()).isEqualTo("ok");
  }

  private static String failNow() throws IOException {
    throw new IOException("x");
  }
}
