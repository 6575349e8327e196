package dev.spindle.queue.spi;

/** What a cancel did. */
public enum CancelResult {
  /** The job was waiting (SCHEDULED or QUEUED) and is now CANCELLED: it never runs. */
  CANCELLED,
  /** The job is RUNNING; its worker was asked to stop it (seen at its next heartbeat). */
  CANCEL_REQUESTED,
  /** The job had already finished; nothing changed. */
  ALREADY_FINISHED,
  /** No such job. */
  NOT_FOUND
}
