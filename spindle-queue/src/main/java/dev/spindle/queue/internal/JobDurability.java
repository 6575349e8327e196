package dev.spindle.queue.internal;

import dev.spindle.queue.AwaitedJob;
import dev.spindle.queue.DurableContext;
import dev.spindle.queue.DurableJobException;
import dev.spindle.queue.DurableRules;
import dev.spindle.queue.JobError;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.KeyRing;
import dev.spindle.queue.spi.DependencyEnd;
import dev.spindle.queue.spi.DurableStore;
import dev.spindle.queue.spi.JobStore;
import dev.spindle.queue.spi.SignalRecord;
import dev.spindle.queue.spi.StepLog;
import dev.spindle.queue.spi.StepRecord;
import dev.spindle.queue.spi.StepTally;
import dev.spindle.queue.spi.StepWrite;
import dev.spindle.queue.spi.WaitFor;
import dev.spindle.retry.Retry;
import dev.spindle.retry.Sleeper;
import dev.spindle.spi.JsonCodec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link DurableContext} of one attempt of a job: loads the job's records at its first durable
 * call, numbers the calls (sequence, and occurrence per name), compares them with the records
 * ({@link DurableRules.Divergence}), and records new ones under the attempt's fence. A FENCED answer
 * or a suspension ends the attempt ({@link AttemptStopped}, with the job's flag set first). Step
 * results of a job with encrypted arguments are sealed like its result. Confined to the task's
 * thread.
 */
final class JobDurability implements DurableContext {
  private static final Logger LOG = LoggerFactory.getLogger(JobDurability.class);
  private static final String SLEEP = DurableRules.INTERNAL_PREFIX + "sleep";
  private static final String NOW = DurableRules.INTERNAL_PREFIX + "now";
  private static final String UUID_STEP = DurableRules.INTERNAL_PREFIX + "uuid";
  /** A timer step's record: the sleep asked for. */
  private static final Pattern TIMER_JSON = Pattern.compile("\\{\"sleep\":\"([^\"]+)\"}");

  private final InFlight f;
  private final JobInfo job;
  private final String workerId;
  private final JobStore jobStore;
  private final DurableStore store;
  private final DurableRules rules;
  private final JsonCodec codec;
  private final Clock clock;
  private final @Nullable KeyRing ring;
  private final ParkedSleeps parking;

  private @Nullable StepLog log;
  private final Map<Integer, StepRecord> bySequence = new HashMap<>();
  private final Map<String, StepRecord> byKey = new HashMap<>();
  private final Map<String, Integer> occurrences = new HashMap<>();
  private int sequence;
  /** The job's records as this attempt knows them: loaded, plus those it wrote. */
  private StepTally tally = new StepTally(0, 0, false);
  private boolean warned;
  private @Nullable String currentKey;

  JobDurability(InFlight f, String workerId, JobStore jobStore, DurableStore store, DurableRules rules,
      JsonCodec codec, Clock clock, @Nullable KeyRing ring, ParkedSleeps parking) {
    this.f = f;
    this.job = f.job;
    this.workerId = workerId;
    this.jobStore = jobStore;
    this.store = store;
    this.rules = rules;
    this.codec = codec;
    this.clock = clock;
    this.ring = ring;
    this.parking = parking;
  }

  @Override
  public <T extends @Nullable Object> T step(String name, Class<T> type, Body<T> body) throws Exception {
    checkUserName(name);
    return valueStep(name, type, body);
  }

  @Override
  public <T extends @Nullable Object> T step(String name, Class<T> type, Retry retry, Body<T> body)
      throws Exception {
    Objects.requireNonNull(retry, "retry");
    checkUserName(name);
    return valueStep(name, type, () -> retry.call(body::run));
  }

  @Override
  public String stepKey() {
    String k = currentKey;
    if (k == null) {
      throw new IllegalStateException("stepKey() is only known inside a step's body");
    }
    return job.id() + "/" + k;
  }

  @Override
  public void sleep(Duration duration) throws InterruptedException {
    Objects.requireNonNull(duration, "duration");
    if (duration.isNegative()) {
      throw new IllegalArgumentException("sleep duration must not be negative: " + duration);
    }
    Call call = next(SLEEP);
    StepRecord timer = recorded(call);
    Duration asked = timer == null ? duration : sleepOf(timer);
    if (timer == null) {
      timer = write(call, StepRecord.Kind.TIMER, "{\"sleep\":\"" + duration + "\"}", 0);
    }
    Instant fireAt = timer.recordedAt().plus(asked);
    Duration left = untilStoreTime(fireAt);
    if (left.isZero()) {
      return;
    }
    // by the sleep asked for, not what is left of it: recording the timer takes a moment, and a
    // sleep of inlineSleep must still give the slot back
    if (asked.compareTo(rules.inlineSleep()) < 0) {
      Sleeper.system().sleep(left); // short: in place (a coroutine suspends instead of blocking its loop)
      return;
    }
    if (left.compareTo(rules.parkedSleep()) <= 0) {
      switch (parking.sleep(f, left)) {
        case ON_TIME -> {
          return;
        }
        case WORKER_STOPPING -> left = untilStoreTime(fireAt); // the store keeps the rest of the sleep
        case REFUSED -> { }
      }
      if (left.isZero()) {
        return;
      }
    }
    suspend(WaitFor.timer(call.sequence, clock.instant().plus(left)));
  }

  /** How long until {@code at} on the store's clock; zero once it passed. */
  private Duration untilStoreTime(Instant at) {
    Duration d = Duration.between(jobStore.storeTime(), at);
    return d.isNegative() ? Duration.ZERO : d;
  }

  private static Duration sleepOf(StepRecord timer) {
    String json = Objects.requireNonNull(timer.resultJson(), "a timer's duration");
    Matcher m = TIMER_JSON.matcher(json);
    if (!m.matches()) {
      throw new IllegalStateException("a timer record is not {\"sleep\":\"<ISO-8601 duration>\"}: " + json);
    }
    return Duration.parse(m.group(1));
  }

  @Override
  public <T> Optional<T> awaitSignal(String name, Class<T> type, Duration timeout) throws InterruptedException {
    DurableRules.checkName(name, "signal");
    Objects.requireNonNull(type, "type");
    if (Objects.requireNonNull(timeout, "timeout").isNegative()) {
      throw new IllegalArgumentException("timeout must not be negative: " + timeout);
    }
    String stepName = DurableRules.signalStepName(name);
    Call call = next(stepName);
    StepRecord taken = recorded(call);
    if (taken != null) {
      return Optional.ofNullable(decodeNullable(taken.resultJson(), type, call));
    }
    int number = takenSignals(stepName);
    Optional<SignalRecord> arrived = store.signalAt(job.id(), name, number);
    if (arrived.isPresent()) {
      StepRecord r = write(call, StepRecord.Kind.SIGNAL, seal(arrived.get().payloadJson()), 0);
      return Optional.ofNullable(decodeNullable(r.resultJson(), type, call));
    }
    Instant storeNow = jobStore.storeTime();
    WaitFor earlier = loaded().waitingFor();
    Instant until = earlier != null && earlier.sequence() == call.sequence && earlier.wokenBy(name)
        ? earlier.until() : storeNow.plus(timeout);
    if (!until.isAfter(storeNow)) {
      write(call, StepRecord.Kind.SIGNAL, null, 0); // timed out: recorded empty so replays agree
      return Optional.empty();
    }
    suspend(WaitFor.signal(name, number, call.sequence, clock.instant().plus(Duration.between(storeNow, until))));
    throw new AssertionError("suspend returns only by throwing");
  }

  private int takenSignals(String stepName) {
    int n = 0;
    for (StepRecord r : byKey.values()) {
      if (r.name().equals(stepName) && DurableRules.tookSignal(r)) {
        n++;
      }
    }
    return n;
  }

  @Override
  public <T> AwaitedJob<T> awaitJob(String jobId, Class<T> type, Duration timeout) throws InterruptedException {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(type, "type");
    if (Objects.requireNonNull(timeout, "timeout").isNegative()) {
      throw new IllegalArgumentException("timeout must not be negative: " + timeout);
    }
    if (jobId.equals(job.id())) {
      throw new IllegalArgumentException("job " + jobId + " cannot await itself");
    }
    Call call = next(DurableRules.jobStepName(jobId));
    StepRecord done = recorded(call);
    if (done != null) {
      return awaitedOf(done, jobId, type, call);
    }
    WaitFor earlier = loaded().waitingFor();
    boolean began = earlier != null && earlier.sequence() == call.sequence && earlier.wokenByEndOf(jobId);
    Optional<DependencyEnd> end = store.awaited(jobId);
    Instant storeNow = jobStore.storeTime();
    Instant until = began ? Objects.requireNonNull(earlier).until() : storeNow.plus(timeout);
    DurableRules.AwaitAnswer answer = DurableRules.onAwait(end.map(DependencyEnd::state).orElse(null), began,
        !until.isAfter(storeNow));
    String json = switch (answer) {
      case NO_SUCH_JOB -> throw new IllegalArgumentException("job " + job.id() + " awaits job " + jobId
          + ", which does not exist");
      case ENDED -> {
        DependencyEnd e = end.orElseThrow();
        yield awaitJson(AwaitedJob.Status.of(e.state()), e.resultJson(), e.errorJson());
      }
      case REMOVED -> awaitJson(AwaitedJob.Status.REMOVED, null, null);
      case TIMED_OUT -> awaitJson(AwaitedJob.Status.TIMED_OUT, null, null);
      case SUSPEND -> {
        suspend(WaitFor.job(jobId, call.sequence, clock.instant().plus(Duration.between(storeNow, until))));
        throw new AssertionError("suspend returns only by throwing");
      }
    };
    return awaitedOf(write(call, StepRecord.Kind.VALUE, seal(json), 0), jobId, type, call);
  }

  /** The record of an await: {@code {"status":..,"result":<json>|null,"error":<json>|null}}. */
  private static String awaitJson(AwaitedJob.Status status, @Nullable String resultJson, @Nullable String errorJson) {
    boolean succeeded = status == AwaitedJob.Status.SUCCEEDED;
    return "{\"status\":\"" + status + "\",\"result\":" + (succeeded && resultJson != null ? resultJson : "null")
        + ",\"error\":" + (errorJson == null ? "null" : errorJson) + "}";
  }

  /** The stored form of an await's record. */
  record AwaitRecord(String status, tools.jackson.databind.@Nullable JsonNode result,
      tools.jackson.databind.@Nullable JsonNode error) {}

  private <T> AwaitedJob<T> awaitedOf(StepRecord r, String jobId, Class<T> type, Call call) {
    AwaitRecord a = decode(r.resultJson(), AwaitRecord.class, call);
    AwaitedJob.Status status = AwaitedJob.Status.valueOf(a.status());
    T result = present(a.result()) ? Payloads.fromJson(codec, Objects.requireNonNull(a.result()).toString(), type,
        "result of job " + jobId + " awaited by job " + job.id()) : null;
    JobError error = present(a.error()) ? JobError.fromJson(Objects.requireNonNull(a.error()).toString()) : null;
    return new AwaitedJob<>(jobId, status, result, error);
  }

  private static boolean present(tools.jackson.databind.@Nullable JsonNode n) {
    return n != null && !n.isNull();
  }

  @Override
  public Instant now() throws Exception {
    return valueStep(NOW, Instant.class, clock::instant);
  }

  @Override
  public UUID randomUuid() throws Exception {
    return valueStep(UUID_STEP, UUID.class, UUID::randomUUID);
  }

  private static void checkUserName(String name) {
    DurableRules.checkName(name, "step");
    if (name.startsWith(DurableRules.INTERNAL_PREFIX)) {
      throw new IllegalArgumentException("step name '" + name + "' must not start with '"
          + DurableRules.INTERNAL_PREFIX + "' (kept for the durable calls' own records)");
    }
  }

  /** One durable call: its name, occurrence and sequence in this attempt, and its record's key (built once). */
  private static final class Call {
    final String name;
    final int occurrence;
    final int sequence;
    final String key;

    Call(String name, int occurrence, int sequence) {
      this.name = name;
      this.occurrence = occurrence;
      this.sequence = sequence;
      this.key = name + "#" + occurrence;
    }

    String key() {
      return key;
    }
  }

  private <T extends @Nullable Object> T valueStep(String name, Class<T> type, Body<T> body) throws Exception {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(body, "body");
    if (currentKey != null) {
      throw new IllegalStateException("step '" + name + "' called inside step " + currentKey
          + ": steps do not nest");
    }
    Call call = next(name);
    StepRecord done = recorded(call);
    if (done != null) {
      return decode(done.resultJson(), type, call);
    }
    checkRoomFor(call);
    long start = System.nanoTime();
    T value;
    currentKey = call.key();
    try {
      value = body.run();
    } finally {
      currentKey = null;
    }
    long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    String json = Payloads.toJson(codec, value, () -> "result of step " + call.key() + " of job " + job.id());
    StepRecord r = write(call, StepRecord.Kind.VALUE, seal(json), took);
    return r.fence() == job.fence() && r.attempt() == job.attempt() && r.sequence() == call.sequence
        ? value : decode(r.resultJson(), type, call); // EXISTS: a replayed race, the stored value wins
  }

  /** The step limit, checked before a body runs: a retry would meet it again. */
  private void checkRoomFor(Call call) {
    if (tally.steps() >= rules.maxSteps()) {
      throw dead(DurableRules.STEP_LIMIT, "job " + job.id() + " reached its limit of " + rules.maxSteps()
          + " steps at step " + (call.sequence + 1) + " '" + call.name + "'");
    }
  }

  private Call next(String name) {
    checkRunning();
    loaded();
    int occ = occurrences.merge(name, 1, Integer::sum) - 1;
    Call call = new Call(name, occ, sequence++);
    checkDivergence(call);
    return call;
  }

  private void checkRunning() {
    if (f.suspended || f.lost) {
      throw new AttemptStopped("job " + job.id() + ": this attempt has ended (" + (f.lost ? "fenced off"
          : "suspended") + "); no durable call may follow");
    }
  }

  private StepLog loaded() {
    StepLog l = log;
    if (l == null) {
      Optional<StepLog> got = store.load(job.id(), job.fence(), workerId);
      if (got.isEmpty()) {
        throw fenced();
      }
      l = got.get();
      for (StepRecord r : l.steps()) {
        remember(r);
      }
      tally = StepTally.of(l);
      log = l;
    }
    return l;
  }

  private void remember(StepRecord r) {
    bySequence.putIfAbsent(r.sequence(), r);
    byKey.put(r.key(), r);
  }

  private void checkDivergence(Call call) {
    StepRecord there = bySequence.get(call.sequence);
    if (there == null || there.key().equals(call.key())) {
      return;
    }
    String message = "step " + (call.sequence + 1) + " was '" + display(there.name()) + "' in the recorded run, now '"
        + display(call.name) + "'";
    if (rules.onDivergence() == DurableRules.Divergence.FAIL) {
      throw dead(DurableRules.NONDETERMINISTIC, "job " + job.id() + " does not match its recorded steps: "
          + message);
    }
    if (!warned) {
      warned = true;
      LOG.warn("job {} does not match its recorded steps: {}; going on by step name", job.id(), message);
    }
  }

  private static String display(String name) {
    return name.startsWith(DurableRules.INTERNAL_PREFIX) ? name.substring(1) : name;
  }

  private @Nullable StepRecord recorded(Call call) {
    return byKey.get(call.key());
  }

  private StepRecord write(Call call, StepRecord.Kind kind, @Nullable String json, long tookMillis) {
    StepRecord r = new StepRecord(call.name, call.occurrence, call.sequence, kind, json, job.fence(),
        Math.max(1, job.attempt()), tookMillis, Instant.EPOCH);
    StepWrite w = store.record(job.id(), job.fence(), workerId, r, rules, tally);
    return switch (w.status()) {
      case APPLIED, EXISTS -> {
        StepRecord stored = Objects.requireNonNull(w.stored());
        if (w.status() == StepWrite.Status.APPLIED) {
          byKey.put(call.key(), stored); // not by sequence: this attempt's sequence is past it for good
          tally = tally.plus(stored);
        }
        yield stored;
      }
      case FENCED -> throw fenced();
      case LIMIT -> {
        String limit = Objects.requireNonNull(w.limit());
        throw dead(limit, "job " + job.id() + ": step " + (call.sequence + 1) + " '" + display(call.name)
            + "' was refused by the limit " + limit + " (" + rules + ")");
      }
    };
  }

  private void suspend(WaitFor wait) {
    f.suspended = true; // first: whatever ends the execution now, the worker writes no outcome
    if (!suspended(wait)) {
      f.suspended = false;
      throw fenced();
    }
    throw new AttemptStopped("job " + job.id() + " suspended until " + wait.until());
  }

  /** {@link DurableStore#suspend}; a store that refuses the wait leaves the attempt running (and throws). */
  private boolean suspended(WaitFor wait) {
    try {
      return store.suspend(job.id(), job.fence(), workerId, wait, clock.instant());
    } catch (RuntimeException e) {
      f.suspended = false;
      throw e;
    }
  }

  private AttemptStopped fenced() {
    f.lost = true;
    return new AttemptStopped("job " + job.id() + ": this worker no longer holds it (fenced off); the attempt"
        + " stops and its results are discarded");
  }

  private DurableJobException dead(String reason, String message) {
    DurableJobException e = new DurableJobException(reason, message);
    f.deadBy = e;
    return e;
  }

  private @Nullable String seal(@Nullable String json) {
    return json != null && f.sealed && ring != null ? Sealing.sealResult(ring, job.task(), json) : json;
  }

  private <T extends @Nullable Object> T decode(@Nullable String json, Class<T> type, Call call) {
    String plain = Sealing.openResult(ring, job.task(), Objects.requireNonNull(json, "a value step's result"));
    return Payloads.fromJson(codec, plain, type, "recorded result of step " + call.key() + " of job " + job.id());
  }

  private <T> @Nullable T decodeNullable(@Nullable String json, Class<T> type, Call call) {
    return json == null ? null : decode(json, type, call);
  }
}
