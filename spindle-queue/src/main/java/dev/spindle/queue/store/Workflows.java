package dev.spindle.queue.store;

import dev.spindle.queue.DependencyPolicy;
import dev.spindle.queue.JobState;
import dev.spindle.queue.WorkflowInput;
import dev.spindle.queue.spi.Dependency;
import dev.spindle.queue.spi.DependencyEnd;
import dev.spindle.queue.spi.JobStore;
import dev.spindle.queue.spi.NewJob;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The dependency rules every store applies the same way, for backends: checking a workflow batch,
 * deciding what a dependency's end does to a waiting job, and building a released job's input.
 * Stateless and thread-safe.
 */
public final class Workflows {
  /** The dead-letter style reason stored on a job cancelled because a dependency ended badly. */
  public static final String DEPENDENCY_FAILED = "dependency_failed";
  /** The reason stored on an on-failure callback cancelled because every dependency succeeded. */
  public static final String NOT_NEEDED = "not_needed";

  private Workflows() {}

  /**
   * Checks that every in-batch dependency names an earlier job of the batch (so a batch can hold no
   * cycle).
   *
   * @throws IllegalArgumentException naming the first job that does not
   */
  public static void checkBatch(List<NewJob> batch) {
    for (int i = 0; i < batch.size(); i++) {
      for (Dependency d : batch.get(i).dependsOn()) {
        if (d.inBatch() && d.batchIndex() >= i) {
          throw new IllegalArgumentException("job #" + i + " of the batch depends on " + d.on() + ", which is not an"
              + " earlier job of the batch (a batch lists dependencies before their dependents; nothing was added)");
        }
      }
    }
  }

  /**
   * Where a waiting job stands: how many dependencies have not ended yet, how many that ended did not
   * succeed under an {@link DependencyPolicy#ON_FAILURE} edge, and whether it has such edges.
   */
  public record Wait(int pending, int failures, boolean onFailureOnly) {
    /** True once nothing is pending. */
    public boolean ready() {
      return pending == 0;
    }

    /** True if, ready, it must be cancelled as not needed (an error callback without an error). */
    public boolean notNeeded() {
      return pending == 0 && onFailureOnly && failures == 0;
    }
  }

  /** What the store does with a waiting job after a dependency ended. */
  public enum Step {
    /** Still waiting for others (the pending count went down by one). */
    WAIT,
    /** Every dependency ended as required: release it (QUEUED or SCHEDULED). */
    RELEASE,
    /** Cancel it (and, in turn, what depends on it). */
    CANCEL
  }

  /**
   * The wait after one dependency, under {@code policy}, ended in {@code end}.
   *
   * @return the new wait, or {@code null} if the dependent is to be cancelled
   */
  public static @Nullable Wait afterEnd(Wait w, DependencyPolicy policy, JobState end) {
    return switch (policy.effectOf(end)) {
      case CANCEL -> null;
      case SATISFIED -> new Wait(w.pending() - 1, w.failures(), w.onFailureOnly());
      case SATISFIED_BY_FAILURE -> new Wait(w.pending() - 1,
          w.failures() + (policy == DependencyPolicy.ON_FAILURE ? 1 : 0), w.onFailureOnly());
    };
  }

  /** The step for a wait computed by {@link #afterEnd} ({@code null}: cancel). */
  public static Step step(@Nullable Wait w) {
    if (w == null || w.notNeeded()) {
      return Step.CANCEL;
    }
    return w.ready() ? Step.RELEASE : Step.WAIT;
  }

  /**
   * The wait of a job from scratch, given its dependencies and their current states (null state: the
   * dependency is gone, which counts as cancelled).
   *
   * @return the wait, or {@code null} if a dependency already ended in a way that cancels it
   */
  public static @Nullable Wait evaluate(List<DependencyPolicy> policies, List<@Nullable JobState> states) {
    boolean onFailureOnly = !policies.isEmpty();
    for (DependencyPolicy p : policies) {
      onFailureOnly &= p == DependencyPolicy.ON_FAILURE;
    }
    Wait w = new Wait(policies.size(), 0, onFailureOnly);
    for (int i = 0; i < policies.size(); i++) {
      JobState s = states.get(i) == null ? JobState.CANCELLED : states.get(i);
      if (s.isTerminal()) {
        w = afterEnd(w, policies.get(i), s);
        if (w == null) {
          return null;
        }
      }
    }
    return w;
  }

