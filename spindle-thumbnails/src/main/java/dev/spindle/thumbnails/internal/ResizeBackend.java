package dev.spindle.thumbnails.internal;

import dev.spindle.thumbnails.ResizeRequest;
import dev.spindle.thumbnails.ResizeResult;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Runs the resize task somewhere: on the calling thread, or by handing it to a Spindle executor
 * (threads, child JVMs, durable queue). Implementations are thread-safe.
 */
public interface ResizeBackend extends AutoCloseable {
  /**
   * Resizes one image, blocking until done. Bad images come back as failed results; an exception
   * means the backend itself failed (e.g. a worker process died).
   */
  ResizeResult resize(ResizeRequest request) throws Exception;

  /**
   * Resizes a batch and returns results in request order (the course's {@code pool.map}). The
   * default runs them one by one.
   */
  default List<ResizeResult> map(List<ResizeRequest> requests) throws Exception {
    java.util.ArrayList<ResizeResult> out = new java.util.ArrayList<>(requests.size());
    for (ResizeRequest r : requests) {
      out.add(resize(r));
    }
    return out;
  }

  /** How many consumer threads should feed this backend in a pipeline. */
  int consumers();

  /**
   * True if the work runs on the consumer thread itself (the consumers are then the CPU pool's
   * platform threads); false if consumers only wait for other workers (virtual threads suffice).
   */
  boolean runsOnConsumer();

  /** Name of the cross-process counter to add resized bytes to, or null. */
  default @Nullable String sharedCounterName() {
    return null;
  }

  /** The counter's current value, or -1 if there is none. */
  default long sharedCounterValue() {
    return -1;
  }

  /** Where the work runs, in words. */
  String describe();

  /** Releases what the backend owns (threads, child JVMs); idempotent. */
  @Override
  void close();
}
