package dev.spindle.queue.spi;

import dev.spindle.queue.DurableRules;
import java.time.Instant;
import java.util.Optional;

/**
 * The durable-execution side of a store: step records, timers, signals and memoized results, for
 * jobs whose tasks use {@code dev.spindle.queue.DurableContext}. Reached with {@link
 * JobStore#durable()}; a store without it refuses durable calls. Every decision follows {@link
 * DurableRules}, the one table the stores read or render; the contract suite is {@code
 * dev.spindle.testkit.store.DurableStoreContract}.
 *
 * <p>Rules every implementation follows:
 * <ul>
 *   <li>Each method is atomic, like {@link JobStore}'s; a failure throws {@link
 *       dev.spindle.queue.StoreException} and changes nothing.
 *   <li>Writes on behalf of an attempt ({@link #record}, {@link #suspend}) apply only while the job is
 *       RUNNING, held by {@code workerId} under {@code fence}: a worker that lost its lease records
 *       nothing, even if the job was claimed again since.
 *   <li>A step is recorded at most once per (job, name, occurrence).
 *   <li>Records, signals and the wait are removed with their job (retention, purge, delete).
 *   <li>Times are read on the store's clock; callers' instants are moved onto it ({@link StoreClock}).
 *   <li>Thread-safe.
 * </ul>
 */
public interface DurableStore {
  /**
   * The job's records, signal counts and wait, if {@code workerId} holds it RUNNING under {@code
   * fence}; empty otherwise (nothing read on behalf of a stale attempt).
   */
  Optional<StepLog> load(String jobId, long fence, String workerId);

  /**
   * Records one step, as {@link DurableRules#onRecord} decides: {@link StepWrite.Status#FENCED} if the
   * job is not held by the caller; {@link StepWrite.Status#EXISTS} with the stored record if (name,
   * occurrence) is recorded; {@link StepWrite.Status#LIMIT} if a limit of {@code rules} refuses it;
   * else {@link StepWrite.Status#APPLIED}. The record's {@code recordedAt} is the store's time.
   */
  StepWrite record(String jobId, long fence, String workerId, StepRecord step, DurableRules rules);

  /**
   * {@link #record(String, long, String, StepRecord, DurableRules)} by the attempt that holds the job,
   * which tells what it knows of the job's records ({@code known}): a store may check the limits and
   * end the wait from it instead of reading them, and answers as that method does. By default that
   * method, which reads them.
   */
  default StepWrite record(String jobId, long fence, String workerId, StepRecord step, DurableRules rules,
      StepTally known) {
    return record(jobId, fence, workerId, step, rules);
  }

  /**
   * Ends the attempt suspended on {@code wait}, if {@code workerId} holds the job RUNNING under
   * {@code fence}: keeps the wait and moves the job RUNNING to SCHEDULED at {@code wait.until()}
   * (QUEUED if that time has come, if {@code wait} is a signal wait whose signal is already stored,
   * or a job wait whose job has ended or is gone ({@link DurableRules#awaitedIsOver}): a signal or an
   * end that raced the suspension is never lost). A job wait is woken (SCHEDULED to QUEUED) in the same
   * atomic step as the awaited job's end, whatever its queue. No failure and no strike are counted; the
   * worker's slot is free.
   *
   * @param now the caller's clock, against which {@code wait.until()} is read
   * @return false if fenced off (nothing changed)
   */
  boolean suspend(String jobId, long fence, String workerId, WaitFor wait, Instant now);

  /**
   * Stores a signal for a job, as {@link DurableRules#onSignal} decides: nothing for an unknown or
   * finished job or one with too many pending signals; else kept, and a job SCHEDULED on a signal
   * wait of that name is moved to QUEUED in the same atomic step ({@link SignalResult#WOKE}).
   *
   * @throws IllegalArgumentException if the name or the payload breaks {@code rules} (nothing stored)
   */
  SignalResult signal(JobRef job, String name, String payloadJson, DurableRules rules, Instant now);

  /**
   * Job {@code jobId} as a job awaiting it sees it ({@code DurableContext.awaitJob}): its state, and
   * its result or error once it ended; empty if there is no such job (never created, or removed).
   * Any job of the store, in any queue.
   */
  Optional<DependencyEnd> awaited(String jobId);

  /** The {@code number}-th (0-based) signal {@code name} stored for the job, if it has arrived. */
  Optional<SignalRecord> signalAt(String jobId, String name, int number);

  /** The job's records for readers (dashboard, CLI), whoever holds it; empty if no such job. */
  Optional<StepLog> view(String jobId);

  /** The memoized result under {@code key} if one is kept and not expired at {@code now}. */
  Optional<CachedResult> cached(String key, Instant now);

  /**
   * Keeps {@code result} under its key until its {@code expiresAt} (the caller's clock, read against
   * {@code now}), replacing an older one.
   */
  void cache(CachedResult result, Instant now);
}
