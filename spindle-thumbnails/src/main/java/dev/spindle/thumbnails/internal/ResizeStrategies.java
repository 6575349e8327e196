package dev.spindle.thumbnails.internal;

import dev.spindle.WorkerLostException;
import dev.spindle.retry.Retry;
import dev.spindle.retry.Wait;
import dev.spindle.thumbnails.FailureReason;
import dev.spindle.thumbnails.ResizeRequest;
import dev.spindle.thumbnails.ResizeResult;
import dev.spindle.thumbnails.ThumbnailConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The resize strategies of the thumbnail maker's variants: in turn on one thread, the whole batch
 * through a pool's map, a bounded pipeline with one end marker per consumer, and long-lived
 * workers in child JVMs fed by a joinable queue. Each records every image's result in the run's
 * {@link RunBook}. Thread-safe.
 */
final class ResizeStrategies {
  private static final Logger LOG = LoggerFactory.getLogger(ResizeStrategies.class);

  private final ThumbnailConfig config;
  private final RunBook book;

  ResizeStrategies(ThumbnailConfig config, RunBook book) {
    this.config = config;
    this.book = book;
  }

  /** Resizes each job in turn on the calling thread (the course's perform_resizing). */
  void resizeInOrder(List<ThumbnailRun.Job> jobs, ResizeBackend backend) throws InterruptedException {
    for (ThumbnailRun.Job j : jobs) {
      if (Thread.currentThread().isInterrupted()) {
        throw new InterruptedException("resizing interrupted");
      }
      resizeOne(j, backend);
    }
  }

  /** V6: the whole batch through the backend's map, results in order. */
  void resizeMapped(List<ThumbnailRun.Job> jobs, ResizeBackend backend) {
    if (jobs.isEmpty()) {
      return;
    }
    List<ResizeRequest> reqs = jobs.stream().map(this::request).toList();
    book.resizeClock().start();
    List<ResizeResult> out;
    try {
      out = backend.map(reqs);
    } catch (Exception e) {
      book.resizeClock().end();
      for (ThumbnailRun.Job j : jobs) {
        book.complete(j, ResizeResult.failed(j.download().file().toString(), FailureReason.INTERNAL_ERROR,
            "pool.map failed: " + e, null));
      }
      return;
    }
    book.resizeClock().end();
    for (int i = 0; i < jobs.size(); i++) {
      book.complete(jobs.get(i), out.get(i));
    }
  }