  /** The initial wait of a new job with these dependency policies, none ended yet. */
  public static Wait fresh(List<DependencyPolicy> policies) {
    return Objects.requireNonNull(evaluate(policies, java.util.Collections.nCopies(policies.size(), JobState.WAITING)),
        "no dependency ended yet");
  }

  /**
   * The input of a released job: its own arguments, or built from its dependencies' ends in declared
   * order (see {@link WorkflowInput}).
   */
  public static String input(WorkflowInput mode, String argsJson, List<DependencyEnd> ends) {
    return switch (mode) {
      case ARGS -> argsJson;
      case RESULT -> orNull(ends.get(0).resultJson());
      case RESULTS -> {
        StringBuilder b = new StringBuilder(2 + ends.size() * 8).append('[');
        for (int i = 0; i < ends.size(); i++) {
          b.append(i == 0 ? "" : ",").append(orNull(ends.get(i).resultJson()));
        }
        yield b.append(']').toString();
      }
      case OUTCOMES -> {
        StringBuilder b = new StringBuilder(2 + ends.size() * 48).append('[');
        for (int i = 0; i < ends.size(); i++) {
          DependencyEnd e = ends.get(i);
          b.append(i == 0 ? "" : ",").append("{\"jobId\":\"").append(e.jobId()).append("\",\"state\":\"")
              .append(e.state().name()).append("\",\"result\":").append(orNull(e.resultJson()))
              .append(",\"error\":").append(orNull(e.errorJson())).append('}');
        }
        yield b.append(']').toString();
      }
    };
  }

  /** The error JSON stored on a job cancelled because {@code dependency} ended in {@code end}. */
  public static String dependencyError(String jobId, String dependency, JobState end) {
    String msg = "job " + jobId + " was cancelled: it depends on job " + dependency + ", which ended " + end;
    return "{\"type\":\"" + DEPENDENCY_FAILED + "\",\"message\":\"" + msg + "\",\"stack\":[],\"cause\":null}";
  }

  /** The error JSON stored on an on-failure callback that was not needed. */
  public static String notNeededError(String jobId) {
    return "{\"type\":\"" + NOT_NEEDED + "\",\"message\":\"job " + jobId + " was cancelled: it runs only when a"
        + " dependency fails, and every one succeeded\",\"stack\":[],\"cause\":null}";
  }

  /**
   * Checks a request to add children ({@link JobStore#addChildren}) against the parent's current
   * state and fence, and the exits against the batch.
   *
   * @throws IllegalStateException if the parent is not RUNNING under {@code fence}
   * @throws IllegalArgumentException if there are no children or an exit is not an index into them
   */
  public static void checkChildren(String parentId, JobState state, long currentFence, long fence,
      List<NewJob> jobs, List<Integer> exits) {
    if (state != JobState.RUNNING || currentFence != fence) {
      throw new IllegalStateException("job " + parentId + " cannot add children: it is " + state
          + (state == JobState.RUNNING ? " under another claim (fence " + currentFence + ", not " + fence + ")" : "")
          + "; nothing was added");
    }
    if (jobs.isEmpty()) {
      throw new IllegalArgumentException("no children to add to job " + parentId);
    }
    for (Integer x : exits) {
      if (x == null || x < 0 || x >= jobs.size()) {
        throw new IllegalArgumentException("child exit " + x + " is not an index into the " + jobs.size()
            + " children of job " + parentId + "; nothing was added");
      }
    }
  }

  /** The message refusing to edit the arguments of a node whose input its dependencies build. */
  public static String noOwnArgs(String jobId) {
    return "job " + jobId + " takes its input from its dependencies' results, so it has no arguments of its own to"
        + " edit; nothing changed (resume it without new arguments)";
  }

  /** The message refusing to requeue a finished node to WAITING (its dependencies run again). */
  public static String dependenciesRunning(String jobId) {
    return "job " + jobId + " depends on jobs that have not ended (they run again): retry it once they have";
  }

  private static String orNull(@Nullable String json) {
    return json == null ? "null" : json;
  }
}
