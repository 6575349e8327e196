package dev.spindle.thumbnails.internal;

import dev.spindle.coroutine.Async;
import dev.spindle.coroutine.AsyncSemaphore;
import dev.spindle.coroutine.AsyncTask;
import dev.spindle.coroutine.EventLoop;
import dev.spindle.coroutine.LoopConfig;
import dev.spindle.thumbnails.FailureReason;
import dev.spindle.thumbnails.ThumbnailConfig;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The download strategies of the thumbnail maker's variants: sequential, a thread per URL, a fixed
 * set of download threads, bounded virtual threads, one thread driving every download
 * asynchronously, and coroutines on one event loop. Each hands every downloaded image to a sink and records the rest in the run's
 * {@link RunBook}. Thread-safe.
 */
final class DownloadStrategies {
  private static final Logger LOG = LoggerFactory.getLogger(DownloadStrategies.class);

  private final ThumbnailConfig config;
  private final List<ImageSource> valid;
  private final Downloader downloader;
  private final Downloader.Settings downloadSettings;
  private final Clock clock;
  private final RunBook book;

  DownloadStrategies(ThumbnailConfig config, List<ImageSource> sources, Downloader downloader,
      Downloader.Settings downloadSettings, RunBook book) {
    this.config = config;
    this.valid = sources.stream().filter(ImageSource::valid).toList();
    this.downloader = downloader;
    this.downloadSettings = downloadSettings;
    this.clock = config.clock();
    this.book = book;
  }

  private List<ImageSource> valid() {
    return valid;
  }

  /** Downloads one image on the calling thread; a failure is recorded, a success handed on. */
  void downloadOne(ImageSource s, ThumbnailRun.Sink sink) throws InterruptedException {
    book.downloadClock().start();
    Downloader.Result r;
    try {
      r = downloader.download(s);
    } catch (ImageProblem p) {
      book.downloadClock().end();
      book.fail(s, p.reason(), p.getMessage(), null);
      return;
    }
    book.downloadClock().end();
    book.recordDownload(s, r);
    sink.accept(new ThumbnailRun.Job(s, r));
  }

  /** The course's baseline: each URL in turn on the calling thread. */
  void downloadSequentially(ThumbnailRun.Sink sink) throws InterruptedException {
    for (ImageSource s : valid()) {
      downloadOne(s, sink);
    }
  }

  /** V1: one platform thread per URL, all started, then all joined (never join inside the loop). */
  void downloadThreadPerUrl(ThumbnailRun.Sink sink) throws InterruptedException {
    List<Thread> threads = new ArrayList<>();
    for (ImageSource s : valid()) {
      threads.add(Thread.ofPlatform().name("download-" + (s.index() + 1)).unstarted(() -> runDownload(s, sink)));
    }
    startAndJoin(threads);
  }

