package dev.spindle.thumbnails.internal;

import dev.spindle.thumbnails.ResizeRequest;
import dev.spindle.thumbnails.ResizeResult;

/**
 * Resizes on the calling thread: the pipeline's consumers are {@code workers} platform threads
 * (the default thread pool), or the coordinating thread itself in the sequential variants.
 */
final class LocalResizeBackend implements ResizeBackend {
  private final int workers;

  public LocalResizeBackend(int workers) {
    this.workers = workers;
  }

  @Override
  public ResizeResult resize(ResizeRequest request) {
    return ThumbnailRenderer.render(request, Thread.currentThread().getName());
  }

  @Override
  public int consumers() {
    return workers;
  }

  @Override
  public boolean runsOnConsumer() {
    return true;
  }

  @Override
  public String describe() {
    return workers + " thread" + (workers == 1 ? "" : "s");
  }

  @Override
  public void close() {}
}
