package dev.spindle.thumbnails.internal;

import dev.spindle.retry.Retry;
import dev.spindle.retry.Sleeper;
import dev.spindle.retry.Wait;
import dev.spindle.thumbnails.FailureReason;
import dev.spindle.thumbnails.RetryPolicy;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads one image to the incoming folder with {@link HttpClient}: each attempt has a deadline
 * covering headers and body, transient failures are retried with backoff, the body streams to a
 * hidden temporary file that is renamed into place only when complete. The retries are a
 * {@link Retry} over the settings' {@link RetryPolicy}, which retries an attempt whose outcome says
 * so and waits the server's {@code Retry-After} when it gave one. Both a blocking call (for
 * any thread, virtual threads included) and a non-blocking one (for the single-threaded
 * asynchronous variant) are offered. Thread-safe.
 */
public final class Downloader {
  private static final Logger LOG = LoggerFactory.getLogger(Downloader.class);

  /** Download settings. */
  public record Settings(Duration downloadTimeout, RetryPolicy retry, long maxBytes, String userAgent) {
    public Settings {
      Objects.requireNonNull(downloadTimeout, "downloadTimeout");
      Objects.requireNonNull(retry, "retry");
      Objects.requireNonNull(userAgent, "userAgent");
    }
  }

  /** A finished download. */
  public record Result(Path file, long bytes, @Nullable String format, int attempts, Duration elapsed) {}

  private final HttpClient client;
  private final Path dir;
  private final Settings settings;
  private final Executor retryExecutor;
  private final Clock clock;
  private final Retry retry;

  /**
   * @param retryExecutor runs the next attempt after a backoff (the HTTP client's executor for the
   *     async variant, so everything stays on one thread)
   */
  public Downloader(HttpClient client, Path dir, Settings settings, Executor retryExecutor, Clock clock) {
    this(client, dir, settings, retryExecutor, clock, Sleeper.system());
  }

  /** As above, waiting between attempts with {@code sleeper} (tests: one that does not sleep). */
  public Downloader(HttpClient client, Path dir, Settings settings, Executor retryExecutor, Clock clock,
      Sleeper sleeper) {
    this.client = Objects.requireNonNull(client, "client");
    this.dir = Objects.requireNonNull(dir, "dir");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.retryExecutor = Objects.requireNonNull(retryExecutor, "retryExecutor");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.retry = retry(settings.retry(), Objects.requireNonNull(sleeper, "sleeper"));
  }

  /** Retries outcomes that ask for it (exceptions never reach it: {@link #outcome} classifies them). */
  private static Retry retry(RetryPolicy policy, Sleeper sleeper) {
    Wait backoff = policy.backoffWait();
    return Retry.builder().stopAfterAttempts(policy.maxAttempts())
        .retryIfResult(r -> r instanceof Outcome o && o.retry())
        .waitBetween((a, random) -> a.result() instanceof Outcome o && o.retryAfter() != null
            ? policy.backoff(a.number(), 0, o.retryAfter()) : backoff.next(a, random))
        .beforeSleep((a, wait) -> LOG.warn("{} (attempt {}/{}); retrying in {} ms",
            a.result() instanceof Outcome o ? o.message() : "?", a.number(), policy.maxAttempts(), wait.toMillis()))
        .sleeper(sleeper).build();
  }

