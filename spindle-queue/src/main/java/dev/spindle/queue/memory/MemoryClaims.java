package dev.spindle.queue.memory;

import dev.spindle.queue.JobError;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobRules;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.AttemptOutcome;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.ClaimResult;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.Exchange;
import dev.spindle.queue.spi.FlowHold;
import dev.spindle.queue.spi.HeartbeatResult;
import dev.spindle.queue.spi.MinuteStats;
import dev.spindle.queue.spi.RefusedWrite;
import dev.spindle.queue.spi.StoreClock;
import dev.spindle.queue.spi.WorkerRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The worker side of an {@link InMemoryJobStore}: claims (due scheduled jobs promoted first; per queue
 * in claim order, or round-robin over flow keys when ready jobs have them, honouring queue limits,
 * pauses and flow rules), completions under fencing, heartbeats, clean deregistration and the
 * reclaiming of jobs whose worker's lease expired. Thread-safe through the store's lock.
 */
final class MemoryClaims {
  private final MemoryData data;

  MemoryClaims(MemoryData data) {
    this.data = data;
  }

  ClaimResult claim(ClaimRequest request) {
    ClaimResult r;
    synchronized (data.lock) {
      data.checkOpen();
      r = claimLocked(request);
    }
    if (!r.jobs().isEmpty()) {
      data.listeners.fire();
    }
    return r;
  }

  ClaimResult claimLocked(ClaimRequest request) {
    Instant now = data.clock.instant();
    promoteDue(now);
    List<JobInfo> claimed = new ArrayList<>();
    Instant[] flowNext = new Instant[1]; // the earliest time a flow rule that held a key lifts
    int remaining = request.max();
    for (String queue : request.queues()) {
      if (remaining == 0) {
        break;
      }
      MemoryReady set = data.ready.get(queue);
      if (set == null || set.isEmpty() || data.paused.contains(queue)) {
        continue;
      }
      int available = remaining;
      Integer limit = data.limits.get(queue);
      if (limit != null && limit > 0) {
        available = Math.min(available, limit - data.runningByQueue.getOrDefault(queue, 0));
      }
      int took = claimFrom(set, available, request, now, claimed, flowNext);
      remaining -= took;
    }
    Instant next = data.scheduled.isEmpty() ? null : data.scheduled.first().runAt;
    if (flowNext[0] != null && (next == null || flowNext[0].isBefore(next))) {
      next = flowNext[0];
    }
    return new ClaimResult(claimed, next);
  }

  /**
   * Claims up to {@code available} jobs of one queue: in claim order if no ready job has a flow key,
   * else round-robin over the unkeyed group and the keys, skipping keys a flow rule holds.
   */
  int claimFrom(MemoryReady set, int available, ClaimRequest request, Instant now, List<JobInfo> claimed,
      Instant[] flowNext) {
    String workerId = request.workerId();
    int took = 0;
    long nowMicros = MemoryFlow.micros(now);
    while (took < available && !set.isEmpty()) {
      boolean progress = false;
      if (!set.keyed()) {
        MemoryJob j = set.firstUnkeyed(request);
        if (j == null) {
          break; // only jobs of tasks the worker does not know
        }
        start(j, workerId, now, claimed);
        took++;
        continue;
      }
      MemoryJob u = set.firstUnkeyed(request);
      if (u != null) {
        start(u, workerId, now, claimed);
        took++;
        progress = true;
      }
      for (String key : set.round()) {
        // a key takes up to its weight's claims in a row, then its turn ends
        while (took < available) {
          FlowHold h = data.flow.hold(key, nowMicros);
          if (h != null) {
            if (h.until() != null && (flowNext[0] == null || h.until().isBefore(flowNext[0]))) {
              flowNext[0] = h.until();
            }
            break;
          }
          MemoryJob j = set.first(key, request);
          if (j == null) {
            break;
          }
          boolean ended = set.served(key, data.flow.weight(key));
          data.flow.started(key, nowMicros);
          start(j, workerId, now, claimed);
          took++;
          progress = true;
          if (ended) {
            break;
          }
        }
        if (took >= available) {
          break;
        }
      }
      if (!progress) {
        break;
      }
    }
    return took;
  }