  /**
   * V3/V5: {@code n} platform threads take URLs from a shared queue with a non-blocking poll, so
   * no thread waits on an item another thread took between an emptiness check and a get.
   */
  void downloadWithThreads(int n, ThumbnailRun.Sink sink) throws InterruptedException {
    ConcurrentLinkedQueue<ImageSource> dlQueue = new ConcurrentLinkedQueue<>(valid());
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < Math.min(n, Math.max(1, dlQueue.size())); i++) {
      threads.add(Thread.ofPlatform().name("download-" + (i + 1)).unstarted(() -> {
        ImageSource s;
        while ((s = dlQueue.poll()) != null && !Thread.currentThread().isInterrupted()) {
          runDownload(s, sink);
        }
      }));
    }
    startAndJoin(threads);
  }

  /**
   * Production: a virtual thread per URL, at most {@code limit} downloading at once (the course's
   * semaphore); 0 = unbounded.
   */
  void downloadOnVirtualThreads(int limit, ThumbnailRun.Sink sink) throws InterruptedException {
    Semaphore permits = limit > 0 ? new Semaphore(limit) : null;
    List<Thread> threads = new ArrayList<>();
    for (ImageSource s : valid()) {
      threads.add(Thread.ofVirtual().name("download-" + (s.index() + 1)).unstarted(() -> {
        try {
          if (permits != null) {
            permits.acquire();
          }
        } catch (InterruptedException e) {
          book.fail(s, FailureReason.CANCELLED, s.url() + ": cancelled before it started", null);
          return;
        }
        try {
          runDownload(s, sink);
        } finally {
          if (permits != null) {
            permits.release();
          }
        }
      }));
    }
    startAndJoin(threads);
  }

  /**
   * V9: one thread drives every download. The HTTP client runs its callbacks on that thread, which
   * keeps up to {@code limit} requests in flight (0 = all at once) and starts the next one as each
   * completes; nothing on it blocks.
   */
  void downloadAsync(int limit, ThumbnailRun.Sink sink) throws InterruptedException {
    ExecutorService loop = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("async-downloader").factory());
    java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().executor(loop)
        .connectTimeout(config.connectTimeout()).followRedirects(java.net.http.HttpClient.Redirect.NORMAL).build();
    try {
      Downloader async = new Downloader(client, config.incomingDir(), downloadSettings, loop, clock);
      Iterator<ImageSource> pending = valid().iterator();
      CompletableFuture<Void> all = new CompletableFuture<>();
      int max = limit == 0 ? Integer.MAX_VALUE : limit;
      int[] inFlight = {0}; // confined to the loop thread
      Runnable[] launch = new Runnable[1];
      launch[0] = () -> {
        while (inFlight[0] < max && pending.hasNext()) {
          ImageSource s = pending.next();
          inFlight[0]++;
          book.downloadClock().start();
          async.downloadAsync(s).whenCompleteAsync((r, e) -> {
            book.downloadClock().end();
            inFlight[0]--;
            if (e != null) {
              Throwable c = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
              if (c instanceof ImageProblem p) {
                book.fail(s, p.reason(), p.getMessage(), null);
              } else {
                book.fail(s, FailureReason.IO_ERROR, s.url() + ": " + c, null);
              }
            } else {
              book.recordDownload(s, r);
              try {
                sink.accept(new ThumbnailRun.Job(s, r)); // an unbounded queue: never blocks
              } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
              }
            }
            launch[0].run();
            if (inFlight[0] == 0 && !pending.hasNext()) {
              all.complete(null);
            }
          }, loop);
        }
        if (inFlight[0] == 0 && !pending.hasNext()) {
          all.complete(null);
        }
      };
      loop.execute(launch[0]);
      try {
        all.get();
      } catch (ExecutionException e) {
        throw new IllegalStateException("async download loop failed", e.getCause());
      }
    } finally {
      loop.shutdownNow();
      client.shutdownNow();
    }
  }

  /** Receives each downloaded image inside its download coroutine; it may suspend (await). */
  @FunctionalInterface
  interface CoroutineSink {
    void accept(ThumbnailRun.Job job);
  }

  /**
   * V9 on the COROUTINE model ({@code dev.spindle.coroutine}): one {@link EventLoop} on the calling
   * thread runs a coroutine per URL ({@code download_image_coro}); each awaits its download (the
   * HTTP client's future, {@link Async#await}) holding one of {@code limit} permits of an
   * {@link AsyncSemaphore} (0 = unbounded; 1 = the course's one-after-another loop), then hands the
   * file to {@code onDownloaded} in the same coroutine, which may await again (the resize offloaded
   * to an executor). No lock is needed for the byte count: every coroutine runs on one thread.
   * Returns when every coroutine has ended.
   */
  void downloadAsCoroutines(int limit, CoroutineSink onDownloaded) throws InterruptedException {
    if (Thread.currentThread().isInterrupted()) {
      throw new InterruptedException("downloads interrupted");
    }
    EventLoop.run(LoopConfig.defaults().withName("asyncio-downloads"), () -> {
      AsyncSemaphore permits = limit > 0 ? AsyncSemaphore.of(limit) : null;
      List<AsyncTask<@Nullable Void>> tasks = new ArrayList<>();
      for (ImageSource s : valid()) {
        tasks.add(Async.createTask("download-" + (s.index() + 1), () -> {
          downloadCoroutine(s, permits, onDownloaded);
          return null;
        }));
      }
      Async.gather(tasks);
      return null;
    });
  }

  private void downloadCoroutine(ImageSource s, @Nullable AsyncSemaphore permits, CoroutineSink onDownloaded) {
    Downloader.Result r;
    if (permits != null) {
      permits.acquire();
    }
    book.downloadClock().start();
    try {
      r = Async.await(downloader.downloadAsync(s));
    } catch (java.util.concurrent.CancellationException e) {
      book.fail(s, FailureReason.CANCELLED, s.url() + ": download cancelled", null);
      throw e;
    } catch (RuntimeException e) {
      Throwable c = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
      if (c instanceof ImageProblem p) {
        book.fail(s, p.reason(), p.getMessage(), null);
      } else {
        book.fail(s, FailureReason.IO_ERROR, s.url() + ": " + c, null);
      }
      return;
    } finally {
      book.downloadClock().end();
      if (permits != null) {
        permits.release();
      }
    }
    book.recordDownload(s, r);
    onDownloaded.accept(new ThumbnailRun.Job(s, r));
  }

  private void runDownload(ImageSource s, ThumbnailRun.Sink sink) {
    try {
      downloadOne(s, sink);
    } catch (InterruptedException e) {
      book.fail(s, FailureReason.CANCELLED, s.url() + ": download interrupted", null);
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.error("download of {} failed unexpectedly", s.url(), e);
      book.fail(s, FailureReason.IO_ERROR, s.url() + ": " + e, null);
    }
  }

  private static void startAndJoin(List<Thread> threads) throws InterruptedException {
    for (Thread t : threads) {
      t.start();
    }
    try {
      for (Thread t : threads) {
        t.join();
      }
    } catch (InterruptedException e) {
      for (Thread t : threads) {
        t.interrupt();
      }
      for (Thread t : threads) {
        t.join();
      }
      throw e;
    }
  }
}
