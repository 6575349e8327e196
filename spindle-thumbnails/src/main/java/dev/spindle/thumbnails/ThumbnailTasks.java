package dev.spindle.thumbnails;

import dev.spindle.Task;
import dev.spindle.TaskCatalog;
import dev.spindle.thumbnails.internal.SharedCounters;
import dev.spindle.thumbnails.internal.ThumbnailRenderer;
import java.util.Collection;
import java.util.List;

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

  /** Public no-argument constructor, as catalogs need. */
  public ThumbnailTasks() {}

  @Override
  public Collection<Task<?, ?>> tasks() {
    return List.of(RESIZE);
  }
}
