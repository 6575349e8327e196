package dev.spindle.queue.spi;

import java.util.Optional;

/**
 * The operators' side of a store: searching and inspecting jobs, controls (cancel, requeue, pause,
 * purge), the audit log, statistics, the live view and the administration of flow limits. The
 * dashboard, the CLI, metrics and test support take it; workers and producers never see it (they
 * take the hot-path {@link JobStore}). A backend hands out both sides as one {@link StoreBackend}.
 *
 * <p>Every role is the same object on every call. A role a store does not have is an empty {@link
 * Optional}, never a method that throws, so a dashboard can show "not supported by this store".
 * Thread-safe; each method is atomic, like {@link JobStore}'s. The contract suite is {@code
 * dev.spindle.testkit.store.StoreAdminContract}.
 */
public interface StoreAdmin {
  /** Queries and single-job repairs. */
  JobInspector inspector();

  /** Pausing queues and schedules, bulk changes by filter, deleting finished jobs. */
  QueueControl control();

  /** The durable log of operators' actions. */
  AuditLog auditLog();

  /** The per-minute statistics the store keeps, or empty if it keeps none. */
  Optional<JobStatistics> statistics();

  /** The administration of flow limits, or empty if the store enforces none. */
  Optional<FlowAdmin> flowAdmin();

  /**
   * The attempts ledger ({@link AttemptLedger}): each job's last attempts and refused writes. Empty
   * (the default) for a store that keeps none.
   */
  default Optional<AttemptLedger> attempts() {
    return Optional.empty();
  }

  /**
   * The incidents stall detectors raise and resolve ({@link IncidentLog}), or empty if the store
   * keeps none (the default; detection then refuses to start).
   */
  default Optional<IncidentLog> incidents() {
    return Optional.empty();
  }

  /** The feed of finished jobs, as {@link JobStore#finishedAfter}. */
  FinishedBatch finishedAfter(long cursor, int limit);

  /** The feed's cursor now, as {@link JobStore#finishCursor}. */
  long finishCursor();

  /** A short description for titles and logs, e.g. {@code sqlite:/data/spindle.db}. No secrets. */
  String describe();

  /**
   * What a live dashboard shows at each tick, read at once: workers, paused queues, the feed of
   * finished jobs, the finish cursor, the statistics of a window and, if asked, the per-queue counts
   * and the oldest waiting job. The default makes the separate calls ({@link LiveView#compose});
   * stores override it to read everything in one transaction or round trip.
   */
  default LiveView liveView(LiveView.Request request) {
    return LiveView.compose(this, request);
  }
}
