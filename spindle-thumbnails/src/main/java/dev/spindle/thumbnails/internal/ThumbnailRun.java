package dev.spindle.thumbnails.internal;

import dev.spindle.thumbnails.FailureReason;
import dev.spindle.thumbnails.ImageResult;
import dev.spindle.thumbnails.ResizeRequest;
import dev.spindle.thumbnails.ResizeResult;
import dev.spindle.thumbnails.ThumbnailConfig;
import dev.spindle.thumbnails.ThumbnailListener;
import dev.spindle.thumbnails.ThumbnailReport;
import dev.spindle.thumbnails.Variant;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of the thumbnail maker: the download strategies and resize strategies of every
 * {@link Variant}, and the bookkeeping that guarantees one result per image, set exactly once
 * (a second completion of the same image is a bug and fails loudly). Used by one coordinating
 * thread; the recording methods are thread-safe.
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
  private final Downloader downloader;
  private final Downloader.Settings downloadSettings;
  private final ThumbnailListener listener;
  private final Clock clock;
  private final AtomicReferenceArray<ImageResult> results;
  private final AtomicReferenceArray<Downloader.Result> downloads;
  private final AtomicReferenceArray<String> downloadThreads;
  private final StageClock downloadClock;
  private final StageClock resizeClock;
  private final LongAdder bytesDownloaded = new LongAdder();

  public ThumbnailRun(ThumbnailConfig config, List<ImageSource> sources, Downloader downloader,
      Downloader.Settings downloadSettings) {
    this.config = config;
    this.sources = List.copyOf(sources);
    this.downloader = downloader;
    this.downloadSettings = downloadSettings;
    this.listener = config.listener();
    this.clock = config.clock();
    this.results = new AtomicReferenceArray<>(sources.size());
    this.downloads = new AtomicReferenceArray<>(sources.size());
    this.downloadThreads = new AtomicReferenceArray<>(sources.size());
    this.downloadClock = new StageClock(clock);
    this.resizeClock = new StageClock(clock);
  }

  // ------------------------------------------------------------------ whole variants

  /** Runs the variant with the given backends; returns when every image has a result. */
  public void execute(Variant variant, ResizeBackend poolBackend) throws InterruptedException {
    listener.started(sources.size());
    failInvalidUrls();
    int n = config.downloadConcurrency() == 0 ? 4 : config.downloadConcurrency();
    switch (variant) {
      case SEQUENTIAL -> resizeInOrder(collect(this::downloadSequentially), new LocalResizeBackend(1));
      case THREAD_PER_URL -> resizeInOrder(collect(this::downloadThreadPerUrl), new LocalResizeBackend(1));
      case DOWNLOAD_THREADS -> resizeInOrder(collect(sink -> downloadWithThreads(n, sink)), new LocalResizeBackend(1));
      case PIPELINE_QUEUE -> pipeline(sink -> downloadWithThreads(n, sink), new LocalResizeBackend(1), config.queueCapacity());
      case PIPELINE -> pipeline(sink -> downloadOnVirtualThreads(config.downloadConcurrency(), sink), poolBackend,
          config.queueCapacity());
      case PROCESS_POOL -> resizeMapped(collect(sink -> downloadWithThreads(n, sink)), poolBackend);
      case THREADS_AND_PROCESSES -> {
        if (poolBackend instanceof ExecutorResizeBackend eb && eb.executor().model() == dev.spindle.ExecutionModel.PROCESSES) {
          joinableQueuePipeline(sink -> downloadWithThreads(n, sink), eb);
        } else {
          pipeline(sink -> downloadWithThreads(n, sink), poolBackend, config.queueCapacity());
        }
      }
      // The event-loop thread must never block, so its queue is unbounded.
      case ASYNC -> pipeline(sink -> downloadAsync(config.downloadConcurrency(), sink), poolBackend, Integer.MAX_VALUE);
    }
  }

  /** Downloads only (the download stage alone). */
  public void downloadOnly(Variant variant) throws InterruptedException {
    listener.started(sources.size());
    failInvalidUrls();
    int n = config.downloadConcurrency() == 0 ? 4 : config.downloadConcurrency();
    Sink done = job -> complete(job, null);
    switch (variant) {
      case SEQUENTIAL -> downloadSequentially(done);
      case THREAD_PER_URL -> downloadThreadPerUrl(done);
      case DOWNLOAD_THREADS, PIPELINE_QUEUE, PROCESS_POOL, THREADS_AND_PROCESSES -> downloadWithThreads(n, done);
      case PIPELINE -> downloadOnVirtualThreads(config.downloadConcurrency(), done);
      case ASYNC -> downloadAsync(config.downloadConcurrency(), done);
    }
  }

  /** Resizes already-present files (the resize stage alone): sources' files must exist. */
  public void resizeOnly(ResizeBackend backend) throws InterruptedException {
    listener.started(sources.size());
    for (ImageSource s : sources) {
      try {
        long size = Files.size(config.incomingDir().resolve(s.fileName()));
        downloads.set(s.index(), new Downloader.Result(config.incomingDir().resolve(s.fileName()), size, null, 0, Duration.ZERO));
      } catch (IOException e) {
        fail(s, FailureReason.IO_ERROR, "cannot read " + s.fileName() + ": " + e, null);
      }
    }
    pipeline(sink -> {
      for (ImageSource s : sources) {
        Downloader.Result d = downloads.get(s.index());
        if (d != null) {
          sink.accept(new Job(s, d));
        }
      }
    }, backend, Integer.MAX_VALUE);
  }

  private void failInvalidUrls() {
    for (ImageSource s : sources) {
      if (!s.valid()) {
        fail(s, FailureReason.INVALID_URL, s.invalidReason(), null);
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

  // ------------------------------------------------------------------ download strategies

  private List<ImageSource> valid() {
    return sources.stream().filter(ImageSource::valid).toList();
  }

  /** Downloads one image on the calling thread; a failure is recorded, a success handed on. */
  void downloadOne(ImageSource s, Sink sink) throws InterruptedException {
    downloadClock.start();
    Downloader.Result r;
    try {
      r = downloader.download(s);
    } catch (ImageProblem p) {
      downloadClock.end();
      fail(s, p.reason(), p.getMessage(), null);
      return;
    }
    downloadClock.end();
    recordDownload(s, r);
    sink.accept(new Job(s, r));
  }

  private void recordDownload(ImageSource s, Downloader.Result r) {
    LOG.info("downloaded {} -> {} ({} bytes, {} ms{})", s.url(), r.file().getFileName(), r.bytes(),
        r.elapsed().toMillis(), r.attempts() > 1 ? ", attempt " + r.attempts() : "");
    bytesDownloaded.add(r.bytes());
    downloads.set(s.index(), r);
    downloadThreads.set(s.index(), Thread.currentThread().getName());
    safely(() -> listener.downloaded(partial(s), r.bytes()));
  }

  /** The course's baseline: each URL in turn on the calling thread. */
  void downloadSequentially(Sink sink) throws InterruptedException {
    for (ImageSource s : valid()) {
      downloadOne(s, sink);
    }
  }

  /** V1: one platform thread per URL, all started, then all joined (never join inside the loop). */
  void downloadThreadPerUrl(Sink sink) throws InterruptedException {
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
  void downloadWithThreads(int n, Sink sink) throws InterruptedException {
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
  void downloadOnVirtualThreads(int limit, Sink sink) throws InterruptedException {
    Semaphore permits = limit > 0 ? new Semaphore(limit) : null;
    List<Thread> threads = new ArrayList<>();
    for (ImageSource s : valid()) {
      threads.add(Thread.ofVirtual().name("download-" + (s.index() + 1)).unstarted(() -> {
        try {
          if (permits != null) {
            permits.acquire();
          }
        } catch (InterruptedException e) {
          fail(s, FailureReason.CANCELLED, s.url() + ": cancelled before it started", null);
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
  void downloadAsync(int limit, Sink sink) throws InterruptedException {
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
          downloadClock.start();
          async.downloadAsync(s).whenCompleteAsync((r, e) -> {
            downloadClock.end();
            inFlight[0]--;
            if (e != null) {
              Throwable c = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
              if (c instanceof ImageProblem p) {
                fail(s, p.reason(), p.getMessage(), null);
              } else {
                fail(s, FailureReason.IO_ERROR, s.url() + ": " + c, null);
              }
            } else {
              recordDownload(s, r);
              try {
                sink.accept(new Job(s, r)); // an unbounded queue: never blocks
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

  private void runDownload(ImageSource s, Sink sink) {
    try {
      downloadOne(s, sink);
    } catch (InterruptedException e) {
      fail(s, FailureReason.CANCELLED, s.url() + ": download interrupted", null);
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.error("download of {} failed unexpectedly", s.url(), e);
      fail(s, FailureReason.IO_ERROR, s.url() + ": " + e, null);
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

  // ------------------------------------------------------------------ resize strategies

  /** Resizes each job in turn on the calling thread (the course's perform_resizing). */
  void resizeInOrder(List<Job> jobs, ResizeBackend backend) throws InterruptedException {
    for (Job j : jobs) {
      if (Thread.currentThread().isInterrupted()) {
        throw new InterruptedException("resizing interrupted");
      }
      resizeOne(j, backend);
    }
  }

  /** V6: the whole batch through the backend's map, results in order. */
  void resizeMapped(List<Job> jobs, ResizeBackend backend) {
    if (jobs.isEmpty()) {
      return;
    }
    List<ResizeRequest> reqs = jobs.stream().map(this::request).toList();
    resizeClock.start();
    List<ResizeResult> out;
    try {
      out = backend.map(reqs);
    } catch (Exception e) {
      resizeClock.end();
      for (Job j : jobs) {
        complete(j, ResizeResult.failed(j.download().file().toString(), FailureReason.INTERNAL_ERROR,
            "pool.map failed: " + e, null));
      }
      return;
    }
    resizeClock.end();
    for (int i = 0; i < jobs.size(); i++) {
      complete(jobs.get(i), out.get(i));
    }
  }

  /**
   * The pipeline: consumers start first and take jobs as soon as the first download lands; when
   * every download thread has finished, one end marker per consumer is queued (a marker sent any
   * earlier, e.g. by one download thread, would stop a consumer while others still download).
   */
  void pipeline(DownloadStage producer, ResizeBackend backend, int capacity) throws InterruptedException {
    int consumers = backend.consumers();
    BlockingQueue<Item> queue = capacity == Integer.MAX_VALUE ? new LinkedBlockingQueue<>()
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
        queue.put(End.MARKER);
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

  private void consume(BlockingQueue<Item> queue, ResizeBackend backend) {
    while (true) {
      Item item;
      try {
        item = queue.take();
      } catch (InterruptedException e) {
        return;
      }
      if (item instanceof Job job) {
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
  void joinableQueuePipeline(DownloadStage producer, ExecutorResizeBackend backend) throws InterruptedException {
    dev.spindle.TaskExecutor executor = backend.executor();
    int workers = executor.config().workers();
    java.util.Map<String, Job> pending = new java.util.concurrent.ConcurrentHashMap<>();
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
          resizeClock.start();
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
    for (Job job : new ArrayList<>(pending.values())) {
      LOG.warn("{} was held by a worker that died; resizing it again", job.source().fileName());
      resizeOne(job, backend);
    }
  }

  private void collect(dev.spindle.process.JoinableQueue<dev.spindle.thumbnails.ThumbnailTasks.WorkerReport> reports,
      List<dev.spindle.TaskFuture<dev.spindle.thumbnails.ThumbnailTasks.WorkerSummary>> workers, java.util.Map<String, Job> pending) {
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
      resizeClock.end();
      Job job = pending.remove(r.result().source());
      if (job == null) {
        throw new IllegalStateException("a worker answered for " + r.result().source() + ", which is not pending");
      }
      complete(job, r.result());
    }
  }

  /** Resizes one job through the backend and records its result; a lost worker is retried once. */
  void resizeOne(Job job, ResizeBackend backend) {
    ResizeRequest req = request(job);
    resizeClock.start();
    ResizeResult rr = null;
    try {
      for (int attempt = 1; rr == null; attempt++) {
        try {
          rr = backend.resize(req);
        } catch (dev.spindle.WorkerLostException e) {
          if (attempt >= 2) {
            rr = ExecutorResizeBackend.failedResult(req, e);
          } else {
            LOG.warn("{}: resize worker lost ({}); retrying once", job.source().fileName(), e.getMessage());
          }
        }
      }
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
      resizeClock.end();
    }
    complete(job, rr);
  }

  ResizeRequest request(Job job) {
    return new ResizeRequest(job.download().file().toAbsolutePath().toString(),
        config.outgoingDir().toAbsolutePath().toString(), job.source().stem(), config.widths(), config.maxPixels(),
        config.jpegQuality(), config.reducingGap(), config.upscale(), null);
  }

  // ------------------------------------------------------------------ bookkeeping

  private ImageResult partial(ImageSource s) {
    Downloader.Result d = downloads.get(s.index());
    return new ImageResult(s.index(), s.url(), s.fileName(), d == null ? 0 : d.bytes(), d == null ? 0 : d.attempts(),
        d == null ? Duration.ZERO : d.elapsed(), downloadThreads.get(s.index()), List.of(), null, null, null);
  }

  /** Records the final result of a downloaded image: resized ({@code rr}) or download-only (null). */
  void complete(Job job, ResizeResult rr) {
    ImageSource s = job.source();
    ImageResult p = partial(s);
    if (rr == null) {
      set(s, p);
      return;
    }
    ImageResult r = new ImageResult(s.index(), s.url(), s.fileName(), p.downloadedBytes(), p.downloadAttempts(),
        p.downloadTime(), p.downloadThread(), rr.thumbnails(), rr.worker(), rr.failureReason(), rr.failureMessage());
    set(s, r);
    if (rr.succeeded()) {
      LOG.info("resized {} ({}x{}) -> {} thumbnails, {} bytes (decode {} ms, resize {} ms, encode {} ms) on {}",
          s.fileName(), rr.width(), rr.height(), rr.thumbnails().size(), rr.thumbnailBytes(), rr.decodeNanos() / 1_000_000,
          rr.resizeNanos() / 1_000_000, rr.encodeNanos() / 1_000_000, rr.worker());
      if (config.deleteDownloads()) {
        try {
          Files.deleteIfExists(job.download().file());
        } catch (IOException e) {
          LOG.warn("could not delete {} after resizing: {}", job.download().file(), e.toString());
        }
      }
    }
  }

  /** Records a failure of an image that has no result yet. */
  void fail(ImageSource s, FailureReason reason, String message, String worker) {
    ImageResult p = partial(s);
    set(s, new ImageResult(s.index(), s.url(), s.fileName(), p.downloadedBytes(), p.downloadAttempts(),
        p.downloadTime(), p.downloadThread(), List.of(), worker, reason, message));
  }

  private void set(ImageSource s, ImageResult r) {
    if (!results.compareAndSet(s.index(), null, r)) {
      throw new IllegalStateException("image " + s.index() + " (" + s.url() + ") completed twice: "
          + results.get(s.index()) + " and " + r);
    }
    if (r.succeeded()) {
      if (!r.thumbnails().isEmpty()) {
        safely(() -> listener.resized(r));
      }
    } else {
      LOG.warn("{} failed: {}: {}", s.url(), r.failureReason(), r.failureMessage());
      safely(() -> listener.failed(r));
    }
  }

  private static void safely(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      LOG.warn("thumbnail listener threw; ignored", e);
    }
  }

  /** Fills images without a result as cancelled (after an interruption). */
  public void cancelUnfinished() {
    for (ImageSource s : sources) {
      if (results.get(s.index()) == null) {
        ImageResult p = partial(s);
        results.compareAndSet(s.index(), null, new ImageResult(s.index(), s.url(), s.fileName(), p.downloadedBytes(),
            p.downloadAttempts(), p.downloadTime(), p.downloadThread(), List.of(), null, FailureReason.CANCELLED,
            s.url() + ": the run was interrupted before this image was done"));
      }
    }
  }

  /** The report; every image must have a result (call {@link #cancelUnfinished()} first if interrupted). */
  public ThumbnailReport report(Variant variant, String pool, Duration setup, Duration total, long counterBytes) {
    List<ImageResult> list = new ArrayList<>(sources.size());
    for (int i = 0; i < sources.size(); i++) {
      ImageResult r = results.get(i);
      if (r == null) {
        throw new IllegalStateException("image " + i + " (" + sources.get(i).url() + ") has no result: lost by the pipeline");
      }
      list.add(r);
    }
    return new ThumbnailReport(variant, pool, list, bytesDownloaded.sum(), setup, downloadClock.span(),
        resizeClock.span(), total, counterBytes);
  }

  /** Now, from the run's clock. */
  public Instant now() {
    return clock.instant();
  }
}