  /**
   * Downloads and waits.
   *
   * @throws ImageProblem with the reason of the last attempt
   * @throws InterruptedException if interrupted (the transfer is aborted)
   */
  public Result download(ImageSource source) throws ImageProblem, InterruptedException {
    CompletableFuture<Result> f = downloadAsync(source);
    try {
      return f.get();
    } catch (InterruptedException e) {
      f.cancel(true);
      throw e;
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof ImageProblem p) {
        throw p;
      }
      throw new ImageProblem(FailureReason.IO_ERROR, source.url() + ": " + c, c);
    }
  }

  /** Downloads without blocking; completes exceptionally with an {@link ImageProblem}. */
  public CompletableFuture<Result> downloadAsync(ImageSource source) {
    if (!source.valid()) {
      return CompletableFuture.failedFuture(new ImageProblem(FailureReason.INVALID_URL, source.invalidReason()));
    }
    Instant start = clock.instant();
    AtomicInteger attempts = new AtomicInteger();
    CompletableFuture<Outcome> call = retry.callAsync(() -> attempt(source, attempts.incrementAndGet(), start),
        retryExecutor);
    CompletableFuture<Result> out = new CompletableFuture<>();
    out.whenComplete((r, e) -> {
      if (e instanceof CancellationException) {
        call.cancel(true); // the attempt in flight aborts its transfer; no further attempt starts
      }
    });
    call.whenComplete((o, t) -> {
      if (t != null) {
        out.completeExceptionally(new ImageProblem(FailureReason.IO_ERROR, source.url() + ": " + t, t));
      } else if (o.result() != null) {
        out.complete(o.result());
      } else {
        int n = attempts.get();
        String msg = o.message() + (n > 1 ? " (after " + n + " attempts)" : "");
        FailureReason reason = o.reason();
        out.completeExceptionally(new ImageProblem(reason == null ? FailureReason.INTERNAL_ERROR : reason, msg, o.cause()));
      }
    });
    return out;
  }

  /** The outcome of one attempt. */
  private record Outcome(@Nullable Result result, @Nullable FailureReason reason, @Nullable String message, boolean retry,
      @Nullable Duration retryAfter, @Nullable Throwable cause) {
    static Outcome ok(Result r) {
      return new Outcome(r, null, null, false, null, null);
    }

    static Outcome fail(FailureReason reason, @Nullable String message, boolean retry, @Nullable Duration retryAfter,
        @Nullable Throwable cause) {
      return new Outcome(null, reason, message, retry, retryAfter, cause);
    }
  }

  /** One attempt; its future completes with the outcome, never exceptionally unless cancelled. */
  private CompletableFuture<Outcome> attempt(ImageSource source, int n, Instant start) {
    Path target = dir.resolve(source.fileName());
    Path tmp = AtomicFiles.tempFor(target);
    AtomicReference<FileBodySubscriber> sub = new AtomicReference<>();
    HttpRequest.Builder rb = HttpRequest.newBuilder(source.uri()).GET()
        .timeout(settings.downloadTimeout())
        .header("User-Agent", settings.userAgent())
        .header("Accept", "image/*, */*;q=0.5");
    if ("http".equalsIgnoreCase(Objects.requireNonNull(source.uri(), "a valid source has a URI").getScheme())) {
      rb.version(HttpClient.Version.HTTP_1_1); // no h2c upgrade dance on plain HTTP
    }
    HttpResponse.BodyHandler<Long> handler = info -> {
      if (info.statusCode() != 200) {
        return HttpResponse.BodySubscribers.replacing(-1L);
      }
      long len = info.headers().firstValueAsLong("Content-Length").orElse(-1L);
      String type = info.headers().firstValue("Content-Type").orElse(null);
      FileBodySubscriber s = new FileBodySubscriber(tmp, settings.maxBytes(), len, type, source.url());
      sub.set(s);
      return s;
    };
    CompletableFuture<HttpResponse<Long>> http;
    try {
      http = client.sendAsync(rb.build(), handler);
    } catch (RuntimeException e) { // e.g. the client was closed
      return CompletableFuture.completedFuture(
          Outcome.fail(FailureReason.CANCELLED, source.url() + ": " + e.getMessage(), false, null, e));
    }
    long deadline = settings.downloadTimeout().toMillis();
    CompletableFuture<Outcome> outcome = http.copy().orTimeout(deadline, TimeUnit.MILLISECONDS).handle((resp, err) -> {
      if (err != null && unwrap(err) instanceof TimeoutException) {
        http.cancel(true);
        abort(sub, tmp);
      }
      return outcome(source, n, start, resp, err, target, tmp, sub.get());
    }).exceptionally(t -> Outcome.fail(FailureReason.IO_ERROR, source.url() + ": " + t, false, null, t));
    outcome.whenComplete((o, e) -> {
      if (e instanceof CancellationException) {
        http.cancel(true);
        abort(sub, tmp);
      }
    });
    return outcome;
  }

  private static void abort(AtomicReference<FileBodySubscriber> sub, Path tmp) {
    FileBodySubscriber s = sub.get();
    if (s != null) {
      s.abort();
    }
    try {
      Files.deleteIfExists(tmp);
    } catch (IOException ignored) {
      // hidden .part name; nothing else to do
    }
  }

  private Outcome outcome(ImageSource source, int n, Instant start, @Nullable HttpResponse<Long> resp, @Nullable Throwable err,
      Path target, Path tmp, @Nullable FileBodySubscriber sub) {
    String url = source.url();
    if (err != null) {
      return classify(url, unwrap(err));
    }
    int status = Objects.requireNonNull(resp, "handle() gives a response when there is no error").statusCode();
    if (status == 200) {
      try {
        AtomicFiles.commit(tmp, target);
      } catch (IOException e) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // reported below
        }
        return Outcome.fail(FailureReason.IO_ERROR, url + ": cannot move the download into place: " + e, false, null, e);
      }
      Duration took = Duration.between(start, clock.instant());
      long bytes = resp.body();
      return Outcome.ok(new Result(target, bytes, sub == null ? null : sub.format(), n, took));
    }
    String text = "HTTP " + status + reasonPhrase(status);
    if (status == 404 || status == 410) {
      return Outcome.fail(FailureReason.NOT_FOUND, url + ": " + text, false, null, null);
    }
    boolean transientStatus = status == 408 || status == 425 || status == 429 || status == 500 || status == 502
        || status == 503 || status == 504;
    Duration retryAfter = (status == 429 || status == 503) ? retryAfter(resp) : null;
    return Outcome.fail(FailureReason.HTTP_ERROR, url + ": " + text, transientStatus, retryAfter, null);
  }

  private Outcome classify(String url, Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof ImageProblem p) {
        return Outcome.fail(p.reason(), p.getMessage(), false, null, p);
      }
    }
    if (t instanceof TimeoutException) {
      return Outcome.fail(FailureReason.TIMEOUT, url + ": no complete response within "
          + settings.downloadTimeout().toMillis() + " ms", true, null, t);
    }
    if (t instanceof HttpConnectTimeoutException) {
      return Outcome.fail(FailureReason.CONNECTION_FAILED, url + ": connect timed out", true, null, t);
    }
    if (t instanceof HttpTimeoutException) {
      return Outcome.fail(FailureReason.TIMEOUT, url + ": no response headers within "
          + settings.downloadTimeout().toMillis() + " ms", true, null, t);
    }
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof ConnectException || c instanceof UnresolvedAddressException
          || c instanceof java.net.UnknownHostException || c instanceof java.net.NoRouteToHostException) {
        return Outcome.fail(FailureReason.CONNECTION_FAILED, url + ": cannot connect (" + describe(c) + ")", true, null, t);
      }
    }
    if (t instanceof CancellationException) {
      return Outcome.fail(FailureReason.CANCELLED, url + ": download cancelled", false, null, t);
    }
    if (t instanceof IOException) {
      return Outcome.fail(FailureReason.CONNECTION_RESET, url + ": connection reset or closed before the body was complete ("
          + describe(t) + ")", true, null, t);
    }
    return Outcome.fail(FailureReason.IO_ERROR, url + ": " + describe(t), false, null, t);
  }

  private static String describe(Throwable t) {
    String m = t.getMessage();
    return t.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static @Nullable Duration retryAfter(HttpResponse<?> resp) {
    Optional<String> v = resp.headers().firstValue("Retry-After");
    if (v.isEmpty()) {
      return null;
    }
    try {
      long s = Long.parseLong(v.get().trim());
      return s >= 0 ? Duration.ofSeconds(s) : null;
    } catch (NumberFormatException e) {
      return null; // HTTP-date form: fall back to the policy's backoff
    }
  }

  private static String reasonPhrase(int status) {
    String p = switch (status) {
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 408 -> "Request Timeout";
      case 410 -> "Gone";
      case 429 -> "Too Many Requests";
      case 500 -> "Internal Server Error";
      case 502 -> "Bad Gateway";
      case 503 -> "Service Unavailable";
      case 504 -> "Gateway Timeout";
      default -> null;
    };
    return p == null ? "" : " " + p;
  }

}
