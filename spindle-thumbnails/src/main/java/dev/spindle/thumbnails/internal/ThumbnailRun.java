package dev.spindle.thumbnails.internal;

import dev.spindle.thumbnails.FailureReason;
import dev.spindle.thumbnails.ThumbnailConfig;
import dev.spindle.thumbnails.ThumbnailReport;
import dev.spindle.thumbnails.Variant;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of the thumbnail maker: which {@link DownloadStrategies download strategy} and
 * {@link ResizeStrategies resize strategy} each {@link Variant} combines, over one {@link RunBook}
 * that guarantees one result per image. Used by one coordinating thread.
 */
public final class ThumbnailRun {
  private static final Logger LOG = LoggerFactory.getLogger(ThumbnailRun.class);

  /** What flows from the download stage to the resize stage. */
  public sealed interface Item permits Job, End {}

  /** A downloaded image waiting to be resized. */
  public record Job(ImageSource source, Downloader.Result download) implements Item {}

  /** The end marker: one per consumer, a value (not an identity) as the course advises. */
  public enum End implements Item { MARKER }

  /** Receives each downloaded image; may block (a bounded queue). */
  @FunctionalInterface
  public interface Sink {
    void accept(Job job) throws InterruptedException;
  }

  /** A download stage: returns once every download has ended, each success handed to the sink. */
  @FunctionalInterface
  public interface DownloadStage {
    void run(Sink sink) throws InterruptedException;
  }

  private final ThumbnailConfig config;
  private final List<ImageSource> sources;
  private final RunBook book;
  private final DownloadStrategies downloads;
  private final ResizeStrategies resizes;

  public ThumbnailRun(ThumbnailConfig config, List<ImageSource> sources, Downloader downloader,
      Downloader.Settings downloadSettings) {
    this.config = config;
    this.sources = List.copyOf(sources);
    this.book = new RunBook(config, this.sources);
    this.downloads = new DownloadStrategies(config, this.sources, downloader, downloadSettings, book);
    this.resizes = new ResizeStrategies(config, book);
  }

  // ------------------------------------------------------------------ whole variants

  /** The resize pool of a variant that uses one (the maker passes it for exactly those). */
  private static ResizeBackend pool(@Nullable ResizeBackend backend) {
    if (backend == null) {
      throw new IllegalStateException("this variant resizes on a pool, and none was given");
    }
    return backend;
  }

  /** Runs the variant with the given backends; returns when every image has a result. */
  public void execute(Variant variant, @Nullable ResizeBackend poolBackend) throws InterruptedException {
    book.listener().started(sources.size());
    failInvalidUrls();
    int n = config.downloadConcurrency() == 0 ? 4 : config.downloadConcurrency();
    switch (variant) {
      case SEQUENTIAL -> resizes.resizeInOrder(collect(downloads::downloadSequentially), new LocalResizeBackend(1));
      case THREAD_PER_URL -> resizes.resizeInOrder(collect(downloads::downloadThreadPerUrl), new LocalResizeBackend(1));
      case DOWNLOAD_THREADS -> resizes.resizeInOrder(collect(sink -> downloads.downloadWithThreads(n, sink)), new LocalResizeBackend(1));
      case PIPELINE_QUEUE -> resizes.pipeline(sink -> downloads.downloadWithThreads(n, sink), new LocalResizeBackend(1), config.queueCapacity());
      case PIPELINE -> resizes.pipeline(sink -> downloads.downloadOnVirtualThreads(config.downloadConcurrency(), sink), pool(poolBackend),
          config.queueCapacity());
      case PROCESS_POOL -> resizes.resizeMapped(collect(sink -> downloads.downloadWithThreads(n, sink)), pool(poolBackend));
      case THREADS_AND_PROCESSES -> {
        if (poolBackend instanceof ExecutorResizeBackend eb && eb.executor().model() == dev.spindle.ExecutionModel.PROCESSES) {
          resizes.joinableQueuePipeline(sink -> downloads.downloadWithThreads(n, sink), eb);
        } else {
          resizes.pipeline(sink -> downloads.downloadWithThreads(n, sink), pool(poolBackend), config.queueCapacity());
        }
      }
      // The event-loop thread must never block, so its queue is unbounded.
      case ASYNC -> resizes.pipeline(sink -> downloads.downloadAsync(config.downloadConcurrency(), sink), pool(poolBackend), Integer.MAX_VALUE);
      case ASYNCIO -> asyncio(pool(poolBackend));
    }
  }