  /**
   * The pipeline: consumers start first and take jobs as soon as the first download lands; when
   * every download thread has finished, one end marker per consumer is queued (a marker sent any
   * earlier, e.g. by one download thread, would stop a consumer while others still download).
   */
  void pipeline(ThumbnailRun.DownloadStage producer, ResizeBackend backend, int capacity) throws InterruptedException {
    int consumers = backend.consumers();
    BlockingQueue<ThumbnailRun.Item> queue = capacity == Integer.MAX_VALUE ? new LinkedBlockingQueue<>()
        : new java.util.concurrent.ArrayBlockingQueue<>(capacity);
    ThreadFactory factory = backend.runsOnConsumer()
        ? Thread.ofPlatform().name("resize-", 1).factory()
        : Thread.ofVirtual().name("resize-dispatch-", 1).factory();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < consumers; i++) {
      Thread t = factory.newThread(() -> consume(queue, backend));
      threads.add(t);
      t.start();
    }
    try {
      producer.run(queue::put);
      for (int i = 0; i < consumers; i++) {
        queue.put(ThumbnailRun.End.MARKER);
      }
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

  private void consume(BlockingQueue<ThumbnailRun.Item> queue, ResizeBackend backend) {
    while (true) {
      ThumbnailRun.Item item;
      try {
        item = queue.take();
      } catch (InterruptedException e) {
        return;
      }
      if (item instanceof ThumbnailRun.Job job) {
        resizeOne(job, backend);
      } else {
        return;
      }
    }
  }

  /**
   * V7: download threads put work items on a cross-process joinable queue drained by one
   * long-lived worker task per child JVM; results come back on a second queue, out of order, each
   * carrying its source path; after every download thread has finished, one end marker per worker
   * is queued and the collector counts the workers' done reports. An image held by a worker that
   * died is resized again once through the pool.
   */
  void joinableQueuePipeline(ThumbnailRun.DownloadStage producer, ExecutorResizeBackend backend) throws InterruptedException {
    dev.spindle.TaskExecutor executor = backend.executor();
    int workers = executor.config().workers();
    java.util.Map<String, ThumbnailRun.Job> pending = new java.util.concurrent.ConcurrentHashMap<>();
    try (dev.spindle.process.JoinableQueue<dev.spindle.thumbnails.ThumbnailTasks.WorkItem> jobs =
             dev.spindle.process.JoinableQueue.create(dev.spindle.thumbnails.ThumbnailTasks.WorkItem.class, config.queueCapacity());
         dev.spindle.process.JoinableQueue<dev.spindle.thumbnails.ThumbnailTasks.WorkerReport> reports =
             dev.spindle.process.JoinableQueue.create(dev.spindle.thumbnails.ThumbnailTasks.WorkerReport.class, 0)) {
      var input = new dev.spindle.thumbnails.ThumbnailTasks.WorkerInput(jobs.descriptor(), reports.descriptor());
      List<dev.spindle.TaskFuture<dev.spindle.thumbnails.ThumbnailTasks.WorkerSummary>> workerFutures = new ArrayList<>();
      for (int i = 0; i < workers; i++) {
        workerFutures.add(executor.submit(dev.spindle.thumbnails.ThumbnailTasks.RESIZE_WORKER, input));
      }
      Thread collector = Thread.ofPlatform().name("result-collector").start(() -> collect(reports, workerFutures, pending));
      try {
        producer.run(job -> {
          ResizeRequest req = request(job);
          if (backend.sharedCounterName() != null) {
            req = req.withSharedCounter(backend.sharedCounterName());
          }
          pending.put(req.source(), job);
          book.resizeClock().start();
          jobs.put(new dev.spindle.thumbnails.ThumbnailTasks.WorkItem(req, false));
        });
        for (int i = 0; i < workers; i++) {
          jobs.put(dev.spindle.thumbnails.ThumbnailTasks.WorkItem.endMarker());
        }
        collector.join();
      } catch (InterruptedException e) {
        collector.interrupt();
        collector.join();
        for (var f : workerFutures) {
          f.cancel(true);
        }
        throw e;
      }
      for (var f : workerFutures) {
        try {
          var summary = f.result();
          LOG.info("worker {} resized {} images, {} bytes of thumbnails", summary.worker(), summary.images(),
              summary.thumbnailBytes());
        } catch (RuntimeException e) {
          LOG.warn("a resize worker ended abnormally: {}", e.toString());
        }
      }
    }
    for (ThumbnailRun.Job job : new ArrayList<>(pending.values())) {
      LOG.warn("{} was held by a worker that died; resizing it again", job.source().fileName());
      resizeOne(job, backend);
    }
  }

  private void collect(dev.spindle.process.JoinableQueue<dev.spindle.thumbnails.ThumbnailTasks.WorkerReport> reports,
      List<dev.spindle.TaskFuture<dev.spindle.thumbnails.ThumbnailTasks.WorkerSummary>> workers, java.util.Map<String, ThumbnailRun.Job> pending) {
    int done = 0;
    while (done < workers.size()) {
      dev.spindle.thumbnails.ThumbnailTasks.WorkerReport r;
      try {
        r = reports.get(Duration.ofMillis(250));
      } catch (dev.spindle.process.QueueEmptyException e) {
        // A worker that died never reports done: count the ones that ended without reporting.
        long ended = workers.stream().filter(f -> f.isDone() && !f.isCancelled() && f.exception(Duration.ZERO) != null).count();
        if (done + ended >= workers.size() && reports.isEmpty()) {
          return;
        }
        continue;
      } catch (InterruptedException e) {
        return;
      }
      if (r.done()) {
        done++;
        continue;
      }
      book.resizeClock().end();
      ThumbnailRun.Job job = pending.remove(Objects.requireNonNull(r.result(), "a report that is not done").source());
      if (job == null) {
        throw new IllegalStateException("a worker answered for " + r.result().source() + ", which is not pending");
      }
      book.complete(job, r.result());
    }
  }

  /** Two attempts, at once, when the resize worker (a child JVM or a queue worker) is lost. */
  private static Retry lostWorkerRetry(ThumbnailRun.Job job) {
    return Retry.builder().stopAfterAttempts(2).retryOn(WorkerLostException.class).waitBetween(Wait.none())
        .beforeSleep((a, wait) -> LOG.warn("{}: resize worker lost ({}); retrying once", job.source().fileName(),
            a.failure() == null ? "" : a.failure().getMessage()))
        .build();
  }

  /** Resizes one job through the backend and records its result; a lost worker is retried once. */
  void resizeOne(ThumbnailRun.Job job, ResizeBackend backend) {
    ResizeRequest req = request(job);
    book.resizeClock().start();
    ResizeResult rr;
    try {
      rr = lostWorkerRetry(job).call(() -> backend.resize(req));
    } catch (WorkerLostException e) {
      rr = ExecutorResizeBackend.failedResult(req, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      rr = ResizeResult.failed(req.source(), FailureReason.CANCELLED, job.source().fileName() + ": resize interrupted", null);
    } catch (Exception e) {
      LOG.error("resizing {} failed unexpectedly", job.source().fileName(), e);
      rr = ExecutorResizeBackend.failedResult(req, e);
    } catch (OutOfMemoryError e) {
      // One huge image must not take the run down: its memory is garbage once we return.
      rr = ResizeResult.failed(req.source(), FailureReason.INTERNAL_ERROR, job.source().fileName()
          + ": out of memory while resizing (raise -Xmx, lower maxPixels or use fewer resize workers)", null);
    } finally {
      book.resizeClock().end();
    }
    book.complete(job, rr);
  }

  ResizeRequest request(ThumbnailRun.Job job) {
    return new ResizeRequest(job.download().file().toAbsolutePath().toString(),
        config.outgoingDir().toAbsolutePath().toString(), job.source().stem(), config.widths(), config.maxPixels(),
        config.jpegQuality(), config.reducingGap(), config.upscale(), null);
  }
}
