package dev.spindle.store.jdbc.internal;

import dev.spindle.PayloadException;
import dev.spindle.queue.JobError;
import dev.spindle.queue.JobRules;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.AttemptOutcome;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.MinuteStats;
import dev.spindle.queue.spi.RefusedWrite;
import dev.spindle.queue.spi.StoreClock;
import dev.spindle.store.jdbc.JdbcConn;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The completion path of a SQL store, inside the caller's write transaction: the rules, written
 * once (a result over the payload limit fails its job, a retry is SCHEDULED or QUEUED by its time,
 * every move is checked against {@link JobState}'s table, a release whose job's cancel was
 * requested cancels it), then the store's {@link Applier} writes the fenced moves its way (JDBC
 * batches on SQLite, column arrays in rounds on PostgreSQL), then the ends are counted and the
 * finished jobs' dependents released together. A completion applies only while its job is RUNNING
 * under the completion's fence and worker. Thread-safe.
 *
 * @param <C> the store's connection type
 */
public final class SqlCompletions<C extends JdbcConn> {
  /** The statement a completion is applied by. */
  public enum Group {
    /** RUNNING to SUCCEEDED, with the result. */
    SUCCEEDED,
    /** RUNNING to SCHEDULED or QUEUED ({@link Planned#to}), one failure more. */
    RETRY,
    /** RUNNING to FAILED or DEAD ({@link Planned#to}). */
    FAILED,
    /** RUNNING to CANCELLED; for a release only if its cancel was requested (else it is released). */
    CANCELLED
  }

  /**
   * One completion as the rules planned it.
   *
   * @param completion the completion (a success whose result is too large already turned into a failure)
   * @param id the job's id
   * @param to the state it moves to (for a release not cancelled: QUEUED)
   * @param runAtUs for a retry, when it runs again (us since the epoch); else 0
   */
  public record Planned(Completion completion, long id, Group group, JobState to, long runAtUs) {
    /** True for a release (handed back unless its cancel was requested). */
    public boolean release() {
      return completion.outcome() == Completion.Outcome.RELEASED;
    }

    /** 1 for a failure that counts ({@code FAILED}), 0 for DEAD. */
    public int failureIncrement() {
      return completion.outcome() == Completion.Outcome.DEAD ? 0 : 1;
    }

    /** The dead reason, for a DEAD completion; else null. */
    public @org.jspecify.annotations.Nullable String deadReason() {
      return completion.outcome() == Completion.Outcome.DEAD ? completion.deadReason() : null;
    }
  }

  /** How a completion turned out in the store. */
  public enum Applied {
    /** Fenced off (no longer held under its fence and worker) or refused. */
    NO,
    /** Moved by its group's statement: counted, and an end unless a retry. */
    MOVED,
    /** Applied without a move of its group: a release handed back, or a success an earlier commit already made. */
    OTHERWISE
  }

  /** Writes a call's planned completions the store's way. Used for one call at a time. */
  public interface Applier<C extends JdbcConn> {
    /**
     * Applies {@code planned} in {@code c}'s transaction ({@code now}: the store's time, us); per
     * completion, how it turned out.
     */
    Applied[] apply(C c, List<Planned> planned, long now) throws SQLException;

    /**
     * Whether any of the finished jobs may have dependents (asked only when jobs finished): false
     * skips their release. Default: {@code deps} looks, in a statement of its own. A store whose
     * statements already told may answer from that, if they read after their row updates with a
     * snapshot of their own (a statement's own snapshot misses the edges of transactions it waited
     * for: see {@link SqlWaits}).
     */
    default boolean anyDependencies(C c, SqlDependencies<C> deps) throws SQLException {
      return deps.any(c);
    }

    /** After finished jobs' dependents were released. */
    default void dependentsReleased() {}
  }

  /**
   * How a store writes a call's completions: the {@link Applier} of each write transaction (a JDBC
   * batch per outcome, or column arrays in rounds), and what it does when such a transaction failed
   * or committed. Implementations are thread-safe.
   *
   * @param <C> the store's connection type
   */
  public interface Writes<C extends JdbcConn> {
    /**
     * The applier of one call's completions, at the start of {@code c}'s write transaction.
     *
     * @param again true when the call runs again after {@link #runsAgain} accepted its failure
     */
    Applier<C> start(C c, boolean again) throws SQLException;

    /** Whether a call that failed with {@code e} (rolled back) runs once more, another way. Default: no. */
    default boolean runsAgain(dev.spindle.queue.StoreException e) {
      return false;
    }

    /** After a call's transaction committed. Default: nothing. */
    default void afterCommit() {}
  }

