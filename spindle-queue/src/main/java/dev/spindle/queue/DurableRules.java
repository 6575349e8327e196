package dev.spindle.queue;

import dev.spindle.queue.spi.SignalResult;
import dev.spindle.queue.spi.StepWrite;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The decisions of durable execution, written once as data beside {@link JobState} and {@link
 * JobRules}: what a store answers to a step write and a signal, the limits it enforces, and what a
 * worker does when a job's code no longer matches its records. Stores read it directly (memory, SQL)
 * or render it (Lua). Immutable; thread-safe. Build with {@link #builder()}; {@link #defaults()}.
 *
 * <table>
 *   <caption>A step write ({@link #onRecord}), first matching row</caption>
 *   <tr><th>situation</th><th>answer</th><th>worker does</th></tr>
 *   <tr><td>job not RUNNING under the caller's worker and fence</td><td>FENCED</td>
 *       <td>stops the attempt, discards its results</td></tr>
 *   <tr><td>(name, occurrence) recorded</td><td>EXISTS + the stored record</td>
 *       <td>returns the stored value</td></tr>
 *   <tr><td>over {@link #maxSteps}, {@link #maxResultBytes} or {@link #maxJobBytes}</td>
 *       <td>LIMIT(reason)</td><td>ends the job DEAD with the reason</td></tr>
 *   <tr><td>otherwise</td><td>APPLIED</td><td>returns the value</td></tr>
 * </table>
 *
 * <table>
 *   <caption>A signal ({@link #onSignal}), first matching row</caption>
 *   <tr><th>situation</th><th>answer</th></tr>
 *   <tr><td>no such job</td><td>NO_SUCH_JOB</td></tr>
 *   <tr><td>job SUCCEEDED, FAILED, DEAD or CANCELLED</td><td>FINISHED (nothing stored)</td></tr>
 *   <tr><td>{@link #maxPendingSignals} signals not yet taken</td><td>FULL (nothing stored)</td></tr>
 *   <tr><td>job SCHEDULED on a wait for this name</td><td>WOKE (SCHEDULED to QUEUED)</td></tr>
 *   <tr><td>otherwise</td><td>STORED</td></tr>
 * </table>
 *
 * <table>
 *   <caption>An awaited job ({@link #onAwait}), looked at by the waiting job's call, first matching row</caption>
 *   <tr><th>awaited job</th><th>answer</th></tr>
 *   <tr><td>no such job, and the call has not waited for it yet</td><td>NO_SUCH_JOB (the call throws)</td></tr>
 *   <tr><td>no such job, after the call began waiting</td><td>REMOVED</td></tr>
 *   <tr><td>SUCCEEDED, FAILED, DEAD or CANCELLED</td><td>that end, recorded</td></tr>
 *   <tr><td>not ended, the wait's timeout has come</td><td>TIMED_OUT, recorded</td></tr>
 *   <tr><td>otherwise</td><td>SUSPEND (the job waits without a slot)</td></tr>
 * </table>
 *
 * <p>A store moves a job suspended on the end of job X SCHEDULED to QUEUED when X ends, in the
 * same atomic step as X's end, and a suspension on a job that has already ended or is gone ({@link
 * #awaitedIsOver}) leaves the job QUEUED: no wake-up is lost.
 *
 * <p>Replay: when the k-th durable call of an attempt has another name than the record of sequence
 * k, {@link #onDivergence} decides: {@link Divergence#FAIL} (the default) ends the job DEAD with
 * reason {@link #NONDETERMINISTIC}; {@link Divergence#WARN} logs and goes on by name.
 *
 * <p>Defaults: 1,000 steps per job (at most 10,000), 256 KiB per step result, 8 MiB per job, 100
 * pending signals, 64 KiB per signal payload, sleeps under 1 s in place.
 */
public final class DurableRules {
  /** Dead reason: the job called more steps than {@link #maxSteps}. */
  public static final String STEP_LIMIT = "step_limit";
  /** Dead reason: one step result was larger than {@link #maxResultBytes}. */
  public static final String STEP_RESULT_TOO_LARGE = "step_result_too_large";
  /** Dead reason: the job's step results together passed {@link #maxJobBytes}. */
  public static final String STEP_BYTES_LIMIT = "step_bytes_limit";
  /** Dead reason: the job's code no longer matches its records ({@link Divergence#FAIL}). */
  public static final String NONDETERMINISTIC = "nondeterministic";
  /** The longest step or signal name, in characters. */
  public static final int MAX_NAME_LENGTH = 200;
  /** The most steps a job may be allowed. */
  public static final int MAX_STEPS_CEILING = 10_000;

  /** What a worker does when a job's code no longer matches its records. */
  public enum Divergence {
    /** End the job DEAD with reason {@link #NONDETERMINISTIC} and an error naming the first mismatch. */
    FAIL,
    /** Log the first mismatch and go on: steps are found by name and occurrence. */
    WARN
  }

  private static final DurableRules DEFAULTS = builder().build();

  private final int maxSteps;
  private final int maxResultBytes;
  private final long maxJobBytes;
  private final int maxPendingSignals;
  private final int maxSignalBytes;
  private final Duration inlineSleep;
  private final Duration parkedSleep;
  private final int maxParkedSleeps;
  private final Divergence onDivergence;

  private DurableRules(Builder b) {
    this.maxSteps = b.maxSteps;
    this.maxResultBytes = b.maxResultBytes;
    this.maxJobBytes = b.maxJobBytes;
    this.maxPendingSignals = b.maxPendingSignals;
    this.maxSignalBytes = b.maxSignalBytes;
    this.inlineSleep = b.inlineSleep;
    this.parkedSleep = b.parkedSleep;
    this.maxParkedSleeps = b.maxParkedSleeps;
    this.onDivergence = b.onDivergence;
  }

  /** The default rules. */
  public static DurableRules defaults() {
    return DEFAULTS;
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** The most step records per job (timers, signals and recorded values included). */
  public int maxSteps() {
    return maxSteps;
  }

  /** The largest step result, in bytes of UTF-8 JSON. */
  public int maxResultBytes() {
    return maxResultBytes;
  }

  /** The most bytes of step results per job. */
  public long maxJobBytes() {
    return maxJobBytes;
  }

  /** The most signals a job keeps that it has not taken yet. */
  public int maxPendingSignals() {
    return maxPendingSignals;
  }

  /** The largest signal payload, in bytes of UTF-8 JSON. */
  public int maxSignalBytes() {
    return maxSignalBytes;
  }

  /** Sleeps shorter than this run in place, holding the job's slot, instead of suspending the job. */
  public Duration inlineSleep() {
    return inlineSleep;
  }

  /**
   * The longest sleep a job waits out inside a virtual-thread worker with its slot given back (it keeps
   * its lease; a crash or a stopping worker leaves the timer to the store); longer sleeps suspend the
   * job in the store. Zero turns parking off.
   */
  public Duration parkedSleep() {
    return parkedSleep;
  }

  /** The most jobs one worker keeps parked in a sleep ({@link #parkedSleep}); more suspend. */
  public int maxParkedSleeps() {
    return maxParkedSleeps;
  }

  /** What a mismatch between code and records does. */
  public Divergence onDivergence() {
    return onDivergence;
  }

  /**
   * The answer to a step write: the first row of the table that matches.
   *
   * @param held the job is RUNNING under the caller's worker and fence
   * @param exists a record of the same name and occurrence is stored
   * @param steps how many records the job holds
   * @param jobBytes the bytes of the job's stored results
   * @param resultBytes the bytes of the new result
   * @return the status, and for LIMIT the reason ({@link #limitExceeded})
   */
  public StepWrite.Status onRecord(boolean held, boolean exists, int steps, long jobBytes, int resultBytes) {
    if (!held) {
      return StepWrite.Status.FENCED;
    }
    if (exists) {
      return StepWrite.Status.EXISTS;
    }
    return limitExceeded(steps, jobBytes, resultBytes) != null ? StepWrite.Status.LIMIT : StepWrite.Status.APPLIED;
  }

  /**
   * The limit a new record would pass, or {@code null}: {@link #STEP_LIMIT} if the job holds {@link
   * #maxSteps} records, {@link #STEP_RESULT_TOO_LARGE} if the result passes {@link #maxResultBytes},
   * {@link #STEP_BYTES_LIMIT} if the job's results would pass {@link #maxJobBytes}.
   */
  public @Nullable String limitExceeded(int steps, long jobBytes, int resultBytes) {
    if (steps >= maxSteps) {
      return STEP_LIMIT;
    }
    if (resultBytes > maxResultBytes) {
      return STEP_RESULT_TOO_LARGE;
    }
    if (jobBytes + resultBytes > maxJobBytes) {
      return STEP_BYTES_LIMIT;
    }
    return null;
  }

  /**
   * The answer to a signal: the first row of the table that matches.
   *
   * @param state the job's state, or {@code null} if there is no such job
   * @param pending the signals the job keeps and has not taken
   * @param waitsForIt the job is SCHEDULED on a wait this signal ends
   */
  public SignalResult onSignal(@Nullable JobState state, int pending, boolean waitsForIt) {
    if (state == null) {
      return SignalResult.NO_SUCH_JOB;
    }
    if (state.isTerminal()) {
      return SignalResult.FINISHED;
    }
    if (pending >= maxPendingSignals) {
      return SignalResult.FULL;
    }
    return waitsForIt && state == JobState.SCHEDULED ? SignalResult.WOKE : SignalResult.STORED;
  }

  /** What a call awaiting another job does now ({@link #onAwait}). */
  public enum AwaitAnswer {
    /** The awaited job does not exist and was never awaited by this call: a clear error. */
    NO_SUCH_JOB,
    /** It ended: its end is recorded and returned. */
    ENDED,
    /** It was removed while awaited: recorded and returned. */
    REMOVED,
    /** The timeout came first: recorded and returned. */
    TIMED_OUT,
    /** Suspend until it ends or the timeout comes. */
    SUSPEND
  }

  /**
   * The answer to a call awaiting another job: the first row of the table that matches.
   *
   * @param state the awaited job's state, or {@code null} if there is no such job
   * @param waitBegan this call suspended on that job before (a resumed attempt)
   * @param timeoutCome the wait's timeout is not after the store's time
   */
  public static AwaitAnswer onAwait(@Nullable JobState state, boolean waitBegan, boolean timeoutCome) {
    if (state == null) {
      return waitBegan ? AwaitAnswer.REMOVED : AwaitAnswer.NO_SUCH_JOB;
    }
    if (state.isTerminal()) {
      return AwaitAnswer.ENDED;
    }
    return timeoutCome ? AwaitAnswer.TIMED_OUT : AwaitAnswer.SUSPEND;
  }

  /**
   * True if a job suspending on the end of a job in {@code state} ({@code null}: gone) must stay
   * QUEUED instead: the end it would wait for has already happened.
   */
  public static boolean awaitedIsOver(@Nullable JobState state) {
    return state == null || state.isTerminal();
  }

  /** The record name of an await of job {@code jobId}: {@code ~job:<id>}. */
  public static String jobStepName(String jobId) {
    return INTERNAL_PREFIX + "job:" + jobId;
  }

  /**
   * Checks a signal before anything is stored.
   *
   * @throws IllegalArgumentException if the name is invalid or the payload passes {@link #maxSignalBytes}
   */
  public void checkSignal(String name, String payloadJson) {
    checkName(name, "signal");
    int bytes = dev.spindle.queue.spi.StepRecord.utf8Length(payloadJson);
    if (bytes > maxSignalBytes) {
      throw new IllegalArgumentException("signal '" + name + "' payload is " + bytes + " bytes; the limit is "
          + maxSignalBytes);
    }
  }

  /** The prefix of the names of records the durable calls make themselves (timers, signals, values). */
  public static final String INTERNAL_PREFIX = "~";

  /** The record name of a taken signal {@code signal}: {@code ~signal:<name>}. */
  public static String signalStepName(String signal) {
    return INTERNAL_PREFIX + "signal:" + signal;
  }

  /**
   * True if {@code step} took a signal (a {@link dev.spindle.queue.spi.StepRecord.Kind#SIGNAL} record
   * with a payload): what the pending count of {@link #onSignal} subtracts.
   */
  public static boolean tookSignal(dev.spindle.queue.spi.StepRecord step) {
    return step.kind() == dev.spindle.queue.spi.StepRecord.Kind.SIGNAL && step.resultJson() != null;
  }

  /**
   * Checks a step or signal name: not blank, at most {@link #MAX_NAME_LENGTH} characters, no
   * {@code #} or {@code /}.
   *
   * @param what "step" or "signal", for the message
   * @throws IllegalArgumentException if it is not valid
   */
  public static void checkName(String name, String what) {
    Objects.requireNonNull(name, what + " name");
    if (name.isBlank() || name.length() > MAX_NAME_LENGTH || name.indexOf('#') >= 0 || name.indexOf('/') >= 0) {
      throw new IllegalArgumentException(what + " name '" + abbreviate(name) + "' is invalid: 1 to "
          + MAX_NAME_LENGTH + " characters, not blank, without '#' or '/'");
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }

  @Override
  public String toString() {
    return "DurableRules[maxSteps=" + maxSteps + ", maxResultBytes=" + maxResultBytes + ", maxJobBytes="
        + maxJobBytes + ", maxPendingSignals=" + maxPendingSignals + ", maxSignalBytes=" + maxSignalBytes
        + ", inlineSleep=" + inlineSleep + ", parkedSleep=" + parkedSleep + ", maxParkedSleeps=" + maxParkedSleeps
        + ", onDivergence=" + onDivergence + "]";
  }

  /** Builds {@link DurableRules}; starts from the defaults. Not thread-safe. */
  public static final class Builder {
    private int maxSteps = 1_000;
    private int maxResultBytes = 256 * 1024;
    private long maxJobBytes = 8L * 1024 * 1024;
    private int maxPendingSignals = 100;
    private int maxSignalBytes = 64 * 1024;
    private Duration inlineSleep = Duration.ofSeconds(1);
    private Duration parkedSleep = Duration.ofMinutes(1);
    private int maxParkedSleeps = 10_000;
    private Divergence onDivergence = Divergence.FAIL;

    private Builder() {
    }

    /** Steps per job, 1 to {@link #MAX_STEPS_CEILING}. */
    public Builder maxSteps(int n) {
      this.maxSteps = checkRange("maxSteps", n, 1, MAX_STEPS_CEILING);
      return this;
    }

    /** Bytes per step result, at least 1. */
    public Builder maxResultBytes(int n) {
      this.maxResultBytes = checkRange("maxResultBytes", n, 1, Integer.MAX_VALUE);
      return this;
    }

    /** Bytes of step results per job, at least 1. */
    public Builder maxJobBytes(long n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxJobBytes must be >= 1: " + n);
      }
      this.maxJobBytes = n;
      return this;
    }

    /** Signals a job keeps untaken, at least 1. */
    public Builder maxPendingSignals(int n) {
      this.maxPendingSignals = checkRange("maxPendingSignals", n, 1, Integer.MAX_VALUE);
      return this;
    }

    /** Bytes per signal payload, at least 1. */
    public Builder maxSignalBytes(int n) {
      this.maxSignalBytes = checkRange("maxSignalBytes", n, 1, Integer.MAX_VALUE);
      return this;
    }

    /** Sleeps shorter than this run in place; zero or more. */
    public Builder inlineSleep(Duration d) {
      this.inlineSleep = notNegative("inlineSleep", d);
      return this;
    }

    /** The longest sleep that parks in a virtual-thread worker, zero (off) or more; default one minute. */
    public Builder parkedSleep(Duration d) {
      this.parkedSleep = notNegative("parkedSleep", d);
      return this;
    }

    /** Jobs one worker keeps parked in a sleep, zero (off) or more; default 10,000. */
    public Builder maxParkedSleeps(int n) {
      this.maxParkedSleeps = checkRange("maxParkedSleeps", n, 0, Integer.MAX_VALUE);
      return this;
    }

    /** What a mismatch between code and records does. */
    public Builder onDivergence(Divergence d) {
      this.onDivergence = Objects.requireNonNull(d, "onDivergence");
      return this;
    }

    /** The rules. */
    public DurableRules build() {
      return new DurableRules(this);
    }

    private static Duration notNegative(String what, Duration d) {
      Objects.requireNonNull(d, what);
      if (d.isNegative()) {
        throw new IllegalArgumentException(what + " must not be negative: " + d);
      }
      return d;
    }

    private static int checkRange(String what, int n, int min, int max) {
      if (n < min || n > max) {
        throw new IllegalArgumentException(what + " must be " + min + " to " + max + ": " + n);
      }
      return n;
    }
  }
}
