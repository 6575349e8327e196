package dev.spindle.spring;

/**
 * How {@link SpindleEnqueuer} places a job relative to the caller's Spring transaction. When no
 * transaction synchronization is active, every mode enqueues at once.
 */
public enum EnqueueMode {
  /**
   * Inside the transaction when a {@link dev.spindle.spring.spi.TransactionalEnqueue} bean can
   * write to the store through the transaction's JDBC connection (the store lives in the
   * application's own database), else {@link #AFTER_COMMIT}. The default.
   */
  AUTO,
  /**
   * After the transaction commits; nothing is enqueued if it rolls back. Jobs of one transaction
   * go to the store in one batch. If the store cannot be reached at that moment the data is
   * committed but the jobs are not: the futures fail and an ERROR is logged.
   */
  AFTER_COMMIT,
  /** At once, whatever the transaction does (a rollback does not remove the job). */
  IMMEDIATE
}