  void start(MemoryJob j, String workerId, Instant now, List<JobInfo> claimed) {
    j.attempt++;
    j.fence++;
    j.workerId = workerId;
    j.startedAt = now;
    j.cancelRequested = false;
    WorkerRecord w = data.workers.get(workerId);
    j.ledger().start(j.attempt, j.fence, workerId, w == null ? null : w.host(), now, data.attemptsKept);
    data.move(j, JobState.RUNNING, now);
    claimed.add(j.snapshot());
  }

  /** The error a lost attempt of {@code j} records. */
  static String lostError(MemoryJob j) {
    return JobError.of("dev.spindle.WorkerLostException", "worker " + j.workerId
        + " lost job " + j.id + ": its lease ran out or it stopped without stopping the job").toJson();
  }

  void promoteDue(Instant now) {
    while (!data.scheduled.isEmpty() && !data.scheduled.first().runAt.isAfter(now)) {
      data.move(data.scheduled.first(), JobState.QUEUED, now);
    }
  }

  List<Boolean> complete(List<Completion> completions, Instant now) {
    List<Boolean> out;
    synchronized (data.lock) {
      data.checkOpen();
      out = completeLocked(completions, now);
    }
    if (!completions.isEmpty()) {
      data.listeners.fire();
    }
    return out;
  }

  List<Boolean> completeLocked(List<Completion> completions, Instant callerNow) {
    StoreClock sc = StoreClock.read(data.clock, callerNow);
    Instant now = sc.now();
    List<Boolean> out = new ArrayList<>(completions.size());
    for (Completion c : completions) {
      MemoryJob j = data.lookup(c.jobId());
      if (j == null || j.state != JobState.RUNNING || j.fence != c.fence() || !c.workerId().equals(j.workerId)) {
        if (j != null) {
          j.ledger().refuse(new RefusedWrite(c.fence(), c.workerId(), now, RefusedWrite.completion(c.outcome())));
        }
        out.add(false);
        continue;
      }
      j.ledger().close(j.fence, now, AttemptOutcome.of(c.outcome()), c.errorJson());
      switch (c.outcome()) {
        case SUCCEEDED -> {
          j.result = c.resultJson();
          data.move(j, JobRules.stateAfter(c.outcome(), false, false), now);
        }
        case RETRY -> {
          data.count(now, MinuteStats.RETRIED, 1);
          j.failures++;
          j.error = c.errorJson();
          j.runAt = sc.translate(Objects.requireNonNull(c.retryAt(), "retryAt of a RETRY completion"));
          data.move(j, JobRules.stateAfter(c.outcome(), j.runAt.isAfter(now), false), now);
        }
        case FAILED -> {
          j.failures++;
          j.error = c.errorJson();
          data.move(j, JobRules.stateAfter(c.outcome(), false, false), now);
        }
        case DEAD -> {
          j.error = c.errorJson();
          j.deadReason = c.deadReason();
          data.move(j, JobRules.stateAfter(c.outcome(), false, false), now);
        }
        case CANCELLED -> {
          if (c.errorJson() != null) {
            j.error = c.errorJson();
          }
          data.move(j, JobRules.stateAfter(c.outcome(), false, false), now);
        }
        case RELEASED -> release(j, now);
      }
      out.add(true);
    }
    return out;
  }

  /** Hands a running job back: QUEUED without counting the attempt, or CANCELLED if a cancel was asked. */
  void release(MemoryJob j, Instant now) {
    JobState to = JobRules.stateAfter(Completion.Outcome.RELEASED, false, j.cancelRequested);
    if (to == JobState.QUEUED) {
      j.attempt = Math.max(0, j.attempt - 1);
      j.runAt = now;
    }
    data.move(j, to, now);
  }

