package dev.spindle.queue.memory;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.StoreClock;
import java.time.Instant;

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
  final String uniqueKey;
  final JobPolicy policy;
  final Instant createdAt;
  final String traceContext;
  /** The flow key ({@code limit:value}), or null (none, or one that could not be computed). */
  final String flowKey;
  JobState state;
  String result;
  String error;
  String deadReason;
  int attempt;
  int failures;
  int lost;
  long fence;
  String workerId;
  boolean cancelRequested;
  Instant runAt;
  Instant startedAt;
  Instant finishedAt;
  Instant expiresAt;
  long finishSeq;

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
  }

  JobInfo snapshot() {
    return new JobInfo(Long.toString(id), task, queue, state, priority, args, result, error, deadReason,
        uniqueKey, attempt, failures, lost, fence, workerId, cancelRequested, createdAt, runAt, startedAt,
        finishedAt, expiresAt, finishSeq, policy, traceContext);
  }
}