  /**
   * V9 as asyncio wrote it: download coroutines on one event loop, each offloading its resize to an
   * executor ({@code loop.run_in_executor}) of one thread per pool consumer that hands the image to
   * the resize pool (started before downloading, as the course did) and awaits the result; the loop
   * downloads the other images meanwhile.
   */
  private void asyncio(ResizeBackend backend) throws InterruptedException {
    java.util.concurrent.ExecutorService offload = java.util.concurrent.Executors.newFixedThreadPool(
        Math.max(1, backend.consumers()), Thread.ofPlatform().name("resize-offload-", 1).factory());
    try {
      downloads.downloadAsCoroutines(config.downloadConcurrency(),
          job -> dev.spindle.coroutine.Async.runInExecutor(offload, () -> {
            resizes.resizeOne(job, backend);
            return null;
          }));
    } finally {
      offload.shutdownNow();
    }
  }

  /** Downloads only (the download stage alone). */
  public void downloadOnly(Variant variant) throws InterruptedException {
    book.listener().started(sources.size());
    failInvalidUrls();
    int n = config.downloadConcurrency() == 0 ? 4 : config.downloadConcurrency();
    Sink done = job -> book.complete(job, null);
    switch (variant) {
      case SEQUENTIAL -> downloads.downloadSequentially(done);
      case THREAD_PER_URL -> downloads.downloadThreadPerUrl(done);
      case DOWNLOAD_THREADS, PIPELINE_QUEUE, PROCESS_POOL, THREADS_AND_PROCESSES -> downloads.downloadWithThreads(n, done);
      case PIPELINE -> downloads.downloadOnVirtualThreads(config.downloadConcurrency(), done);
      case ASYNC -> downloads.downloadAsync(config.downloadConcurrency(), done);
      case ASYNCIO -> downloads.downloadAsCoroutines(config.downloadConcurrency(), job -> book.complete(job, null));
    }
  }

  /** Resizes already-present files (the resize stage alone): sources' files must exist. */
  public void resizeOnly(ResizeBackend backend) throws InterruptedException {
    book.listener().started(sources.size());
    for (ImageSource s : sources) {
      try {
        long size = Files.size(config.incomingDir().resolve(s.fileName()));
        book.presentDownload(s, new Downloader.Result(config.incomingDir().resolve(s.fileName()), size, null, 0, Duration.ZERO));
      } catch (IOException e) {
        book.fail(s, FailureReason.IO_ERROR, "cannot read " + s.fileName() + ": " + e, null);
      }
    }
    resizes.pipeline(sink -> {
      for (ImageSource s : sources) {
        Downloader.Result d = book.download(s.index());
        if (d != null) {
          sink.accept(new Job(s, d));
        }
      }
    }, backend, Integer.MAX_VALUE);
  }

  private void failInvalidUrls() {
    for (ImageSource s : sources) {
      if (!s.valid()) {
        book.fail(s, FailureReason.INVALID_URL, s.invalidReason(), null);
      }
    }
  }

  private List<Job> collect(DownloadStage stage) throws InterruptedException {
    List<Job> jobs = java.util.Collections.synchronizedList(new ArrayList<>());
    stage.run(jobs::add);
    List<Job> sorted = new ArrayList<>(jobs);
    sorted.sort(java.util.Comparator.comparingInt(j -> j.source().index()));
    return sorted;
  }

  /** Fills images without a result as cancelled (after an interruption). */
  public void cancelUnfinished() {
    book.cancelUnfinished();
  }

  /** The report; every image must have a result (call {@link #cancelUnfinished()} first if interrupted). */
  public ThumbnailReport report(Variant variant, String pool, Duration setup, Duration total, long counterBytes) {
    return book.report(variant, pool, setup, total, counterBytes);
  }

  /** Now, from the run's clock. */
  public Instant now() {
    return config.clock().instant();
  }
}
