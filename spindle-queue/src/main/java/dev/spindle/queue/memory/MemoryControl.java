package dev.spindle.queue.memory;

import dev.spindle.queue.IllegalJobTransitionException;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobNotFoundException;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobRules;
import dev.spindle.queue.JobState;
import dev.spindle.queue.WorkflowInput;
import dev.spindle.queue.spi.AuditLog;
import dev.spindle.queue.spi.AuditRecord;
import dev.spindle.queue.spi.CancelResult;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.queue.spi.QueueControl;
import dev.spindle.queue.spi.QueueControl.DeleteResult;
import dev.spindle.queue.spi.ResumeMove;
import dev.spindle.queue.spi.RetentionLimits;
import dev.spindle.queue.spi.WorkflowControl;
import dev.spindle.queue.store.Workflows;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The operator's side of an {@link InMemoryJobStore}: cancel, requeue and delete single jobs or the
 * jobs a filter selects, purge finished jobs (by filter, and by retention: expiry and the most kept),
 * queue limits and pauses, and the audit log. Thread-safe through the store's lock.
 */
final class MemoryControl {
  private final MemoryData data;
  private final java.util.ArrayDeque<AuditRecord> audit = new java.util.ArrayDeque<>();
  private long auditSeq;

  MemoryControl(MemoryData data) {
    this.data = data;
  }

  CancelResult cancel(String jobId, Instant callerNow) {
    CancelResult r;
    synchronized (data.lock) {
      data.checkOpen();
      Instant now = data.clock.instant();
      MemoryJob j = data.lookup(jobId);
      if (j == null) {
        return CancelResult.NOT_FOUND;
      }
      switch (j.state) {
        case WAITING, SCHEDULED, QUEUED -> {
          data.move(j, JobState.CANCELLED, now);
          r = CancelResult.CANCELLED;
        }
        case RUNNING -> {
          j.cancelRequested = true;
          r = CancelResult.CANCEL_REQUESTED;
        }
        default -> r = CancelResult.ALREADY_FINISHED;
      }
    }
    data.listeners.fire();
    return r;
  }

  JobInfo requeue(String jobId, Instant callerNow) {
    JobInfo r;
    synchronized (data.lock) {
      data.checkOpen();
      MemoryJob j = data.lookup(jobId);
      if (j == null) {
        throw new JobNotFoundException(jobId);
      }
      JobState.checkRequeue(jobId, j.state);
      requeueLocked(j, null, data.clock.instant());
      r = j.snapshot();
    }
    data.listeners.fire();
    return r;
  }

  List<ResumeMove> resume(String jobId, @Nullable String argsJson, Instant callerNow) {
    List<ResumeMove> moves = new ArrayList<>();
    synchronized (data.lock) {
      data.checkOpen();
      MemoryJob j = data.lookup(jobId);
      if (j == null) {
        throw new JobNotFoundException(jobId);
      }
      JobState from = j.state;
      if (!WorkflowControl.resumableStates().contains(from)) {
        throw new IllegalJobTransitionException(jobId, from, JobState.QUEUED, "only a FAILED or DEAD node can be"
            + " resumed; this one is " + from);
      }
      if (argsJson != null && data.deps.has(j.id) && data.deps.inputMode(j.id) != WorkflowInput.ARGS) {
        throw new IllegalArgumentException(Workflows.noOwnArgs(jobId));
      }
      List<Long> revived = requeueLocked(j, argsJson, data.clock.instant());
      moves.add(new ResumeMove(jobId, from, j.state));
      revived.forEach(id -> moves.add(new ResumeMove(Long.toString(id), JobState.CANCELLED, JobState.WAITING)));
    }
    data.listeners.fire();
    return moves;
  }

  /** Requeues a finished job (optionally with new own arguments); returns the dependents revived. */
  private List<Long> requeueLocked(MemoryJob j, @Nullable String argsJson, Instant now) {
    String jobId = Long.toString(j.id);
    JobState to = JobState.QUEUED;
    if (data.deps.has(j.id)) {
      to = data.deps.retry(j.id);
      if (to == JobState.CANCELLED) {
        throw new IllegalJobTransitionException(jobId, j.state, JobState.QUEUED, "job " + jobId + " depends on"
            + " job " + data.deps.cancelledBy(j.id) + ", which ended in a way that cancels it: retry that one");
      }
    }
    if (!j.state.canMoveTo(to)) {
      throw new IllegalJobTransitionException(jobId, j.state, to, Workflows.dependenciesRunning(jobId));
    }
    if (argsJson != null) {
      j.args = argsJson;
    }
    if (to == JobState.QUEUED && data.deps.has(j.id)) {
      j.args = data.deps.inputOf(j.id, j.args);
    }
    j.failures = 0;
    j.lost = 0;
    j.deadReason = null;
    j.cancelRequested = false;
    j.runAt = now;
    j.error = null;
    data.move(j, to, now);
    return data.deps.requeued(j.id, now);
  }

  int purge(JobFilter filter) {
    for (JobState s : filter.states()) {
      if (!s.isTerminal()) {
        throw new IllegalArgumentException("only finished jobs can be purged, not " + s
            + " ones; cancel them first");
      }
    }
    JobFilter f = filter.states().isEmpty() ? filter.withStates(JobState.terminalStates()) : filter;
    int deleted = 0;
    synchronized (data.lock) {
      data.checkOpen();
      List<MemoryJob> victims = new ArrayList<>();
      for (MemoryJob j : data.jobs.descendingMap().values()) {
        if (victims.size() >= f.limit()) {
          break;
        }
        if (data.matches(j, f) && (f.beforeId() == null || j.id < JobFilter.parseId(f.beforeId()))) {
          victims.add(j);
        }
      }
      for (MemoryJob j : victims) {
        data.delete(j);
        deleted++;
      }
    }
    return deleted;
  }

