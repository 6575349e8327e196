package dev.spindle.thumbnails;

import dev.spindle.thumbnails.internal.AtomicFiles;
import dev.spindle.thumbnails.internal.Downloader;
import dev.spindle.thumbnails.internal.ImageSource;
import dev.spindle.thumbnails.internal.ResizeBackend;
import dev.spindle.thumbnails.internal.ResizeBackends;
import dev.spindle.thumbnails.internal.ThumbnailRun;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The course's ThumbnailMakerService as a library: downloads a list of image URLs into
 * {@code <home>/incoming} (IO-bound: virtual threads, bounded concurrency, retries) and writes
 * thumbnails of each configured width into {@code <home>/outgoing} as {@code <stem>_<width>.<ext>}
 * (CPU-bound: a thread pool, child JVMs or a durable queue), overlapping the two stages.
 *
 * <pre>{@code
 * try (ThumbnailMaker maker = ThumbnailMaker.builder().homeDir(Path.of("thumbs")).create()) {
 *   ThumbnailReport report = maker.makeThumbnails(urls);
 *   System.out.print(report.summary());
 * }
 * }</pre>
 *
 * <p>Bad input never stops a run: each failed image is reported with a {@link FailureReason} and
 * the others finish. Files appear atomically (temporary file, then rename). An interrupted run
 * stops its threads, reports unfinished images as {@link FailureReason#CANCELLED} and returns
 * with the interrupt flag set.
 *
 * <p>Thread-safe; runs on one maker are serialized. The maker owns its HTTP client (unless one was
 * configured) and its resize pools, which are started on first use and reused by later runs
 * (their start-up time is reported as {@link ThumbnailReport#setupTime()}); {@link #close()}
 * releases them.
 */
public final class ThumbnailMaker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ThumbnailMaker.class);

  private final ThumbnailConfig config;
  private final ReentrantLock runLock = new ReentrantLock();
  private final HttpClient client;
  private final @Nullable ExecutorService clientExecutor;
  private final Downloader.Settings settings;
  /** Pools this maker started, by their description (kind, size, store). */
  private final Map<String, ResizeBackend> backends = new java.util.LinkedHashMap<>();
  private boolean closed;

  ThumbnailMaker(ThumbnailConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    if (config.httpClient() != null) {
      this.client = config.httpClient();
      this.clientExecutor = null;
    } else {
      this.clientExecutor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("http-", 1).factory());
      this.client = HttpClient.newBuilder().executor(clientExecutor).connectTimeout(config.connectTimeout())
          .followRedirects(HttpClient.Redirect.NORMAL).build();
    }
    this.settings = new Downloader.Settings(config.downloadTimeout(), config.retryPolicy(), config.maxDownloadBytes(),
        config.userAgent());
  }

  /** A configuration builder; finish with {@code create()}. */
  public static ThumbnailConfig.Builder builder() {
    return ThumbnailConfig.builder();
  }

  /** A maker for the configuration. */
  public static ThumbnailMaker create(ThumbnailConfig config) {
    return new ThumbnailMaker(config);
  }

  /** The configuration. */
  public ThumbnailConfig config() {
    return config;
  }

  /**
   * Downloads every URL and makes its thumbnails with the configured variant.
   *
   * @throws IllegalArgumentException if {@code urls} is empty
   * @throws IllegalStateException if closed, or the variant's pool cannot start (e.g. a model whose
   *     module is not on the classpath)
   * @throws UncheckedIOException if the home folders cannot be created
   */
  public ThumbnailReport makeThumbnails(List<String> urls) {
    return makeThumbnails(urls, config.variant());
  }

  /** {@link #makeThumbnails(List)} with another variant for this run (for comparisons). */
  public ThumbnailReport makeThumbnails(List<String> urls, Variant variant) {
    Objects.requireNonNull(variant, "variant");
    List<String> list = checkUrls(urls);
    return run("make_thumbnails", ImageSource.plan(list), variant, variant.usesResizePool() ? poolFor(variant) : null,
        (run, backend) -> run.execute(variant, backend));
  }

  /**
   * The download stage alone (the course's {@code download_images}), with the download strategy of
   * the configured variant. The results carry no thumbnails.
   */
  public ThumbnailReport downloadImages(List<String> urls) {
    List<String> list = checkUrls(urls);
    Variant v = config.variant();
    return run("download_images", ImageSource.plan(list), v, null, (run, backend) -> run.downloadOnly(v));
  }

  /**
   * The resize stage alone (the course's {@code perform_resizing}): makes thumbnails of every image
   * file in the incoming folder (hidden and temporary files skipped), on the configured pool.
   *
   * @throws IllegalStateException if the incoming folder holds no files
   */
  public ThumbnailReport performResizing() {
    List<String> files = new ArrayList<>();
    try {
      Files.createDirectories(config.incomingDir());
      try (Stream<Path> s = Files.list(config.incomingDir())) {
        s.filter(Files::isRegularFile).filter(p -> !AtomicFiles.isTemp(p))
            .filter(p -> !p.getFileName().toString().startsWith(".")).sorted()
            .forEach(p -> files.add(p.getFileName().toString()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + config.incomingDir(), e);
    }
    if (files.isEmpty()) {
      throw new IllegalStateException("nothing to resize: " + config.incomingDir() + " holds no image files");
    }
    return run("perform_resizing", ImageSource.localFiles(config.incomingDir(), files), config.variant(),
        config.resizePool(), (run, backend) -> run.resizeOnly(Objects.requireNonNull(backend, "a resize pool")));
  }

  private static List<String> checkUrls(List<String> urls) {
    Objects.requireNonNull(urls, "urls");
    if (urls.isEmpty()) {
      throw new IllegalArgumentException("the URL list is empty");
    }
    return List.copyOf(urls);
  }

  private ResizePool poolFor(Variant variant) {
    ResizePool pool = config.resizePool();
    if (variant.requiresProcesses() && pool.kind() != ResizePool.Kind.PROCESSES
        && !(pool.executor() instanceof dev.spindle.TaskExecutor e && e.model() == dev.spindle.ExecutionModel.PROCESSES)) {
      return ResizePool.processes(pool.workers());
    }
    return pool;
  }

  @FunctionalInterface
  private interface Body {
    void run(ThumbnailRun run, @Nullable ResizeBackend backend) throws InterruptedException;
  }

  private ThumbnailReport run(String what, List<ImageSource> sources, Variant variant, @Nullable ResizePool pool,
      Body body) {
    runLock.lock();
    try {
      if (closed) {
        throw new IllegalStateException("this ThumbnailMaker is closed");
      }
      try {
        Files.createDirectories(config.incomingDir());
        Files.createDirectories(config.outgoingDir());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create the folders under " + config.homeDir(), e);
      }
      Instant s0 = config.clock().instant();
      ResizeBackend backend = pool == null ? null : backend(pool);
      Duration setup = Duration.between(s0, config.clock().instant());
      long counter0 = backend == null ? -1 : backend.sharedCounterValue();
      Downloader downloader = new Downloader(client, config.incomingDir(), settings,
          clientExecutor != null ? clientExecutor : Runnable::run, config.clock());
      ThumbnailRun run = new ThumbnailRun(config, sources, downloader, settings);
      LOG.info("BEGIN {}: {} images, variant {}, resize on {}", what, sources.size(), variant.cliName(),
          backend == null ? "one thread" : backend.describe());
      Instant t0 = run.now();
      boolean interrupted = false;
      try {
        body.run(run, backend);
      } catch (InterruptedException e) {
        interrupted = true;
        run.cancelUnfinished();
      }
      Duration total = Duration.between(t0, run.now());
      long counter = backend == null || counter0 < 0 ? -1 : backend.sharedCounterValue() - counter0;
      ThumbnailReport report = run.report(variant, backend == null ? "one thread" : backend.describe(),
          setup, total, counter);
      LOG.info("END {} in {} s: {} of {} images done, {} failed", what,
          String.format(java.util.Locale.ROOT, "%.2f", total.toNanos() / 1e9), report.succeeded(), report.requested(),
          report.failures().size());
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      return report;
    } finally {
      runLock.unlock();
    }
  }

  private ResizeBackend backend(ResizePool pool) {
    if (pool.kind() == ResizePool.Kind.EXECUTOR) {
      return ResizeBackends.start(pool); // a thin wrapper; the caller owns the executor
    }
    ResizeBackend b = backends.get(pool.toString());
    if (b == null) {
      b = ResizeBackends.start(pool);
      backends.put(pool.toString(), b);
    }
    return b;
  }

  /** Shuts down the resize pools this maker started and its own HTTP client. Idempotent. */
  @Override
  public void close() {
    runLock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      for (ResizeBackend b : backends.values()) {
        try {
          b.close();
        } catch (RuntimeException e) {
          LOG.warn("closing resize pool {} failed", b.describe(), e);
        }
      }
      backends.clear();
      if (clientExecutor != null) {
        client.shutdownNow();
        clientExecutor.shutdownNow();
      }
    } finally {
      runLock.unlock();
    }
  }
}
