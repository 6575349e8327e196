package dev.spindle.queue.memory;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.StoreClock;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A job of {@link InMemoryJobStore}: mutable, guarded by the store's lock. Ordering keys of the sets
 * it is in are changed only while it is outside them. Not thread-safe.
 */
final class MemoryJob {
  final long id;
  final String task;
  final String queue;
  final int priority;
  String args;
  final @Nullable String uniqueKey;
  final JobPolicy policy;
  final Instant createdAt;
  final @Nullable String traceContext;
  /** The flow key ({@code limit:value}), or null (none, or one that could not be computed). */
  final @Nullable String flowKey;
  JobState state;
  @Nullable String result;
  @Nullable String error;
  @Nullable String deadReason;
  int attempt;
  int failures;
  int lost;
  long fence;
  @Nullable String workerId;
  boolean cancelRequested;
  Instant runAt;
  @Nullable Instant startedAt;
  @Nullable Instant finishedAt;
  @Nullable Instant expiresAt;
  long finishSeq;
  /** Its attempts ledger, created at its first claim. */
  @Nullable MemoryAttempts attempts;
  /** Its durable records, created at the first one. */
  MemoryDurable.@Nullable Records durable;
  /** What it reported while running, created at the first report. */
  MemoryProgress.@Nullable Notes notes;

  MemoryJob(long id, NewJob n, StoreClock sc) {
    this.id = id;
    this.task = n.task();
    this.queue = n.queue();
    this.priority = n.priority();
    this.args = n.argsJson();
    this.uniqueKey = n.uniqueKey();
    this.policy = n.policy();
    this.createdAt = sc.now();
    this.traceContext = n.traceContext();
    this.flowKey = dev.spindle.queue.spi.FlowControl.isBad(n.flowKey()) ? null : n.flowKey();
    this.runAt = sc.translate(n.runAt());
    this.state = n.isDelayed() ? JobState.SCHEDULED : JobState.QUEUED; // the store may start it otherwise
  }

  /** Its attempts ledger, created if it has none. */
  MemoryAttempts ledger() {
    MemoryAttempts a = attempts;
    if (a == null) {
      a = new MemoryAttempts();
      attempts = a;
    }
    return a;
  }

  /** When retention deletes it: only for a terminal job, which always has an expiry. */
  Instant expiry() {
    return Objects.requireNonNull(expiresAt, "the expiry of a terminal job");
  }

  JobInfo snapshot() {
    return new JobInfo(Long.toString(id), task, queue, state, priority, args, result, error, deadReason,
        uniqueKey, attempt, failures, lost, fence, workerId, cancelRequested, createdAt, runAt, startedAt,
        finishedAt, expiresAt, finishSeq, policy, traceContext);
  }
}
