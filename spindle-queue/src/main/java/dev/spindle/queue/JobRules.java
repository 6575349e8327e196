package dev.spindle.queue;

import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.MinuteStats;
import dev.spindle.queue.spi.RetentionLimits;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The rules every store applies besides {@link JobState}'s transition table, written once as data:
 * how finished jobs are kept, where each {@link Completion.Outcome} moves a running job, and which
 * per-minute counter ({@link MinuteStats}) a move adds to. The stores render these tables into
 * their own encodings (SQL conditions, Lua tables) or read them directly (memory); each encoding is
 * tested against them. Stateless; thread-safe.
 *
 * <table>
 *   <caption>Finished jobs: how each terminal state is kept</caption>
 *   <tr><th>end</th><th>{@link Kept}</th><th>count limit</th><th>time to live</th></tr>
 *   <tr><td>SUCCEEDED, CANCELLED</td><td>{@link Kept#AS_SUCCEEDED}</td>
 *       <td>{@link RetentionLimits#maxSucceeded()}</td><td>{@link JobPolicy#resultTtl()}</td></tr>
 *   <tr><td>FAILED, DEAD</td><td>{@link Kept#AS_FAILED}</td>
 *       <td>{@link RetentionLimits#maxFailed()}</td><td>{@link JobPolicy#failureTtl()}</td></tr>
 * </table>
 *
 * <table>
 *   <caption>A completion's outcome and the state it moves its RUNNING job to</caption>
 *   <tr><th>outcome</th><th>state</th><th>failures</th></tr>
 *   <tr><td>SUCCEEDED</td><td>SUCCEEDED</td><td></td></tr>
 *   <tr><td>RETRY</td><td>SCHEDULED if its retry time is still ahead, else QUEUED</td><td>+ 1</td></tr>
 *   <tr><td>FAILED</td><td>FAILED</td><td>+ 1</td></tr>
 *   <tr><td>DEAD</td><td>DEAD</td><td></td></tr>
 *   <tr><td>CANCELLED</td><td>CANCELLED</td><td></td></tr>
 *   <tr><td>RELEASED</td><td>CANCELLED if a cancel was requested, else QUEUED (attempt not
 *       counted)</td><td></td></tr>
 * </table>
 */
public final class JobRules {
  /** How a finished job is kept: which retention limit counts it and which time to live it gets. */
  public enum Kept {
    /** Kept like a success: counted by {@link RetentionLimits#maxSucceeded()}, kept for the result TTL. */
    AS_SUCCEEDED,
    /** Kept like a failure: counted by {@link RetentionLimits#maxFailed()}, kept for the failure TTL. */
    AS_FAILED;

    /** The most finished jobs of this kind {@code limits} keep. */
    public long limit(RetentionLimits limits) {
      return this == AS_SUCCEEDED ? limits.maxSucceeded() : limits.maxFailed();
    }

    /** How long {@code policy} keeps a job of this kind after it finished. */
    public Duration ttl(JobPolicy policy) {
      return this == AS_SUCCEEDED ? policy.resultTtl() : policy.failureTtl();
    }

    /** The terminal states kept this way, in {@link JobState} order. */
    public Set<JobState> states() {
      Set<JobState> s = EnumSet.noneOf(JobState.class);
      KEPT.forEach((state, kept) -> {
        if (kept == this) {
          s.add(state);
        }
      });
      return Collections.unmodifiableSet(s);
    }
  }

  /** The circumstances of a completion its target state depends on. */
  public enum Circumstance {
    /** Nothing particular: a retry whose time has come, no cancel requested. */
    PLAIN,
    /** The retry time is still ahead of the store's now. */
    RETRY_AHEAD,
    /** A cancel was requested while the job ran. */
    CANCEL_REQUESTED
  }

  private static final Map<JobState, Kept> KEPT = new EnumMap<>(Map.of(
      JobState.SUCCEEDED, Kept.AS_SUCCEEDED, JobState.CANCELLED, Kept.AS_SUCCEEDED,
      JobState.FAILED, Kept.AS_FAILED, JobState.DEAD, Kept.AS_FAILED));

  private static final Map<JobState, Integer> END_COUNTER = new EnumMap<>(Map.of(
      JobState.SUCCEEDED, MinuteStats.SUCCEEDED, JobState.FAILED, MinuteStats.FAILED,
      JobState.DEAD, MinuteStats.DEAD, JobState.CANCELLED, MinuteStats.CANCELLED));

  private static final Map<Completion.Outcome, Map<Circumstance, JobState>> AFTER = outcomes();

  private static Map<Completion.Outcome, Map<Circumstance, JobState>> outcomes() {
    Map<Completion.Outcome, Map<Circumstance, JobState>> m = new EnumMap<>(Completion.Outcome.class);
    m.put(Completion.Outcome.SUCCEEDED, always(JobState.SUCCEEDED));
    m.put(Completion.Outcome.RETRY, with(always(JobState.QUEUED), Circumstance.RETRY_AHEAD, JobState.SCHEDULED));
    m.put(Completion.Outcome.FAILED, always(JobState.FAILED));
    m.put(Completion.Outcome.DEAD, always(JobState.DEAD));
    m.put(Completion.Outcome.CANCELLED, always(JobState.CANCELLED));
    m.put(Completion.Outcome.RELEASED,
        with(always(JobState.QUEUED), Circumstance.CANCEL_REQUESTED, JobState.CANCELLED));
    for (Map<Circumstance, JobState> row : m.values()) {
      row.forEach((c, to) -> JobState.checkTransition("(any RUNNING job)", JobState.RUNNING, to));
    }
    return m;
  }

  private static Map<Circumstance, JobState> always(JobState to) {
    Map<Circumstance, JobState> row = new EnumMap<>(Circumstance.class);
    for (Circumstance c : Circumstance.values()) {
      row.put(c, to);
    }
    return row;
  }

  private static Map<Circumstance, JobState> with(Map<Circumstance, JobState> row, Circumstance c, JobState to) {
    row.put(c, to);
    return row;
  }

  private JobRules() {}

  /**
   * How a job that ended in {@code terminal} is kept.
   *
   * @throws IllegalArgumentException if {@code terminal} is not a terminal state
   */
  public static Kept keptAs(JobState terminal) {
    Kept k = KEPT.get(terminal);
    if (k == null) {
      throw new IllegalArgumentException(terminal + " is not a terminal state; only finished jobs are kept");
    }
    return k;
  }

  /** True for the terminal states kept {@link Kept#AS_SUCCEEDED} (SUCCEEDED, CANCELLED). */
  public static boolean isSuccessLike(JobState s) {
    return KEPT.get(s) == Kept.AS_SUCCEEDED;
  }

  /** True for the terminal states kept {@link Kept#AS_FAILED} (FAILED, DEAD). */
  public static boolean isFailureLike(JobState s) {
    return KEPT.get(s) == Kept.AS_FAILED;
  }

  /** The state a RUNNING job moves to when a completion with {@code outcome} applies in {@code circumstance}. */
  public static JobState stateAfter(Completion.Outcome outcome, Circumstance circumstance) {
    Map<Circumstance, JobState> row = Objects.requireNonNull(AFTER.get(outcome), "every outcome is in the table");
    return Objects.requireNonNull(row.get(circumstance), "every circumstance is in the table");
  }

  /**
   * The state a RUNNING job moves to when a completion with {@code outcome} applies.
   *
   * @param retryAhead the retry time is after the store's now (matters for RETRY only)
   * @param cancelRequested a cancel was requested while it ran (matters for RELEASED only)
   */
  public static JobState stateAfter(Completion.Outcome outcome, boolean retryAhead, boolean cancelRequested) {
    Circumstance c = retryAhead && outcome == Completion.Outcome.RETRY ? Circumstance.RETRY_AHEAD
        : cancelRequested && outcome == Completion.Outcome.RELEASED ? Circumstance.CANCEL_REQUESTED
        : Circumstance.PLAIN;
    return stateAfter(outcome, c);
  }

  /** True if the outcome counts one failure more on the job (RETRY, FAILED). */
  public static boolean countsFailure(Completion.Outcome outcome) {
    return outcome == Completion.Outcome.RETRY || outcome == Completion.Outcome.FAILED;
  }

  /** The per-minute counter ({@link MinuteStats}) a move to {@code to} adds one to; none for non-terminal moves. */
  public static OptionalInt endCounter(JobState to) {
    Integer c = END_COUNTER.get(to);
    return c == null ? OptionalInt.empty() : OptionalInt.of(c);
  }

  /**
   * The counter of a terminal state.
   *
   * @throws IllegalArgumentException if {@code terminal} is not terminal
   */
  public static int endCounterOf(JobState terminal) {
    return endCounter(terminal).orElseThrow(() -> new IllegalArgumentException(terminal + " is not an end"));
  }
}
