package dev.spindle.store.jdbc.internal;

import dev.spindle.queue.JobRules;
import dev.spindle.queue.JobState;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Renders {@link JobRules}' tables as SQL over the stored state codes ({@link SqlJobRows#code}):
 * conditions on a job's {@code state} column and expressions chosen by it, so no statement spells a
 * rule out by hand. Stateless; thread-safe.
 */
public final class SqlRules {
  /** SQL condition: a finished job kept like a success (SUCCEEDED, CANCELLED): what {@code maxSucceeded} counts. */
  public static final String IS_KEPT_AS_SUCCEEDED = keptAs(JobRules.Kept.AS_SUCCEEDED);
  /** SQL condition: a finished job kept like a failure (FAILED, DEAD): what {@code maxFailed} counts. */
  public static final String IS_KEPT_AS_FAILED = keptAs(JobRules.Kept.AS_FAILED);

  private SqlRules() {}

  /** SQL condition {@code state IN (...)} on the stored codes of {@code states}, in code order. */
  public static String stateIn(Set<JobState> states) {
    if (states.isEmpty()) {
      throw new IllegalArgumentException("a state condition needs at least one state");
    }
    StringJoiner in = new StringJoiner(", ", "state IN (", ")");
    states.stream().mapToInt(SqlJobRows::code).sorted().forEach(code -> in.add(Integer.toString(code)));
    return in.toString();
  }

  /** SQL condition: a finished job kept as {@code kept}. */
  public static String keptAs(JobRules.Kept kept) {
    return stateIn(kept.states());
  }

  /** The SQL of the time to keep a job that ends in {@code terminal} ({@link SqlJobRows#RESULT_TTL} or {@link SqlJobRows#FAILURE_TTL}). */
  public static String ttlOf(JobState terminal) {
    return ttlOf(JobRules.keptAs(terminal));
  }

  /** The SQL of the time to keep a finished job kept as {@code kept}. */
  public static String ttlOf(JobRules.Kept kept) {
    return kept == JobRules.Kept.AS_SUCCEEDED ? SqlJobRows.RESULT_TTL : SqlJobRows.FAILURE_TTL;
  }
}
