package dev.spindle.queue;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The life cycle of a job in a durable queue, with its allowed transitions. Every store applies
 * transitions through {@link #checkTransition}, so an invalid move fails loudly with
 * {@link IllegalJobTransitionException} instead of corrupting the job.
 *
 * <table>
 *   <caption>Allowed transitions</caption>
 *   <tr><th>from</th><th>to</th><th>when</th></tr>
 *   <tr><td>WAITING</td><td>QUEUED, SCHEDULED</td><td>every job it depends on ended as its
 *       {@link DependencyPolicy} requires (SCHEDULED if its own run time is still ahead)</td></tr>
 *   <tr><td>WAITING</td><td>CANCELLED</td><td>cancelled, or a dependency ended in a way its policy does not
 *       accept (the reason names that job), or an on-failure callback that is not needed</td></tr>
 *   <tr><td>SCHEDULED</td><td>QUEUED</td><td>its run time came (delayed job, retry backoff over)</td></tr>
 *   <tr><td>SCHEDULED</td><td>CANCELLED</td><td>cancelled before it ran</td></tr>
 *   <tr><td>QUEUED</td><td>RUNNING</td><td>a worker with a free slot claimed it (lease + fencing token)</td></tr>
 *   <tr><td>QUEUED</td><td>CANCELLED</td><td>cancelled before it ran</td></tr>
 *   <tr><td>RUNNING</td><td>SUCCEEDED</td><td>the task returned; the result is stored</td></tr>
 *   <tr><td>RUNNING</td><td>SCHEDULED</td><td>the task failed and the retry policy allows another attempt later</td></tr>
 *   <tr><td>RUNNING</td><td>QUEUED</td><td>retry without delay; released by a stopping worker; its worker's lease expired</td></tr>
 *   <tr><td>RUNNING</td><td>FAILED</td><td>the task failed and the retry policy gives up</td></tr>
 *   <tr><td>RUNNING</td><td>DEAD</td><td>dead-lettered: unknown task, undeserializable arguments, worker lost K times</td></tr>
 *   <tr><td>RUNNING</td><td>CANCELLED</td><td>cancelled while running (the worker stopped it)</td></tr>
 *   <tr><td>FAILED, DEAD, CANCELLED</td><td>QUEUED</td><td>requeued by an operator ({@code spindle jobs retry})</td></tr>
 *   <tr><td>CANCELLED</td><td>WAITING</td><td>the failed dependency that cancelled it was requeued: it
 *       waits for it again</td></tr>
 *   <tr><td>SUCCEEDED</td><td>(none)</td><td>final; removed by retention or purge</td></tr>
 * </table>
 *
 * <p>{@link #isTerminal() Terminal} states (SUCCEEDED, FAILED, DEAD, CANCELLED) are the ones a
 * {@link JobHandle} waits for; their jobs are deleted by retention or purge, never moved.
 */
public enum JobState {
  /** Waiting for the jobs it depends on to end (a workflow node); see {@link DependencyPolicy}. */
  WAITING,
  /** Waiting for its run time (delayed, or backing off before a retry). */
  SCHEDULED,
  /** Ready to run; waits for a worker with a free slot. */
  QUEUED,
  /** Claimed by a worker holding a lease. */
  RUNNING,
  /** Finished; its result is stored until it expires. */
  SUCCEEDED,
  /** Failed and not retried again (attempts exhausted or a give-up rule matched). */
  FAILED,
  /** Dead-lettered: could not run at all (see {@link JobInfo#deadReason()}). */
  DEAD,
  /** Cancelled before or while running. */
  CANCELLED;

  private static final Map<JobState, Set<JobState>> ALLOWED;

  static {
    Map<JobState, Set<JobState>> m = new EnumMap<>(JobState.class);
    m.put(WAITING, EnumSet.of(QUEUED, SCHEDULED, CANCELLED));
    m.put(SCHEDULED, EnumSet.of(QUEUED, CANCELLED));
    m.put(QUEUED, EnumSet.of(RUNNING, CANCELLED));
    m.put(RUNNING, EnumSet.of(SUCCEEDED, SCHEDULED, QUEUED, FAILED, DEAD, CANCELLED));
    m.put(SUCCEEDED, EnumSet.noneOf(JobState.class));
    m.put(FAILED, EnumSet.of(QUEUED));
    m.put(DEAD, EnumSet.of(QUEUED));
    m.put(CANCELLED, EnumSet.of(QUEUED, WAITING));
    for (JobState s : values()) {
      m.put(s, Collections.unmodifiableSet(m.get(s)));
    }
    ALLOWED = Collections.unmodifiableMap(m);
  }

  /** The states this one may move to, per the table above. */
  public Set<JobState> allowedTargets() {
    return Objects.requireNonNull(ALLOWED.get(this), "every state is in the table");
  }

  /** True if this state may move to {@code target}. */
  public boolean canMoveTo(JobState target) {
    return allowedTargets().contains(target);
  }

  /** True for SUCCEEDED, FAILED, DEAD and CANCELLED: the job will not run again on its own. */
  public boolean isTerminal() {
    return this == SUCCEEDED || this == FAILED || this == DEAD || this == CANCELLED;
  }

  /** True for WAITING, SCHEDULED and QUEUED: the job has not run yet and may still. */
  public boolean isWaiting() {
    return this == WAITING || this == SCHEDULED || this == QUEUED;
  }

  /**
   * Checks a transition of job {@code jobId}.
   *
   * @throws IllegalJobTransitionException if the table does not allow it
   */
  public static void checkTransition(String jobId, JobState from, JobState to) {
    if (!from.canMoveTo(to)) {
      throw new IllegalJobTransitionException(jobId, from, to);
    }
  }

  /**
   * Checks an operator's requeue: only FAILED, DEAD and CANCELLED jobs go back to QUEUED that way.
   *
   * @throws IllegalJobTransitionException for any other state
   */
  public static void checkRequeue(String jobId, JobState state) {
    if (!state.isTerminal() || !state.canMoveTo(QUEUED)) {
      throw new IllegalJobTransitionException(jobId, state, QUEUED,
          "only FAILED, DEAD or CANCELLED jobs can be requeued; this one is " + state);
    }
  }

  /** The terminal states. */
  public static Set<JobState> terminalStates() {
    return EnumSet.of(SUCCEEDED, FAILED, DEAD, CANCELLED);
  }
}
