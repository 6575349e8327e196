package dev.spindle.thumbnails;

import dev.spindle.queue.JobOptions;
import dev.spindle.queue.Workflow;
import dev.spindle.thumbnails.internal.ImageSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The thumbnail maker as a workflow on the durable queue: every image is a chain of a
 * {@link ThumbnailTasks#DOWNLOAD download} and a {@link ThumbnailTasks#RESIZE resize}, the chains
 * run as a group, and a {@link ThumbnailTasks#CONTACT_SHEET contact sheet} is the callback that
 * runs once all of them ended, however they ended (it receives their outcomes, so one broken URL
 * leaves a gap on the sheet instead of cancelling it). Workers that run it need the tasks of
 * {@link ThumbnailTasks} and the same file system view as the submitter.
 *
 * <pre>{@code
 * Workflow w = ThumbnailWorkflow.of(urls, ThumbnailConfig.builder().homeDir(dir).build());
 * ContactSheet sheet = queue.submit(w).last().get(0).result(Duration.ofMinutes(5)) ...
 * }</pre>
 *
 * <p>Stateless; thread-safe.
 */
public final class ThumbnailWorkflow {
  /** The download retries transient failures itself ({@link DownloadRequest#retry()}): no job retry on top. */
  private static final JobOptions DOWNLOAD_OPTIONS = JobOptions.builder()
      .retry(dev.spindle.queue.RetryPolicy.none()).build();

  private ThumbnailWorkflow() {}

  /**
   * The workflow for {@code urls} with {@code config}'s folders, widths, limits and download retry
   * policy (its variant, pools and listener do not apply: the queue's workers do the work).
   *
   * @throws IllegalArgumentException if there are no URLs
   */
  public static Workflow of(List<String> urls, ThumbnailConfig config) {
    Objects.requireNonNull(urls, "urls");
    Objects.requireNonNull(config, "config");
    if (urls.isEmpty()) {
      throw new IllegalArgumentException("a thumbnail workflow needs at least one URL");
    }
    String incoming = config.incomingDir().toAbsolutePath().toString();
    String outgoing = config.outgoingDir().toAbsolutePath().toString();
    List<Workflow> chains = new ArrayList<>(urls.size());
    for (ImageSource s : ImageSource.plan(urls)) {
      // an invalid URL still gets its chain: the download fails with the reason, the sheet shows the gap
      String fileName = s.fileName();
      String name = s.valid() && fileName != null ? fileName : "image-" + s.index();
      ResizeRequest resize = new ResizeRequest(incoming + "/" + name, outgoing, s.valid() && fileName != null ? s.stem() : name,
          config.widths(), config.maxPixels(), config.jpegQuality(), config.reducingGap(), config.upscale(), null);
      DownloadRequest download = new DownloadRequest(s.url(), name, incoming, resize,
          config.downloadTimeout().toMillis(), config.maxDownloadBytes(), config.retryPolicy());
      chains.add(Workflow.chain(Workflow.task(ThumbnailTasks.DOWNLOAD, download, DOWNLOAD_OPTIONS),
          Workflow.fromUpstream(ThumbnailTasks.RESIZE)));
    }
    return Workflow.group(chains).onComplete(Workflow.fromUpstream(ThumbnailTasks.CONTACT_SHEET));
  }
}
