package dev.spindle.supervisor;

/** Where one worker position of a service stands, as {@link WorkerStatus} reports it. */
public enum WorkerState {
  /** The child JVM was launched and has not yet reported that its service is built. */
  STARTING,
  /** The service is built and running. */
  RUNNING,
  /** The child is being replaced (memory or job limit, or a changed definition); a fresh one follows. */
  RECYCLING,
  /** The child was asked to stop for good (scale-down or shutdown) and has not exited yet. */
  STOPPING,
  /** The child died; a replacement starts after a delay (back-off). */
  BACKOFF
}
