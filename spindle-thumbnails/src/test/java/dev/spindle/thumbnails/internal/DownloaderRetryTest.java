package dev.spindle.thumbnails.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.spindle.retry.Sleeper;
import dev.spindle.thumbnails.FailureReason;
import dev.spindle.thumbnails.RetryPolicy;
import dev.spindle.thumbnails.SampleServer;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The downloader's retries run on the general Retry: backoff, Retry-After, what is not retried. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DownloaderRetryTest {
  /** Records the waits and does not sleep. */
  private static final class RecordingSleeper implements Sleeper {
    final List<Duration> waits = new CopyOnWriteArrayList<>();

    @Override
    public void sleep(Duration duration) {
      waits.add(duration);
    }

    @Override
    public CompletableFuture<Void> after(Duration duration, Executor executor) {
      waits.add(duration);
      return CompletableFuture.runAsync(() -> {}, executor);
    }
  }

  @TempDir Path dir;

  private SampleServer server;
  private HttpClient client;
  private final RecordingSleeper sleeper = new RecordingSleeper();

  @BeforeEach
  void start() {
    server = SampleServer.builder().count(1).size(64, 48).faults(true).start();
    client = HttpClient.newHttpClient();
  }

  @AfterEach
  void stop() {
    client.close();
    server.close();
  }

  private Downloader downloader() {
    // Backoffs of 10 s and 20 s: a test that really slept would time out.
    RetryPolicy policy = new RetryPolicy(3, Duration.ofSeconds(10), Duration.ofSeconds(30), 2.0, 0.0);
    Downloader.Settings s = new Downloader.Settings(Duration.ofSeconds(20), policy, 10_000_000, "spindle-test");
    return new Downloader(client, dir, s, Runnable::run, Clock.systemUTC(), sleeper);
  }

  private ImageSource fault(String name) {
    String url = server.faultUrls().stream().filter(u -> u.endsWith("/" + name)).findFirst().orElseThrow();
    return ImageSource.plan(List.of(url)).get(0);
  }

  @Test
  void aServerThatSaysRetryAfterIsRetriedAfterItsDelayNotTheBackoff() throws Exception {
    Downloader.Result r = downloader().download(fault("flaky.jpg"));
    assertThat(r.attempts()).isEqualTo(3);
    assertThat(sleeper.waits).as("Retry-After: 0 twice").containsExactly(Duration.ZERO, Duration.ZERO);
  }

  @Test
  void aResetTransferIsRetriedWithExponentialBackoffThenReportedWithItsAttempts() {
    Throwable t = catchThrowable(() -> downloader().download(fault("reset.jpg")));
    assertThat(t).isInstanceOf(ImageProblem.class).hasMessageContaining("after 3 attempts");
    assertThat(((ImageProblem) t).reason()).isEqualTo(FailureReason.CONNECTION_RESET);
    assertThat(sleeper.waits).containsExactly(Duration.ofSeconds(10), Duration.ofSeconds(20));
  }

  @Test
  void aMissingImageIsNotRetried() {
    Throwable t = catchThrowable(() -> downloader().download(fault("missing.jpg")));
    assertThat(((ImageProblem) t).reason()).isEqualTo(FailureReason.NOT_FOUND);
    assertThat(t.getMessage()).doesNotContain("attempts");
    assertThat(sleeper.waits).isEmpty();
  }
}
