package dev.spindle.queue.spi;

import dev.spindle.queue.JobState;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Selects jobs for {@link JobInspector#listJobs} and {@link JobInspector#purge}. Immutable; start from
 * {@link #all()} and narrow with the {@code with...} methods.
 *
 * @param states states to include (empty = all)
 * @param queue a queue name, or {@code null} for all
 * @param task a task name, or {@code null} for all
 * @param finishedBefore only jobs finished before this instant, or {@code null}
 * @param beforeId only jobs with a smaller id (paging: newest first), or {@code null}
 * @param limit the most jobs returned or purged
 */
public record JobFilter(Set<JobState> states, String queue, String task, Instant finishedBefore, String beforeId,
    int limit) {
  public JobFilter {
    states = states.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(states));
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be >= 1: " + limit);
    }
    if (beforeId != null) {
      parseId(beforeId);
    }
  }

  /** Every job, at most 100. */
  public static JobFilter all() {
    return new JobFilter(Set.of(), null, null, null, null, 100);
  }

  /** Only these states. */
  public JobFilter withStates(Set<JobState> states) {
    return new JobFilter(states, queue, task, finishedBefore, beforeId, limit);
  }

  /** Only this state. */
  public JobFilter withState(JobState state) {
    return withStates(EnumSet.of(Objects.requireNonNull(state, "state")));
  }

  /** Only this queue. */
  public JobFilter withQueue(String queue) {
    return new JobFilter(states, queue, task, finishedBefore, beforeId, limit);
  }

  /** Only this task. */
  public JobFilter withTask(String task) {
    return new JobFilter(states, queue, task, finishedBefore, beforeId, limit);
  }

  /** Only jobs finished before this instant. */
  public JobFilter withFinishedBefore(Instant finishedBefore) {
    return new JobFilter(states, queue, task, finishedBefore, beforeId, limit);
  }

  /** Only jobs older than this id. */
  public JobFilter withBeforeId(String beforeId) {
    return new JobFilter(states, queue, task, finishedBefore, beforeId, limit);
  }

  /** At most this many. */
  public JobFilter withLimit(int limit) {
    return new JobFilter(states, queue, task, finishedBefore, beforeId, limit);
  }

  /** True if {@code state} passes the state filter. */
  public boolean includes(JobState state) {
    return states.isEmpty() || states.contains(state);
  }

  /**
   * Parses a job id.
   *
   * @throws IllegalArgumentException if it is not a positive decimal number
   */
  public static long parseId(String id) {
    try {
      long v = Long.parseLong(id);
      if (v > 0) {
        return v;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw new IllegalArgumentException("not a job id: '" + id + "' (job ids are positive numbers)");
  }
}