  void setQueueLimit(String queue, int maxRunning) {
    JobOptions.validateQueue(queue);
    if (maxRunning < 0) {
      throw new IllegalArgumentException("a queue limit must be >= 0 (0 = none): " + maxRunning);
    }
    synchronized (data.lock) {
      data.checkOpen();
      if (maxRunning == 0) {
        data.limits.remove(queue);
      } else {
        data.limits.put(queue, maxRunning);
      }
    }
    data.listeners.fire();
  }

  Map<String, Integer> queueLimits() {
    synchronized (data.lock) {
      data.checkOpen();
      return Map.copyOf(data.limits);
    }
  }

  void pauseQueue(String queue) {
    JobOptions.validateQueue(queue);
    synchronized (data.lock) {
      data.checkOpen();
      data.paused.add(queue);
    }
    data.listeners.fire();
  }

  void resumeQueue(String queue) {
    JobOptions.validateQueue(queue);
    synchronized (data.lock) {
      data.checkOpen();
      data.paused.remove(queue);
    }
    data.listeners.fire();
  }

  Set<String> pausedQueues() {
    synchronized (data.lock) {
      data.checkOpen();
      return Set.copyOf(data.paused);
    }
  }

  int requeueMatching(JobFilter filter, Instant callerNow) {
    JobFilter f = filter.withStates(QueueControl.statesWithin(filter, QueueControl.requeueStates(), "requeued"));
    int n = 0;
    synchronized (data.lock) {
      data.checkOpen();
      Instant now = data.clock.instant();
      for (MemoryJob j : victims(f)) {
        j.failures = 0;
        j.lost = 0;
        j.deadReason = null;
        j.cancelRequested = false;
        j.runAt = now;
        data.move(j, JobState.QUEUED, now);
        n++;
      }
    }
    if (n > 0) {
      data.listeners.fire();
    }
    return n;
  }

  int cancelMatching(JobFilter filter, Instant callerNow) {
    JobFilter f = filter.withStates(QueueControl.statesWithin(filter, QueueControl.cancelStates(), "cancelled"));
    int n = 0;
    synchronized (data.lock) {
      data.checkOpen();
      Instant now = data.clock.instant();
      for (MemoryJob j : victims(f)) {
        if (j.state == JobState.RUNNING) {
          j.cancelRequested = true;
        } else {
          data.move(j, JobState.CANCELLED, now);
        }
        n++;
      }
    }
    if (n > 0) {
      data.listeners.fire();
    }
    return n;
  }

  List<MemoryJob> victims(JobFilter f) {
    NavigableMap<Long, MemoryJob> view = f.beforeId() == null ? data.jobs.descendingMap()
        : data.jobs.headMap(JobFilter.parseId(f.beforeId()), false).descendingMap();
    List<MemoryJob> out = new ArrayList<>();
    for (MemoryJob j : view.values()) {
      if (out.size() >= f.limit()) {
        break;
      }
      if (data.matches(j, f) && !(j.state == JobState.RUNNING && j.cancelRequested)) {
        out.add(j);
      }
    }
    return out;
  }

  DeleteResult deleteJob(String jobId) {
    synchronized (data.lock) {
      data.checkOpen();
      MemoryJob j = data.lookup(jobId);
      if (j == null) {
        return DeleteResult.NOT_FOUND;
      }
      if (!j.state.isTerminal()) {
        return DeleteResult.NOT_FINISHED;
      }
      data.delete(j);
      return DeleteResult.DELETED;
    }
  }

  int purgeExpired(Instant callerNow, RetentionLimits retention) {
    int deleted = 0;
    synchronized (data.lock) {
      data.checkOpen();
      Instant now = data.clock.instant();
      List<MemoryJob> expired = new ArrayList<>();
      for (MemoryJob j : data.byExpiry) {
        if (expired.size() >= retention.batch() || j.expiry().isAfter(now)) {
          break;
        }
        if (!data.deps.awaited(j.id)) {
          expired.add(j);
        }
      }
      deleted += deleteAll(expired);
      for (Map.Entry<JobRules.Kept, TreeSet<MemoryJob>> kind : data.keptByFinish.entrySet()) {
        // the oldest beyond the limit, but those a waiting job still needs (not replaced by newer ones)
        long over = kind.getValue().size() - kind.getKey().limit(retention);
        List<MemoryJob> oldest = new ArrayList<>();
        for (MemoryJob j : kind.getValue()) {
          if (over-- <= 0 || deleted + oldest.size() >= retention.batch()) {
            break;
          }
          if (!data.deps.awaited(j.id)) {
            oldest.add(j);
          }
        }
        deleted += deleteAll(oldest);
      }
    }
    return deleted;
  }

  private int deleteAll(List<MemoryJob> doomed) {
    doomed.forEach(data::delete);
    return doomed.size();
  }

  void appendAudit(AuditRecord r) {
    synchronized (data.lock) {
      data.checkOpen();
      audit.addFirst(new AuditRecord(++auditSeq, r.at(), r.user(), r.action(), r.target(), r.detail()));
      if (audit.size() > AuditLog.KEPT) {
        audit.removeLast();
      }
    }
  }

  List<AuditRecord> recentAudit(int limit) {
    synchronized (data.lock) {
      data.checkOpen();
      return audit.stream().limit(limit).toList();
    }
  }
}
