package dev.spindle.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetryTest {
  private static final Duration MS_100 = Duration.ofMillis(100);

  private final FakeTime time = new FakeTime();

  private Retry.Builder builder() {
    return Retry.builder().clock(time).sleeper(time).random(() -> 0.5);
  }

  /** Fails {@code failures} times with {@code error}, then returns "ok". */
  private static java.util.concurrent.Callable<String> failing(int failures, Exception error, AtomicInteger calls) {
    return () -> {
      if (calls.incrementAndGet() <= failures) {
        throw error;
      }
      return "ok";
    };
  }

  @Test
  void aCallThatFailsTwiceSucceedsOnTheThirdAttemptAfterTwoWaits() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    Retry retry = builder().waitBetween(Wait.fixed(MS_100)).build();
    assertThat(retry.call(failing(2, new IOException("reset"), calls))).isEqualTo("ok");
    assertThat(calls).hasValue(3);
    assertThat(time.sleeps).containsExactly(MS_100, MS_100);
  }

  @Test
  void theDefaultsAreThreeAttemptsAndAnExponentialWaitWithJitter() {
    AtomicInteger calls = new AtomicInteger();
    IOException boom = new IOException("boom");
    Retry retry = builder().build();
    assertThat(retry.maxAttempts()).isEqualTo(3);
    assertThat(catchThrowable(() -> retry.call(failing(9, boom, calls)))).isSameAs(boom);
    assertThat(calls).hasValue(3);
    assertThat(time.sleeps).as("100 ms, 200 ms; random 0.5 is the middle of the jitter")
        .containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
  }

  @Test
  void givingUpRethrowsTheLastExceptionItselfByDefault() {
    AtomicInteger calls = new AtomicInteger();
    List<IOException> thrown = new ArrayList<>();
    Retry retry = builder().stopAfterAttempts(4).waitBetween(Wait.none()).build();
    Throwable t = catchThrowable(() -> retry.call(() -> {
      IOException e = new IOException("attempt " + calls.incrementAndGet());
      thrown.add(e);
      throw e;
    }));
    assertThat(t).isSameAs(thrown.get(3)).hasMessage("attempt 4");
  }

  @Test
  void givingUpWithTheExhaustedExceptionNamesAttemptsAndTheLastOutcome() {
    AtomicInteger calls = new AtomicInteger();
    IOException boom = new IOException("boom");
    Retry retry = builder().stopAfterAttempts(2).waitBetween(Wait.fixed(MS_100))
        .onGiveUp(GiveUp.EXHAUSTED_EXCEPTION).build();
    Throwable t = catchThrowable(() -> retry.call(failing(5, boom, calls)));
    assertThat(t).isInstanceOf(RetryExhaustedException.class).hasCause(boom)
        .hasMessage("gave up after 2 attempts in 100 ms: the last one failed with java.io.IOException");
    RetryExhaustedException e = (RetryExhaustedException) t;
    assertThat(e.attempts()).isEqualTo(2);
    assertThat(e.lastAttempt()).isNotNull();
    assertThat(e.lastAttempt().number()).isEqualTo(2);
    assertThat(e.lastAttempt().failure()).isSameAs(boom);
  }

  @Test
  void aResultThatIsRetriedIsReturnedAtGiveUpOrReportedWithoutItsValue() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    Retry last = builder().stopAfterAttempts(3).waitBetween(Wait.none())
        .retryIfResult(r -> r instanceof String s && s.startsWith("busy")).build();
    assertThat(last.call(() -> "busy secret-" + calls.incrementAndGet())).isEqualTo("busy secret-3");

    Retry exhausted = builder().stopAfterAttempts(2).waitBetween(Wait.none())
        .retryIfResult(r -> r == null).onGiveUp(GiveUp.EXHAUSTED_EXCEPTION).build();
    assertThatThrownBy(() -> exhausted.call(() -> null)).isInstanceOf(RetryExhaustedException.class)
        .hasMessageContaining("returned a result that is retried").hasNoCause();

    RetryExhaustedException e = catchThrowableOfType(() -> builder().stopAfterAttempts(2).waitBetween(Wait.none())
        .retryIfResult(r -> true).onGiveUp(GiveUp.EXHAUSTED_EXCEPTION).build().call(() -> "token=hunter2"));
    assertThat(e.getMessage()).doesNotContain("hunter2");
    assertThat(e.lastAttempt().result()).isEqualTo("token=hunter2");
  }

  private static void expectFailure(org.assertj.core.api.ThrowableAssert.ThrowingCallable c) {
    assertThat(catchThrowable(c)).isNotNull();
  }

  private static RetryExhaustedException catchThrowableOfType(org.assertj.core.api.ThrowableAssert.ThrowingCallable c) {
    Throwable t = catchThrowable(c);
    assertThat(t).isInstanceOf(RetryExhaustedException.class);
    return (RetryExhaustedException) t;
  }

  @Test
  void withOnlyAResultPredicateExceptionsAreNotRetried() {
    AtomicInteger calls = new AtomicInteger();
    IOException boom = new IOException("boom");
    Retry retry = builder().retryIfResult(r -> r == null).waitBetween(Wait.none()).build();
    assertThat(catchThrowable(() -> retry.call(failing(9, boom, calls)))).isSameAs(boom);
    assertThat(calls).hasValue(1);
    calls.set(0);
    Retry both = builder().retryIfResult(r -> r == null).retryOn(IOException.class).waitBetween(Wait.none()).build();
    assertThat(catchThrowable(() -> both.call(failing(9, boom, calls)))).isSameAs(boom);
    assertThat(calls).hasValue(3);
  }

  @Test
  void aResultThatIsNotRetriedEndsTheCallAtOnce() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    Retry retry = builder().retryIfResult(r -> "busy".equals(r)).waitBetween(Wait.none()).build();
    assertThat(retry.call(() -> calls.incrementAndGet() < 2 ? "busy" : "done")).isEqualTo("done");
    assertThat(calls).hasValue(2);
  }

  @Test
  void onlyTheNamedExceptionTypesAndTheirSubtypesAreRetried() {
    AtomicInteger calls = new AtomicInteger();
    Retry retry = builder().retryOn(IOException.class).waitBetween(Wait.none()).stopAfterAttempts(5).build();
    IllegalStateException other = new IllegalStateException("bug");
    assertThat(catchThrowable(() -> retry.call(failing(9, other, calls)))).isSameAs(other);
    assertThat(calls).as("not retried").hasValue(1);

    calls.set(0);
    UncheckedIOException unchecked = new UncheckedIOException(new IOException("x"));
    assertThat(catchThrowable(() -> retry.call(failing(9, unchecked, calls)))).isSameAs(unchecked);
    assertThat(calls).as("UncheckedIOException is not an IOException").hasValue(1);

    calls.set(0);
    assertThat(catchThrowable(() -> retry.call(failing(9, new java.net.SocketException("reset"), calls))))
        .isInstanceOf(java.net.SocketException.class);
    assertThat(calls).as("a subtype is retried").hasValue(5);
  }

  @Test
  void abortOnWinsOverRetryOnAndAPredicateAddsExceptionsToRetry() {
    AtomicInteger calls = new AtomicInteger();
    Retry retry = builder().retryOn(IOException.class).abortOn(FileNotFoundException.class)
        .retryIf(t -> t.getMessage() != null && t.getMessage().contains("transient"))
        .waitBetween(Wait.none()).stopAfterAttempts(3).build();
    expectFailure(() -> retry.call(failing(9, new FileNotFoundException("gone"), calls)));
    assertThat(calls).hasValue(1);
    calls.set(0);
    expectFailure(() -> retry.call(failing(9, new IllegalStateException("transient glitch"), calls)));
    assertThat(calls).hasValue(3);
  }

  @Test
  void errorsAndInterruptionsAreNotRetriedByDefault() {
    AtomicInteger calls = new AtomicInteger();
    Retry retry = builder().waitBetween(Wait.none()).build();
    AssertionError error = new AssertionError("bad");
    assertThat(catchThrowable(() -> retry.call(() -> {
      calls.incrementAndGet();
      throw error;
    }))).isSameAs(error);
    assertThat(calls).hasValue(1);
    calls.set(0);
    Retry anything = builder().retryOn(Exception.class).waitBetween(Wait.none()).build();
    assertThat(catchThrowable(() -> anything.call(failing(9, new InterruptedException(), calls))))
        .isInstanceOf(InterruptedException.class);
    assertThat(calls).as("an interrupted call is not retried").hasValue(1);
  }

  @Test
  void theElapsedLimitStopsRetriesAndShortensTheLastWait() {
    AtomicInteger calls = new AtomicInteger();
    Retry retry = builder().stopAfterElapsed(Duration.ofSeconds(1)).waitBetween(Wait.fixed(Duration.ofMillis(300)))
        .build();
    assertThat(retry.maxAttempts()).as("no attempt limit with only a time limit").isEqualTo(Integer.MAX_VALUE);
    expectFailure(() -> retry.call(() -> {
      calls.incrementAndGet();
      time.advance(Duration.ofMillis(400));
      throw new IOException("slow");
    }));
    // attempt 1 ends at 0.4 s, waits 0.3; attempt 2 ends at 1.1 s: past the limit
    assertThat(calls).hasValue(2);
    assertThat(time.sleeps).containsExactly(Duration.ofMillis(300));

    time.sleeps.clear();
    calls.set(0);
    Retry longWait = builder().stopAfterElapsed(Duration.ofSeconds(1)).waitBetween(Wait.fixed(Duration.ofSeconds(5)))
        .build();
    expectFailure(() -> longWait.call(failing(9, new IOException("x"), calls)));
    assertThat(time.sleeps).as("the wait ends at the limit").containsExactly(Duration.ofSeconds(1));
    assertThat(calls).as("one more attempt right at the limit").hasValue(2);
  }

  @Test
  void withBothStopConditionsWhicheverComesFirstStops() {
    AtomicInteger calls = new AtomicInteger();
    Retry retry = builder().stopAfterAttempts(3).stopAfterElapsed(Duration.ofHours(1)).waitBetween(Wait.none()).build();
    expectFailure(() -> retry.call(failing(9, new IOException("x"), calls)));
    assertThat(calls).hasValue(3);
    calls.set(0);
    Retry timeFirst = builder().stopAfterAttempts(100).stopAfterElapsed(Duration.ofMillis(250))
        .waitBetween(Wait.fixed(MS_100)).build();
    expectFailure(() -> timeFirst.call(failing(99, new IOException("x"), calls)));
    assertThat(calls).as("at 0, 100, 200 and 250 ms").hasValue(4);
  }

  @Test
  void callbacksSeeEveryAttemptAndEveryWaitButNoWaitAfterTheLast() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    List<String> log = new ArrayList<>();
    Retry retry = builder().stopAfterAttempts(3).waitBetween(Wait.exponential(MS_100, 2, Duration.ofSeconds(1)))
        .afterAttempt(a -> log.add("after " + a.number() + " " + (a.failed() ? "failed" : a.result())
            + " at " + a.elapsed().toMillis() + " ms"))
        .beforeSleep((a, w) -> log.add("sleep " + w.toMillis() + " ms after " + a.number()))
        .build();
    assertThat(retry.call(failing(2, new IOException("x"), calls))).isEqualTo("ok");
    assertThat(log).containsExactly("after 1 failed at 0 ms", "sleep 100 ms after 1", "after 2 failed at 100 ms",
        "sleep 200 ms after 2", "after 3 ok at 300 ms");

    log.clear();
    calls.set(0);
    expectFailure(() -> retry.call(failing(9, new IOException("x"), calls)));
    assertThat(log).filteredOn(s -> s.startsWith("sleep")).hasSize(2);
  }

  @Test
  void aCallbackThatThrowsEndsTheCallWithItsException() {
    AtomicInteger calls = new AtomicInteger();
    IllegalStateException bad = new IllegalStateException("callback");
    Retry retry = builder().waitBetween(Wait.none()).beforeSleep((a, w) -> {
      throw bad;
    }).build();
    assertThat(catchThrowable(() -> retry.call(failing(9, new IOException("x"), calls)))).isSameAs(bad);
    assertThat(calls).hasValue(1);
  }

  @Test
  void runRetriesARunnableAndRethrowsItsUncheckedException() {
    AtomicInteger calls = new AtomicInteger();
    Retry retry = builder().waitBetween(Wait.none()).build();
    retry.run(() -> {
      if (calls.incrementAndGet() < 3) {
        throw new IllegalStateException("not yet");
      }
    });
    assertThat(calls).hasValue(3);
    assertThatThrownBy(() -> retry.run(() -> {
      throw new IllegalArgumentException("always");
    })).isInstanceOf(IllegalArgumentException.class).hasMessage("always");
  }

  @Test
  void anInterruptedWaitEndsCallWithInterruptedExceptionAndRunWithCancellation() {
    Sleeper interrupted = new Sleeper() {
      @Override
      public void sleep(Duration duration) throws InterruptedException {
        throw new InterruptedException("stop");
      }

      @Override
      public CompletableFuture<Void> after(Duration duration, Executor executor) {
        return CompletableFuture.failedFuture(new IllegalStateException("unused"));
      }
    };
    AtomicInteger calls = new AtomicInteger();
    Retry retry = builder().sleeper(interrupted).build();
    assertThat(catchThrowable(() -> retry.call(failing(9, new IOException("x"), calls))))
        .isInstanceOf(InterruptedException.class);
    assertThat(calls).hasValue(1);
    Throwable t = catchThrowable(() -> retry.run(() -> {
      throw new IllegalStateException("x");
    }));
    try {
      assertThat(t).isInstanceOf(CancellationException.class).hasCauseInstanceOf(InterruptedException.class);
      assertThat(Thread.currentThread().isInterrupted()).as("the flag is set again").isTrue();
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void oneRetryServesConcurrentCallsEachWithItsOwnCountAndClock() throws Exception {
    Retry retry = builder().stopAfterAttempts(3).waitBetween(Wait.fixed(MS_100)).build();
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<Integer>> results = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        results.add(pool.submit(() -> {
          AtomicInteger calls = new AtomicInteger();
          retry.call(failing(2, new IOException("x"), calls));
          return calls.get();
        }));
      }
      for (Future<Integer> f : results) {
        assertThat(f.get()).isEqualTo(3);
      }
    }
    assertThat(time.sleeps).hasSize(32);
  }

  @Test
  void theBuilderRefusesBadSettingsWithAClearMessage() {
    assertThatThrownBy(() -> Retry.builder().stopAfterAttempts(0)).hasMessageContaining("attempts must be >= 1");
    assertThatThrownBy(() -> Retry.builder().stopAfterElapsed(Duration.ZERO)).hasMessageContaining("positive");
    assertThatThrownBy(() -> Retry.builder().stopAfterElapsed(Duration.ofSeconds(-1))).hasMessageContaining("positive");
    assertThatThrownBy(() -> Retry.builder().waitBetween(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("wait");
    assertThatThrownBy(() -> Retry.builder().retryOn((Class<? extends Throwable>) null))
        .isInstanceOf(NullPointerException.class);
    assertThat(Retry.builder().build().toString()).contains("maxAttempts=3");
  }
}
