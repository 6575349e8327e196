package dev.spindle.store.postgres;

import dev.spindle.queue.StoreException;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.ClaimResult;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.Exchange;
import dev.spindle.queue.spi.JobStore;
import dev.spindle.store.jdbc.internal.SqlFlow;
import dev.spindle.store.postgres.internal.Db;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The workers' round trips to {@link PostgresJobStore}: a claim ({@link PostgresClaims}), a call's
 * completions ({@link PostgresCompletions}), each in one write transaction, and both in one call as
 * two transactions. After completions, flow control learns which jobs ended and the store signals
 * the change. Thread-safe (stateless apart from its collaborators).
 */
final class PostgresExchange {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresJobStore.class);

  private final Db db;
  private final PostgresClaims claims;
  private final PostgresCompletions completer;
  private final SqlFlow<Db.Conn> flow;
  private final ClaimPositions positions;
  private final Runnable changed;

  /** @param changed signals a committed change (this process's listeners, other processes by NOTIFY) */
  PostgresExchange(Db db, PostgresClaims claims, PostgresCompletions completer, SqlFlow<Db.Conn> flow,
      ClaimPositions positions, Runnable changed) {
    this.db = db;
    this.claims = claims;
    this.completer = completer;
    this.flow = flow;
    this.positions = positions;
    this.changed = changed;
  }

  /** {@link JobStore#claim}. */
  ClaimResult claim(ClaimRequest request) {
    return db.write("claim jobs", c -> claims.claimTx(c, request));
  }

  /** {@link JobStore#complete}. */
  List<Boolean> complete(List<Completion> completions, Instant now) {
    if (completions.isEmpty()) {
      return List.of();
    }
    String operation = "complete " + completions.size() + " job(s)";
    List<Boolean> r;
    try {
      r = db.write(operation, c -> completer.completeTx(c, completions, now, true));
    } catch (StoreException e) {
      if (e.reason() != StoreException.Reason.DISK_FULL || !completer.moves()) {
        throw e;
      }
      // the history's copy of a row needs room that finishing it in place does not (large arguments
      // are written again): on a full disk the jobs finish in the hot table, as before a move
      r = db.write(operation, c -> completer.completeTx(c, completions, now, false));
    }
    completer.afterCommit();
    flowEnded(completions);
    changed.run();
    return r;
  }

  /** {@link JobStore#completeAndClaim}: the completions first, then the claim, in two transactions. */
  Exchange completeAndClaim(List<Completion> completions, @Nullable ClaimRequest request, Instant now) {
    if (completions.isEmpty() && request == null) {
      return new Exchange(List.of(), ClaimResult.empty());
    }
    if (request == null) {
      return new Exchange(complete(completions, now), ClaimResult.empty());
    }
    if (completions.isEmpty()) {
      return new Exchange(List.of(), claim(request));
    }
    // two transactions: a completion releases flow permits (locking its keys' rows) and a claim takes
    // permits; in one transaction two workers could each hold a key row the other's claim needs, a
    // lock-order deadlock (PostgresFlowDeadlockTest counts the server's deadlocks)
    List<Boolean> applied = complete(completions, now);
    try {
      return new Exchange(applied, claim(request));
    } catch (StoreException e) {
      // the completions are committed: thrown, their flags were lost, and the worker's retry of them
      // was fenced off (an applied failure, retry or release reported as a lost lease); the claim is
      // made again by the worker's next call, which reports the error if it persists
      LOG.warn("the claim after {} saved completion(s) failed; the next claim tries again: {}", completions.size(),
          e.getMessage());
      return new Exchange(applied, ClaimResult.empty());
    }
  }

  /**
   * Tells flow control which jobs left RUNNING here, and it and the claim positions that released or
   * retried ones are ready.
   */
  private void flowEnded(List<Completion> completions) {
    for (Completion x : completions) {
      flow.ended(x.jobId());
      if (x.outcome() == Completion.Outcome.RELEASED || x.outcome() == Completion.Outcome.RETRY) {
        flow.readied();
        positions.readied(); // their ids are old: before the positions
      }
    }
  }
}
