package dev.spindle.thumbnails.internal;

import dev.spindle.thumbnails.FailureReason;
import dev.spindle.thumbnails.ImageResult;
import dev.spindle.thumbnails.ResizeResult;
import dev.spindle.thumbnails.ThumbnailConfig;
import dev.spindle.thumbnails.ThumbnailListener;
import dev.spindle.thumbnails.ThumbnailReport;
import dev.spindle.thumbnails.Variant;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bookkeeping of one thumbnail run: one result per image, set exactly once (a second
 * completion of the same image is a bug and fails loudly), the downloads, the bytes, the stage
 * clocks and the listener's notifications. Thread-safe.
 */
final class RunBook {
  private static final Logger LOG = LoggerFactory.getLogger(RunBook.class);

  private final ThumbnailConfig config;
  private final List<ImageSource> sources;
  private final ThumbnailListener listener;
  private final AtomicReferenceArray<ImageResult> results;
  private final AtomicReferenceArray<Downloader.Result> downloads;
  private final AtomicReferenceArray<String> downloadThreads;
  private final StageClock downloadClock;
  private final StageClock resizeClock;
  private final LongAdder bytesDownloaded = new LongAdder();

  RunBook(ThumbnailConfig config, List<ImageSource> sources) {
    this.config = config;
    this.sources = sources;
    this.listener = config.listener();
    this.results = new AtomicReferenceArray<>(sources.size());
    this.downloads = new AtomicReferenceArray<>(sources.size());
    this.downloadThreads = new AtomicReferenceArray<>(sources.size());
    this.downloadClock = new StageClock(config.clock());
    this.resizeClock = new StageClock(config.clock());
  }

  StageClock downloadClock() {
    return downloadClock;
  }

  StageClock resizeClock() {
    return resizeClock;
  }

  ThumbnailListener listener() {
    return listener;
  }

  /** The download of image {@code index}, or null. */
  Downloader.Result download(int index) {
    return downloads.get(index);
  }

  /** Records a file already present as the download of {@code s} (the resize stage alone). */
  void presentDownload(ImageSource s, Downloader.Result r) {
    downloads.set(s.index(), r);
  }

  void recordDownload(ImageSource s, Downloader.Result r) {
    LOG.info("downloaded {} -> {} ({} bytes, {} ms{})", s.url(), r.file().getFileName(), r.bytes(),
        r.elapsed().toMillis(), r.attempts() > 1 ? ", attempt " + r.attempts() : "");
    bytesDownloaded.add(r.bytes());
    downloads.set(s.index(), r);
    downloadThreads.set(s.index(), Thread.currentThread().getName());
    safely(() -> listener.downloaded(partial(s), r.bytes()));
  }

  ImageResult partial(ImageSource s) {
    Downloader.Result d = downloads.get(s.index());
    return new ImageResult(s.index(), s.url(), s.fileName(), d == null ? 0 : d.bytes(), d == null ? 0 : d.attempts(),
        d == null ? Duration.ZERO : d.elapsed(), downloadThreads.get(s.index()), List.of(), null, null, null);
  }

  /** Records the final result of a downloaded image: resized ({@code rr}) or download-only (null). */
  void complete(ThumbnailRun.Job job, @Nullable ResizeResult rr) {
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
  void fail(ImageSource s, FailureReason reason, @Nullable String message, @Nullable String worker) {
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
  void cancelUnfinished() {
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
  ThumbnailReport report(Variant variant, String pool, Duration setup, Duration total, long counterBytes) {
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
}
