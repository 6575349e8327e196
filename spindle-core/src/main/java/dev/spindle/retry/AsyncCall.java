package dev.spindle.retry;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/** One call of {@link Retry#callAsync}: attempts chained through futures, no thread blocked. */
final class AsyncCall<T extends @Nullable Object> {
  private final Retry retry;
  private final Supplier<? extends CompletionStage<T>> attempt;
  private final Executor executor;
  private final CompletableFuture<T> out = new CompletableFuture<>();
  private volatile @Nullable CompletableFuture<?> inFlight;
  private long start;

  AsyncCall(Retry retry, Supplier<? extends CompletionStage<T>> attempt, Executor executor) {
    this.retry = retry;
    this.attempt = attempt;
    this.executor = executor;
  }

  CompletableFuture<T> start() {
    out.whenComplete((r, e) -> {
      CompletableFuture<?> f = inFlight;
      if (out.isCancelled() && f != null) {
        f.cancel(true);
      }
    });
    start = retry.now();
    run(1);
    return out;
  }

  private void run(int n) {
    if (out.isDone()) {
      return;
    }
    CompletableFuture<T> f;
    try {
      f = attempt.get().toCompletableFuture();
    } catch (Throwable t) {
      f = CompletableFuture.failedFuture(t);
    }
    inFlight = f;
    if (out.isCancelled()) {
      f.cancel(true);
      return;
    }
    f.whenComplete((r, e) -> ended(n, r, e == null ? null : unwrap(e)));
  }

  @SuppressWarnings("NullAway") // T may be nullable
  private void ended(int n, @Nullable T result, @Nullable Throwable failure) {
    if (out.isDone()) {
      return;
    }
    Retry.Decision d;
    try {
      d = retry.decide(new Attempt(n, retry.elapsedSince(start), result, failure));
    } catch (Throwable t) {
      out.completeExceptionally(t); // a callback threw
      return;
    }
    java.time.Duration pause = d.pause();
    if (pause == null) {
      try {
        @SuppressWarnings("unchecked")
        T r = (T) Retry.finish(d, result);
        out.complete(r);
      } catch (Throwable t) {
        out.completeExceptionally(t);
      }
      return;
    }
    CompletableFuture<Void> later = retry.sleeper().after(pause, executor);
    inFlight = later;
    // async on the executor: a pause that ended before this line must not run the attempt here
    later.whenCompleteAsync((v, e) -> {
      if (e != null) {
        out.completeExceptionally(unwrap(e));
      } else {
        run(n + 1);
      }
    }, executor);
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