  Exchange completeAndClaim(List<Completion> completions, @Nullable ClaimRequest request, Instant now) {
    Exchange ex;
    synchronized (data.lock) {
      data.checkOpen();
      List<Boolean> applied = completeLocked(completions, now);
      ClaimResult claim = request == null ? ClaimResult.empty() : claimLocked(request);
      ex = new Exchange(applied, claim);
    }
    if (!completions.isEmpty() || !ex.claim().jobs().isEmpty()) {
      data.listeners.fire();
    }
    return ex;
  }

  HeartbeatResult heartbeat(WorkerRecord worker) {
    synchronized (data.lock) {
      data.checkOpen();
      StoreClock sc = StoreClock.read(data.clock, worker.heartbeatAt());
      WorkerRecord before = data.workers.get(worker.id());
      WorkerRecord rec = worker.onStoreClock(sc);
      if (rec.tasks() == null && before != null) {
        rec = rec.withTasks(before.tasks()); // not sent: the set registered before stays
      }
      data.workers.put(worker.id(), rec);
      Set<String> held = new HashSet<>();
      Set<String> cancel = new HashSet<>();
      for (MemoryJob j : data.runningByWorker.getOrDefault(worker.id(), Set.of())) {
        held.add(Long.toString(j.id));
        if (j.cancelRequested) {
          cancel.add(Long.toString(j.id));
        }
      }
      return new HeartbeatResult(held, cancel, sc.now());
    }
  }

  void deregisterWorker(String workerId, Instant callerNow) {
    boolean changed;
    synchronized (data.lock) {
      data.checkOpen();
      Instant now = data.clock.instant();
      data.workers.remove(workerId);
      List<MemoryJob> held = new ArrayList<>(data.runningByWorker.getOrDefault(workerId, Set.of()));
      held.sort(Comparator.comparingLong(j -> j.id));
      for (MemoryJob j : held) {
        reclaim(j, now); // a clean stop hands back what it stopped: what it still holds, it lost
      }
      changed = !held.isEmpty();
    }
    if (changed) {
      data.listeners.fire();
    }
  }

  List<JobInfo> reclaimExpired(Instant callerNow, int limit) {
    List<JobInfo> out = new ArrayList<>();
    synchronized (data.lock) {
      data.checkOpen();
      Instant now = data.clock.instant();
      Set<String> expired = new LinkedHashSet<>();
      for (String w : data.runningByWorker.keySet()) {
        WorkerRecord rec = data.workers.get(w);
        if (rec == null || !rec.leaseUntil().isAfter(now)) {
          expired.add(w);
        }
      }
      for (WorkerRecord rec : data.workers.values()) {
        if (!rec.leaseUntil().isAfter(now)) {
          expired.add(rec.id());
        }
      }
      for (String w : expired) {
        List<MemoryJob> held = new ArrayList<>(data.runningByWorker.getOrDefault(w, Set.of()));
        held.sort(Comparator.comparingLong(j -> j.id));
        for (MemoryJob j : held) {
          if (out.size() >= limit) {
            break;
          }
          out.add(reclaim(j, now));
        }
        if (!data.runningByWorker.containsKey(w)) {
          data.workers.remove(w);
        }
      }
    }
    if (!out.isEmpty()) {
      data.listeners.fire();
    }
    return out;
  }

  JobInfo reclaim(MemoryJob j, Instant now) {
    j.lost++;
    j.ledger().close(j.fence, now, AttemptOutcome.LOST, lostError(j));
    if (j.cancelRequested) {
      data.move(j, JobState.CANCELLED, now);
    } else if (j.lost >= j.policy.maxWorkerLost()) {
      j.deadReason = JobInfo.WORKER_LOST;
      j.error = JobError.of("dev.spindle.WorkerLostException", "job " + j.id + " lost its worker " + j.lost
          + " time(s) (limit " + j.policy.maxWorkerLost() + "); last worker: " + j.workerId).toJson();
      data.move(j, JobState.DEAD, now);
    } else {
      j.runAt = now;
      data.move(j, JobState.QUEUED, now);
    }
    return j.snapshot();
  }
}
