package dev.spindle.queue.memory;

import dev.spindle.queue.DurableRules;
import dev.spindle.queue.JobRules;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.AttemptOutcome;
import dev.spindle.queue.spi.CachedResult;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.DependencyEnd;
import dev.spindle.queue.spi.DurableStore;
import dev.spindle.queue.spi.JobRef;
import dev.spindle.queue.spi.RefusedWrite;
import dev.spindle.queue.spi.SignalRecord;
import dev.spindle.queue.spi.SignalResult;
import dev.spindle.queue.spi.StepLog;
import dev.spindle.queue.spi.StepRecord;
import dev.spindle.queue.spi.StepWrite;
import dev.spindle.queue.spi.StoreClock;
import dev.spindle.queue.spi.WaitFor;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The {@link DurableStore} of an {@link InMemoryJobStore}: each job's records, signals and wait live
 * on its {@link MemoryJob} (so they go with it), memoized results in a map; every call takes the
 * store's lock and decides by {@link DurableRules}. Thread-safe through the store's lock.
 */
final class MemoryDurable implements DurableStore {
  private final MemoryData data;
  /** Memoized results by key; guarded by the store's lock. */
  private final Map<String, CachedResult> cache = new HashMap<>();

  MemoryDurable(MemoryData data) {
    this.data = data;
  }

  /** A job's durable records. Guarded by the store's lock. */
  static final class Records {
    final Map<String, StepRecord> steps = new LinkedHashMap<>();
    final Map<String, List<SignalRecord>> signals = new HashMap<>();
    final Map<String, Integer> taken = new HashMap<>();
    long bytes;
    @Nullable WaitFor wait;

    StepLog log() {
      List<StepRecord> list = new ArrayList<>(steps.values());
      list.sort(Comparator.comparingInt(StepRecord::sequence).thenComparing(StepRecord::name)
          .thenComparingInt(StepRecord::occurrence));
      Map<String, Integer> counts = new HashMap<>();
      signals.forEach((name, l) -> counts.put(name, l.size()));
      return new StepLog(list, counts, wait);
    }

    int pending() {
      int stored = 0;
      for (List<SignalRecord> l : signals.values()) {
        stored += l.size();
      }
      int took = 0;
      for (int n : taken.values()) {
        took += n;
      }
      return stored - took;
    }

    int count(String signal) {
      return signals.getOrDefault(signal, List.of()).size();
    }
  }

  private static boolean held(MemoryJob j, long fence, String workerId) {
    return j.state == JobState.RUNNING && j.fence == fence && workerId.equals(j.workerId);
  }

  private static Records records(MemoryJob j) {
    Records r = j.durable;
    if (r == null) {
      r = new Records();
      j.durable = r;
    }
    return r;
  }

  @Override
  public Optional<StepLog> load(String jobId, long fence, String workerId) {
    synchronized (data.lock) {
      data.checkOpen();
      MemoryJob j = data.lookup(jobId);
      if (j == null || !held(j, fence, workerId)) {
        return Optional.empty();
      }
      return Optional.of(j.durable == null ? StepLog.empty() : j.durable.log());
    }
  }

  @Override
  public Optional<StepLog> view(String jobId) {
    synchronized (data.lock) {
      data.checkOpen();
      MemoryJob j = data.lookup(jobId);
      if (j == null) {
        return Optional.empty();
      }
      return Optional.of(j.durable == null ? StepLog.empty() : j.durable.log());
    }
  }

  @Override
  public StepWrite record(String jobId, long fence, String workerId, StepRecord step, DurableRules rules) {
    Objects.requireNonNull(step, "step");
    Objects.requireNonNull(rules, "rules");
    synchronized (data.lock) {
      data.checkOpen();
      MemoryJob j = data.lookup(jobId);
      boolean held = j != null && held(j, fence, workerId);
      Records r = held ? records(Objects.requireNonNull(j)) : null;
      StepRecord existing = r == null ? null : r.steps.get(step.key());
      int steps = r == null ? 0 : r.steps.size();
      long bytes = r == null ? 0 : r.bytes;
      StepWrite.Status status = rules.onRecord(held, existing != null, steps, bytes, step.resultBytes());
      return switch (status) {
        case FENCED -> {
          if (j != null) {
            j.ledger().refuse(new RefusedWrite(fence, workerId, data.clock.instant(),
                RefusedWrite.step(step.name(), step.occurrence())));
          }
          yield StepWrite.fenced();
        }
        case EXISTS -> StepWrite.exists(Objects.requireNonNull(existing));
        case LIMIT -> StepWrite.limit(Objects.requireNonNull(rules.limitExceeded(steps, bytes, step.resultBytes())));
        case APPLIED -> StepWrite.applied(apply(Objects.requireNonNull(r), step));
      };
    }
  }

  private StepRecord apply(Records r, StepRecord step) {
    StepRecord stored = step.recordedAt(data.clock.instant());
    r.steps.put(stored.key(), stored);
    r.bytes += stored.resultBytes();
    if (DurableRules.tookSignal(stored)) {
      r.taken.merge(stored.name(), 1, Integer::sum);
    }
    r.wait = null; // the attempt went past its wait
    return stored;
  }

