package dev.spindle.thumbnails;

import dev.spindle.Task;
import dev.spindle.TaskCatalog;
import dev.spindle.process.JoinableQueue;
import dev.spindle.queue.JobOutcome;
import dev.spindle.spi.JsonCodec;
import dev.spindle.thumbnails.internal.SharedCounters;
import dev.spindle.thumbnails.internal.ThumbnailRenderer;
import dev.spindle.thumbnails.internal.WorkflowSteps;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The thumbnail maker's tasks, as a portable {@link TaskCatalog}: the same {@link #RESIZE} task
 * runs on a thread pool, in child JVMs ({@code PROCESSES}) and on durable-queue workers
 * ({@code DISTRIBUTED}), which rebuild this catalog by class name. Listed in
 * {@code META-INF/services/dev.spindle.TaskCatalog}. Thread-safe.
 */
public final class ThumbnailTasks implements TaskCatalog {
  /**
   * Makes the thumbnails of one downloaded image ({@code thumbnails.resize}). Bad images are
   * reported in the result ({@link ResizeResult#failureReason()}), not thrown. When the request
   * names a shared counter, the bytes written are added to it (the course's
   * {@code multiprocessing.Value} of resized bytes).
   */
  public static final Task<ResizeRequest, ResizeResult> RESIZE = Task.withContext(
      "thumbnails.resize", ResizeRequest.class, ResizeResult.class, (request, ctx) -> {
        ResizeResult result = ThumbnailRenderer.render(request, ctx.workerName());
        if (request.sharedCounter() != null && result.succeeded()) {
          SharedCounters.add(request.sharedCounter(), result.thumbnailBytes());
        }
        return result;
      });

  /**
   * One long-lived resize worker of the course's V7 ({@code thumbnails.resize-worker}): takes
   * {@link WorkItem}s from a cross-process joinable queue until its end marker, resizes each,
   * answers every one on the results queue (each result carries its source path, since results
   * arrive out of order) and finally sends a done report, so the collector can count workers out
   * instead of guessing from an empty queue. Every item taken is marked done.
   */
  public static final Task<WorkerInput, WorkerSummary> RESIZE_WORKER = Task.withContext(
      "thumbnails.resize-worker", WorkerInput.class, WorkerSummary.class, (input, ctx) -> {
        try (JoinableQueue<WorkItem> jobs = JoinableQueue.open(input.jobs(), WorkItem.class);
             JoinableQueue<WorkerReport> results = JoinableQueue.open(input.results(), WorkerReport.class)) {
          int images = 0;
          long bytes = 0;
          while (true) {
            WorkItem item = jobs.get();
            try {
              if (item.end()) {
                results.put(new WorkerReport(null, ctx.workerName(), true));
                return new WorkerSummary(ctx.workerName(), images, bytes);
              }
              ResizeResult r = RESIZE.run(Objects.requireNonNull(item.request(), "an item that is not the end"), ctx);
              images++;
              bytes += r.thumbnailBytes();
              results.put(new WorkerReport(r, ctx.workerName(), false));
            } finally {
              jobs.taskDone();
            }
          }
        }
      });

  /**
   * Compiles the resize path of a fresh JVM by rendering generated photos of several scenes until
   * the JIT settles, at most {@code input} times (default {@value
   * dev.spindle.thumbnails.internal.WarmUp#DEFAULT_MAX_ROUNDS}, at most 100), at least {@value
   * dev.spindle.thumbnails.internal.WarmUp#MIN_ROUNDS} unless {@code input} is lower
   * ({@code thumbnails.warm-up}); returns the nanoseconds spent. Child JVMs run it as their
   * initializer, so start-up, not the first images, pays for the JIT.
   */
  public static final Task<Integer, Long> WARM_UP = Task.of("thumbnails.warm-up", Integer.class, Long.class,
      rounds -> dev.spindle.thumbnails.internal.WarmUp.run(rounds == null
          ? dev.spindle.thumbnails.internal.WarmUp.DEFAULT_MAX_ROUNDS : Math.max(1, Math.min(rounds, 100))));

  /**
   * Downloads one image of a {@link ThumbnailWorkflow} ({@code thumbnails.download}) and answers with
   * the request to resize it, so a chain feeds it to {@link #RESIZE}. Transient failures (timeouts,
   * resets, 5xx, 429 with its Retry-After) are retried inside the task by the request's policy; the
   * job fails with the last reason, the URL in its message.
   */
  public static final Task<DownloadRequest, ResizeRequest> DOWNLOAD = Task.of("thumbnails.download",
      DownloadRequest.class, ResizeRequest.class, WorkflowSteps::download);

  /**
   * Draws the contact sheet of a {@link ThumbnailWorkflow} ({@code thumbnails.contact-sheet}) from
   * the outcomes of its resize jobs, in image order: a grid of one thumbnail per image that was
   * made, saved as {@code contact-sheet.jpg} beside the thumbnails; the others are listed in
   * {@link ContactSheet#missing()}. Fails if no image was made.
   */
  public static final Task<JobOutcome[], ContactSheet> CONTACT_SHEET = Task.of("thumbnails.contact-sheet",
      JobOutcome[].class, ContactSheet.class, outcomes -> WorkflowSteps.contactSheet(List.of(outcomes),
          JsonCodec.defaults()));

  /**
   * Input of {@link #RESIZE_WORKER}: where to take work from and where to answer.
   *
   * @param jobs the queue of work items
   * @param results the queue of reports
   */
  public record WorkerInput(JoinableQueue.Descriptor jobs, JoinableQueue.Descriptor results) {}

  /**
   * A queued piece of work: an image, or the end marker (a value that survives JSON, unlike an
   * identity sentinel).
   *
   * @param request the image, null for the end marker
   * @param end true for the end marker
   */
  public record WorkItem(@Nullable ResizeRequest request, boolean end) {
    /** The end marker. */
    public static WorkItem endMarker() {
      return new WorkItem(null, true);
    }
  }

  /**
   * A worker's answer: one result, or its done report.
   *
   * @param result the result, null in the done report
   * @param worker the worker's name
   * @param done true for the done report
   */
  public record WorkerReport(@Nullable ResizeResult result, String worker, boolean done) {}

  /**
   * What one worker did in all.
   *
   * @param worker the worker's name
   * @param images images it resized (failed ones included)
   * @param thumbnailBytes bytes of thumbnails it wrote
   */
  public record WorkerSummary(String worker, int images, long thumbnailBytes) {}

  /** Public no-argument constructor, as catalogs need. */
  public ThumbnailTasks() {}

  @Override
  public Collection<Task<?, ?>> tasks() {
    return List.of(RESIZE, RESIZE_WORKER, WARM_UP, DOWNLOAD, CONTACT_SHEET);
  }
}
