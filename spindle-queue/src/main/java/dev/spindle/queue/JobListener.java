package dev.spindle.queue;

/**
 * Receives {@link JobEvent}s. Called synchronously on the thread that caused the event (a client
 * thread, a worker's dispatcher or a task's completing thread), so it must be quick and must not
 * block; an exception it throws is logged and ignored. Must be thread-safe.
 */
@FunctionalInterface
public interface JobListener {
  /** Handles one event. */
  void onEvent(JobEvent event);
}