  private final Clock clock;
  private final SqlDependencies<C> deps;
  private final SqlJobEnds.Numbering<C> counters;
  private final int maxPayloadBytes;
  private final SqlAttempts<C> attempts;

  /**
   * @param counters adds the statistics
   * @param maxPayloadBytes a larger result fails its job instead (see {@link SqlEnqueue#tooLarge})
   * @param attempts the ledger each completion closes its attempt in (or records its refusal)
   */
  public SqlCompletions(Clock clock, SqlDependencies<C> deps, SqlJobEnds.Numbering<C> counters, int maxPayloadBytes,
      SqlAttempts<C> attempts) {
    this.clock = clock;
    this.deps = deps;
    this.counters = counters;
    this.maxPayloadBytes = maxPayloadBytes;
    this.attempts = attempts;
  }

  /**
   * Applies {@code completions} in {@code c}'s transaction through {@code applier}: fenced, the
   * finished jobs' dependents released together, statistics added.
   *
   * @return per completion, whether it applied (false: fenced off)
   */
  public List<Boolean> complete(C c, List<Completion> completions, Instant callerNow, Applier<C> applier)
      throws SQLException {
    StoreClock sc = StoreClock.read(clock, callerNow);
    long now = SqlJobRows.micros(sc.now());
    int n = completions.size();
    List<Planned> planned = new ArrayList<>(n);
    for (Completion k : completions) {
      planned.add(plan(k, sc, now));
    }
    Applied[] outcome = applier.apply(c, planned, now);
    List<Boolean> applied = new ArrayList<>(n);
    Map<Integer, Long> stats = new HashMap<>();
    List<Long> finished = new ArrayList<>();
    List<SqlAttempts.Ended> ledger = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Planned p = planned.get(i);
      Completion k = p.completion();
      ledger.add(new SqlAttempts.Ended(p.id(), k.fence(), k.workerId(), AttemptOutcome.of(k.outcome()),
          k.errorJson(), outcome[i] != Applied.NO, RefusedWrite.completion(k.outcome())));
      if (outcome[i] == Applied.MOVED) {
        stats.merge(counter(p), 1L, Long::sum);
        if (p.group() != Group.RETRY) {
          finished.add(p.id());
        }
      }
      applied.add(outcome[i] != Applied.NO);
    }
    if (!finished.isEmpty() && applier.anyDependencies(c, deps)) {
      deps.endedAll(c, finished, sc.now()); // the batch's ends together: a dependent counts down once
      applier.dependentsReleased();
    }
    attempts.closed(c, ledger, now);
    counters.addStats(c, sc.now(), stats);
    return applied;
  }

  private Planned plan(Completion completion, StoreClock sc, long now) {
    Completion k = completion;
    if (k.outcome() == Completion.Outcome.SUCCEEDED && SqlEnqueue.tooLarge(k.resultJson(), maxPayloadBytes)) {
      PayloadException pe = new PayloadException("the result of job " + k.jobId() + " is larger than the "
          + "store's limit of " + maxPayloadBytes + " bytes; return a reference instead of the data");
      k = Completion.failed(k.jobId(), k.fence(), k.workerId(), JobError.from(pe).toJson());
    }
    long id = Long.parseLong(k.jobId());
    return switch (k.outcome()) {
      case SUCCEEDED -> new Planned(k, id, Group.SUCCEEDED, JobState.SUCCEEDED, 0);
      case RETRY -> {
        long at = SqlJobRows.micros(sc.translate(Objects.requireNonNull(k.retryAt(), "retryAt of a RETRY completion")));
        JobState to = JobRules.stateAfter(k.outcome(), at > now, false);
        JobState.checkTransition(k.jobId(), JobState.RUNNING, to);
        yield new Planned(k, id, Group.RETRY, to, at);
      }
      case FAILED, DEAD -> {
        JobState to = JobRules.stateAfter(k.outcome(), false, false);
        JobState.checkTransition(k.jobId(), JobState.RUNNING, to);
        yield new Planned(k, id, Group.FAILED, to, 0);
      }
      // a released job whose cancel was requested is cancelled instead of running again
      case CANCELLED, RELEASED -> new Planned(k, id, Group.CANCELLED,
          k.outcome() == Completion.Outcome.RELEASED ? JobState.QUEUED : JobState.CANCELLED, 0);
    };
  }

  private static int counter(Planned p) {
    return switch (p.group()) {
      case SUCCEEDED -> MinuteStats.SUCCEEDED;
      case RETRY -> MinuteStats.RETRIED;
      case FAILED -> p.to() == JobState.DEAD ? MinuteStats.DEAD : MinuteStats.FAILED;
      case CANCELLED -> MinuteStats.CANCELLED;
    };
  }
}
