package dev.spindle.thumbnails.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.WorkerLostException;
import dev.spindle.thumbnails.FailureReason;
import dev.spindle.thumbnails.ImageResult;
import dev.spindle.thumbnails.ResizeRequest;
import dev.spindle.thumbnails.ResizeResult;
import dev.spindle.thumbnails.ThumbnailConfig;
import dev.spindle.thumbnails.Variant;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A lost resize worker is retried once, at once; other failures are not retried. */
class ResizeRetryTest {
  @TempDir Path home;

  /** Loses its worker {@code losses} times, then answers with a result naming worker "w-ok". */
  private static final class LosingBackend implements ResizeBackend {
    final AtomicInteger calls = new AtomicInteger();
    private final int losses;
    private final @org.jspecify.annotations.Nullable RuntimeException other;

    LosingBackend(int losses, @org.jspecify.annotations.Nullable RuntimeException other) {
      this.losses = losses;
      this.other = other;
    }

    @Override
    public ResizeResult resize(ResizeRequest request) {
      if (calls.incrementAndGet() <= losses) {
        throw other != null ? other : new WorkerLostException("child-" + calls.get(), -1, -1, "died");
      }
      return ResizeResult.failed(request.source(), FailureReason.TRUNCATED, "answered", "w-ok");
    }

    @Override
    public int consumers() {
      return 1;
    }

    @Override
    public boolean runsOnConsumer() {
      return true;
    }

    @Override
    public String describe() {
      return "losing";
    }

    @Override
    public void close() {}
  }

  private ImageResult resizeOne(ResizeBackend backend) {
    ThumbnailConfig config = ThumbnailConfig.builder().homeDir(home).build();
    ImageSource s = ImageSource.plan(List.of("http://example.invalid/a.jpg")).get(0);
    RunBook book = new RunBook(config, List.of(s));
    Downloader.Result d = new Downloader.Result(home.resolve("a.jpg"), 10, "jpeg", 1, Duration.ZERO);
    book.presentDownload(s, d);
    new ResizeStrategies(config, book).resizeOne(new ThumbnailRun.Job(s, d), backend);
    return book.report(Variant.values()[0], "test", Duration.ZERO, Duration.ZERO, 0).images().get(0);
  }

  @Test
  void aWorkerLostOnceIsRetriedAndTheSecondAnswerKept() {
    LosingBackend b = new LosingBackend(1, null);
    ImageResult r = resizeOne(b);
    assertThat(b.calls).hasValue(2);
    assertThat(r.resizeWorker()).isEqualTo("w-ok");
  }

  @Test
  void aWorkerLostTwiceFailsTheImageAsWorkerLost() {
    LosingBackend b = new LosingBackend(5, null);
    ImageResult r = resizeOne(b);
    assertThat(b.calls).hasValue(2);
    assertThat(r.failureReason()).isEqualTo(FailureReason.WORKER_LOST);
    assertThat(r.failureMessage()).contains("child-2");
  }

  @Test
  void anotherBackendFailureIsNotRetried() {
    LosingBackend b = new LosingBackend(5, new IllegalStateException("backend broke"));
    ImageResult r = resizeOne(b);
    assertThat(b.calls).hasValue(1);
    assertThat(r.failureReason()).isEqualTo(FailureReason.INTERNAL_ERROR);
  }
}