  @Override
  public boolean suspend(String jobId, long fence, String workerId, WaitFor wait, Instant callerNow) {
    Objects.requireNonNull(wait, "wait");
    synchronized (data.lock) {
      data.checkOpen();
      MemoryJob j = data.lookup(jobId);
      if (j == null || !held(j, fence, workerId)) {
        return false;
      }
      StoreClock sc = StoreClock.read(data.clock, callerNow);
      Instant now = sc.now();
      Records r = records(j);
      j.ledger().close(fence, now, j.cancelRequested ? AttemptOutcome.CANCELLED : AttemptOutcome.SUSPENDED, null);
      Instant until = sc.translate(wait.until());
      r.wait = new WaitFor(wait.kind(), wait.signal(), wait.number(), wait.sequence(), until);
      if (j.cancelRequested) {
        data.move(j, JobRules.stateAfter(Completion.Outcome.RELEASED, false, true), now);
      } else {
        boolean signalled = wait.kind() == WaitFor.Kind.SIGNAL
            && r.count(Objects.requireNonNull(wait.signal())) > wait.number();
        boolean due = signalled || awaitedIsOver(j, wait) || !until.isAfter(now);
        j.runAt = due ? now : until;
        data.move(j, due ? JobState.QUEUED : JobState.SCHEDULED, now);
      }
    }
    data.listeners.fire();
    return true;
  }

  /**
   * For a job wait: true if the awaited job has ended or is gone (the job stays QUEUED); else the
   * waiter is registered to be woken by its end ({@link MemoryData#awaitedBy}).
   */
  private boolean awaitedIsOver(MemoryJob waiter, WaitFor wait) {
    String target = wait.job();
    if (target == null) {
      return false;
    }
    MemoryJob t = data.lookup(target);
    if (DurableRules.awaitedIsOver(t == null ? null : t.state)) {
      return true;
    }
    data.awaitedBy.computeIfAbsent(Objects.requireNonNull(t).id, k -> new java.util.HashSet<>()).add(waiter.id);
    return false;
  }

  @Override
  public Optional<DependencyEnd> awaited(String jobId) {
    synchronized (data.lock) {
      data.checkOpen();
      MemoryJob j = data.lookup(jobId);
      return j == null ? Optional.empty() : Optional.of(new DependencyEnd(jobId, j.state,
          j.state.isTerminal() ? j.result : null, j.state.isTerminal() ? j.error : null));
    }
  }

  @Override
  public SignalResult signal(JobRef ref, String name, String payloadJson, DurableRules rules, Instant callerNow) {
    rules.checkSignal(name, payloadJson);
    SignalResult result;
    synchronized (data.lock) {
      data.checkOpen();
      MemoryJob j = find(ref);
      Records r = j == null ? null : j.durable;
      int pending = r == null ? 0 : r.pending();
      WaitFor wait = r == null ? null : r.wait;
      boolean waitsForIt = wait != null && wait.wokenBy(name);
      result = rules.onSignal(j == null ? null : j.state, pending, waitsForIt);
      if (result.stored()) {
        MemoryJob job = Objects.requireNonNull(j);
        Records rec = records(job);
        Instant now = StoreClock.read(data.clock, callerNow).now();
        List<SignalRecord> list = rec.signals.computeIfAbsent(name, n -> new ArrayList<>());
        list.add(new SignalRecord(name, list.size(), payloadJson, now));
        if (result == SignalResult.WOKE) {
          job.runAt = now;
          data.move(job, JobState.QUEUED, now);
        }
      }
    }
    if (result == SignalResult.WOKE) {
      data.listeners.fire();
    }
    return result;
  }

  private @Nullable MemoryJob find(JobRef ref) {
    if (!ref.byUniqueKey()) {
      return data.lookup(ref.value());
    }
    Long id = data.uniqueKeys.get(ref.value());
    return id == null ? null : data.jobs.get(id);
  }

  @Override
  public Optional<SignalRecord> signalAt(String jobId, String name, int number) {
    synchronized (data.lock) {
      data.checkOpen();
      MemoryJob j = data.lookup(jobId);
      if (j == null || j.durable == null) {
        return Optional.empty();
      }
      List<SignalRecord> list = j.durable.signals.getOrDefault(name, List.of());
      return number >= 0 && number < list.size() ? Optional.of(list.get(number)) : Optional.empty();
    }
  }

  @Override
  public Optional<CachedResult> cached(String key, Instant callerNow) {
    synchronized (data.lock) {
      data.checkOpen();
      CachedResult c = cache.get(key);
      Instant now = StoreClock.read(data.clock, callerNow).now();
      if (c == null) {
        return Optional.empty();
      }
      if (!c.expiresAt().isAfter(now)) {
        cache.remove(key);
        return Optional.empty();
      }
      return Optional.of(c);
    }
  }

  @Override
  public void cache(CachedResult result, Instant callerNow) {
    synchronized (data.lock) {
      data.checkOpen();
      StoreClock sc = StoreClock.read(data.clock, callerNow);
      Instant now = sc.now();
      cache.values().removeIf(c -> !c.expiresAt().isAfter(now)); // expired ones go as new ones come
      cache.put(result.key(), new CachedResult(result.key(), result.resultJson(), result.jobId(),
          sc.translate(result.expiresAt())));
    }
  }
}
