package dev.spindle.store.redis;

import dev.spindle.queue.DurableRules;
import dev.spindle.queue.spi.CachedResult;
import dev.spindle.queue.spi.DependencyEnd;
import dev.spindle.queue.spi.DurableStore;
import dev.spindle.queue.spi.JobRef;
import dev.spindle.queue.spi.SignalRecord;
import dev.spindle.queue.spi.SignalResult;
import dev.spindle.queue.spi.StepLog;
import dev.spindle.queue.spi.StepRecord;
import dev.spindle.queue.spi.StepWrite;
import dev.spindle.queue.spi.WaitFor;
import dev.spindle.store.redis.internal.RedisLink;
import dev.spindle.store.redis.internal.Script;
import dev.spindle.store.redis.internal.Times;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The {@link DurableStore} of a {@link RedisJobStore}: each call is one script (one round trip),
 * which checks in the same script that the caller holds the job (RUNNING, worker, fencing token)
 * before it writes on behalf of an attempt. A job's records live in two hashes in its namespace's
 * slot ({@code lua/lib/durable.lua} describes them), deleted with the job by retention and delete.
 * The decisions are {@link DurableRules}': a step write's limits travel as arguments and the
 * script returns the facts ({@link DurableRules#onRecord} names the answer here); the answers to a
 * signal are rendered into the scripts ({@code LuaStateMachine}). Writes that are not naturally
 * repeatable (suspend, signal) carry a request id, so a call retried after a lost reply is applied
 * once. Thread-safe (stateless besides the connection).
 */
final class RedisDurable implements DurableStore {
  private static final String NO_RESULT = "-";
  private static final String RESULT = "=";

  private final RedisJobStore store;
  private final RedisLink link;

  RedisDurable(RedisJobStore store, RedisLink link) {
    this.store = store;
    this.link = link;
  }

  // ---------------------------------------------------------------- reads

  @Override
  public Optional<StepLog> load(String jobId, long fence, String workerId) {
    Objects.requireNonNull(workerId, "workerId");
    return log(jobId, Long.toString(fence), workerId);
  }

  @Override
  public Optional<StepLog> view(String jobId) {
    return log(jobId, "", "");
  }

  private Optional<StepLog> log(String jobId, String fence, String workerId) {
    String id = RedisJobStore.canonicalId(jobId);
    if (id == null) {
      return Optional.empty();
    }
    List<?> r = link.script(Script.DURABLE_LOG, true, id, fence, workerId);
    if (((Long) r.get(0)) == 0) {
      return Optional.empty();
    }
    return Optional.of(stepLog(r.subList(1, r.size())));
  }

  /** A step log from the step hash's fields and values (see {@code lua/lib/durable.lua}). */
  static StepLog stepLog(List<?> fieldsAndValues) {
    List<StepRecord> steps = new ArrayList<>();
    Map<String, Integer> signals = new HashMap<>();
    @Nullable WaitFor wait = null;
    for (int i = 0; i + 1 < fieldsAndValues.size(); i += 2) {
      String field = (String) fieldsAndValues.get(i);
      String value = (String) fieldsAndValues.get(i + 1);
      if (field.equals("#w")) {
        wait = waitOf(value);
      } else if (field.startsWith("@")) {
        signals.put(field.substring(1), Integer.parseInt(value));
      } else if (!field.startsWith("#")) {
        int hash = field.lastIndexOf('#');
        steps.add(step(field.substring(0, hash), Integer.parseInt(field.substring(hash + 1)), value));
      }
    }
    steps.sort(Comparator.comparingInt(StepRecord::sequence).thenComparing(StepRecord::name)
        .thenComparingInt(StepRecord::occurrence));
    return new StepLog(steps, signals, wait);
  }

  /** A step record from its stored text {@code "sequence|kind|fence|attempt|took ms|recorded at|-"} or {@code ...|=json}. */
  static StepRecord step(String name, int occurrence, String text) {
    String[] f = text.split("\\|", 7);
    if (f.length != 7) {
      throw new IllegalStateException("a step record of '" + name + "' is malformed");
    }
    String result = f[6].startsWith(RESULT) ? f[6].substring(1) : null;
    return new StepRecord(name, occurrence, Integer.parseInt(f[0]), StepRecord.Kind.valueOf(f[1]), result,
        Long.parseLong(f[2]), Integer.parseInt(f[3]), Long.parseLong(f[4]), Times.instant(f[5]));
  }

  /** A wait from its stored text {@code "kind|sequence|until|number|signal name or awaited job id"}. */
  static WaitFor waitOf(String text) {
    String[] f = text.split("\\|", 5);
    WaitFor.Kind kind = WaitFor.Kind.valueOf(f[0]);
    return new WaitFor(kind, kind != WaitFor.Kind.TIMER ? f[4] : null, Integer.parseInt(f[3]),
        Integer.parseInt(f[1]), Times.instant(f[2]));
  }

  @Override
  public Optional<SignalRecord> signalAt(String jobId, String name, int number) {
    String id = RedisJobStore.canonicalId(jobId);
    if (id == null || number < 0) {
      return Optional.empty();
    }
    @Nullable String v = link.script(Script.DURABLE_SIGNAL_AT, true, id, name + "#" + number);
    if (v == null) {
      return Optional.empty();
    }
    int bar = v.indexOf('|');
    return Optional.of(new SignalRecord(name, number, v.substring(bar + 1), Times.instant(v.substring(0, bar))));
  }

  // ---------------------------------------------------------------- writes for an attempt

  @Override
  public StepWrite record(String jobId, long fence, String workerId, StepRecord step, DurableRules rules) {
    Objects.requireNonNull(step, "step");
    Objects.requireNonNull(rules, "rules");
    String id = RedisJobStore.canonicalId(jobId);
    if (id == null) {
      return StepWrite.fenced();
    }
    String head = step.sequence() + "|" + step.kind().name() + "|" + step.fence() + "|" + step.attempt() + "|"
        + step.tookMillis();
    String result = step.resultJson() == null ? NO_RESULT : RESULT + step.resultJson();
    List<?> r = link.script(Script.DURABLE_RECORD, true, id, Long.toString(fence), workerId, step.key(), head,
        result, Integer.toString(step.resultBytes()), DurableRules.tookSignal(step) ? "1" : "0",
        Integer.toString(rules.maxSteps()), Integer.toString(rules.maxResultBytes()), Long.toString(rules.maxJobBytes()),
        store.storeNowArg());
    boolean held = ((Long) r.get(0)) == 1;
    @Nullable String existing = (String) r.get(1);
    int steps = ((Long) r.get(2)).intValue();
    long bytes = (Long) r.get(3);
    @Nullable String applied = (String) r.get(4);
    StepWrite.Status status = rules.onRecord(held, existing != null, steps, bytes, step.resultBytes());
    if ((status == StepWrite.Status.APPLIED) != (applied != null)) {
      throw new IllegalStateException("the durable_record script and " + rules + " disagree on step " + step.key()
          + " of job " + id + ": " + status);
    }
    return switch (status) {
      case FENCED -> StepWrite.fenced();
      case EXISTS -> StepWrite.exists(step(step.name(), step.occurrence(), Objects.requireNonNull(existing)));
      case LIMIT -> StepWrite.limit(Objects.requireNonNull(rules.limitExceeded(steps, bytes, step.resultBytes())));
      case APPLIED -> StepWrite.applied(step(step.name(), step.occurrence(), Objects.requireNonNull(applied)));
    };
  }

  @Override
  public boolean suspend(String jobId, long fence, String workerId, WaitFor wait, Instant now) {
    Objects.requireNonNull(wait, "wait");
    String id = RedisJobStore.canonicalId(jobId);
    if (id == null) {
      return false;
    }
    String signal = wait.kind() == WaitFor.Kind.JOB ? awaitedId(Objects.requireNonNull(wait.job())) : wait.signal();
    Long r = link.script(Script.DURABLE_SUSPEND, true, store.rid(), id, Long.toString(fence), workerId,
        wait.kind().name(), Integer.toString(wait.sequence()), Times.encode(wait.until()),
        Integer.toString(wait.number()), signal == null ? "" : signal, store.nowArg(now));
    return r == 1;
  }

  /** The canonical id of an awaited job, or "0" (no job has it) if it is no id of this store. */
  private static String awaitedId(String jobId) {
    String id = RedisJobStore.canonicalId(jobId);
    return id == null ? "0" : id;
  }

  @Override
  public Optional<DependencyEnd> awaited(String jobId) {
    return store.find(jobId).map(j -> new DependencyEnd(jobId, j.state(), j.state().isTerminal() ? j.resultJson() : null,
        j.state().isTerminal() ? j.errorJson() : null));
  }

  // ---------------------------------------------------------------- signals

  @Override
  public SignalResult signal(JobRef job, String name, String payloadJson, DurableRules rules, Instant now) {
    Objects.requireNonNull(job, "job");
    rules.checkSignal(name, payloadJson);
    String ref = job.byUniqueKey() ? job.value() : RedisJobStore.canonicalId(job.value());
    if (ref == null) {
      return rules.onSignal(null, 0, false);
    }
    String r = link.script(Script.DURABLE_SIGNAL, true, store.rid(), job.byUniqueKey() ? "u" : "i", ref, name,
        payloadJson, Integer.toString(rules.maxPendingSignals()), store.nowArg(now));
    return SignalResult.valueOf(r);
  }

  // ---------------------------------------------------------------- memoized results

  @Override
  public Optional<CachedResult> cached(String key, Instant now) {
    Objects.requireNonNull(key, "key");
    @Nullable List<?> r = link.script(Script.DURABLE_CACHED, true, key, store.nowArg(now));
    if (r == null || r.size() < 3) {
      return Optional.empty();
    }
    return Optional.of(new CachedResult(key, (String) r.get(2), (String) r.get(1), Times.instant((String) r.get(0))));
  }

  @Override
  public void cache(CachedResult result, Instant now) {
    Objects.requireNonNull(result, "result");
    link.script(Script.DURABLE_CACHE, true, result.key(), result.resultJson(), result.jobId(),
        Times.encode(result.expiresAt()), store.nowArg(now));
  }

  /** For messages. */
  @Override
  public String toString() {
    return "RedisDurable[" + store.describe() + "]";
  }
}
