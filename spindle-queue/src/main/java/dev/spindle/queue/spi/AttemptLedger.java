package dev.spindle.queue.spi;

import java.util.Map;
import java.util.Optional;

/**
 * The attempts ledger of a store, reached with {@link StoreAdmin#attempts()}: per job, its last
 * attempts (worker, host, fence, times, outcome and the attempt's own error) and the writes its fence
 * refused. The store writes it itself, in the same transaction or script as the claim, completion,
 * suspension, reclaim or step write that caused it (no extra round trip per job); this role only
 * reads it. The contract suite is {@code dev.spindle.testkit.store.AttemptLedgerContract}.
 *
 * <p>Rules every implementation follows:
 * <ul>
 *   <li>A claim opens an attempt; a completion, suspension or reclaim ({@link AttemptOutcome#LOST})
 *       closes it with its outcome and error.
 *   <li>A completion or step write refused by the fence adds a {@link RefusedWrite} naming the worker,
 *       its fence and what it tried.
 *   <li>Bounded: only the entries of the job's last {@link #keep()} claims are kept (older ones are
 *       dropped by the next claim); the ledger is deleted with its job (retention, purge, delete).
 *   <li>Times are on the store's clock. Thread-safe; reads are atomic.
 *   <li>What is kept where is the store's choice: a job's own record may keep its current attempt,
 *       so that a claim and a completion that ends the job write no entry (the SQL stores do).
 * </ul>
 */
public interface AttemptLedger {
  /** The number of claims per job whose entries are kept by default: {@value}. */
  int DEFAULT_KEEP = 20;

  /** How many of a job's last claims this store keeps entries of. */
  default int keep() {
    return DEFAULT_KEEP;
  }

  /** The job's ledger, oldest first; empty if there is no such job (never created, or deleted). */
  Optional<JobAttempts> attempts(String jobId);

  /**
   * Per task, how many jobs now in the store ran possibly more than once at the same time ({@link
   * JobAttempts#duplicate()}); tasks with none are absent.
   */
  Map<String, Long> duplicatesByTask();
}
