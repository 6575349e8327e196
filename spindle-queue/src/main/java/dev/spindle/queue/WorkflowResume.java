package dev.spindle.queue;

import dev.spindle.Task;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.internal.Payloads;
import dev.spindle.queue.spi.DependencyEdge;
import dev.spindle.queue.spi.ResumeMove;
import dev.spindle.queue.spi.StoreAdmin;
import dev.spindle.queue.spi.WorkflowControl;
import dev.spindle.queue.store.Workflows;
import dev.spindle.spi.JsonCodec;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Resumes a failed workflow for an operator: picks the FAILED or DEAD node, checks new arguments
 * against its task's input type (when the registry knows the task) and seals them if the job is
 * encrypted, shows what would move ({@link #preview}) and does it in one store call ({@link
 * #resume}). Get one with {@link #of}. Callers audit the change. Thread-safe.
 */
public final class WorkflowResume {
  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  private final StoreAdmin admin;
  private final Function<String, Optional<JobInfo>> find;
  private final TaskRegistry registry;
  private final JsonCodec codec;
  private final @Nullable KeyRing keyRing;
  private final Clock clock;
  private final int maxJobs;

  WorkflowResume(StoreAdmin admin, Function<String, Optional<JobInfo>> find, TaskRegistry registry, JsonCodec codec,
      @Nullable KeyRing keyRing, Clock clock, int maxJobs) {
    this.admin = admin;
    this.find = find;
    this.registry = registry;
    this.codec = codec;
    this.keyRing = keyRing;
    this.clock = clock;
    this.maxJobs = maxJobs;
  }

  /**
   * Resuming failed workflows of {@code queue}'s store through its operators' side {@code admin}
   * (the same store), with the queue's registry (to check new arguments), codec, key ring and clock.
   */
  public static WorkflowResume of(JobQueue queue, StoreAdmin admin) {
    java.util.Objects.requireNonNull(admin, "admin");
    return new WorkflowResume(admin, queue.store()::find, queue.registry(), queue.codec(), queue.keyRing(),
        queue.clock(), WorkflowGraph.DEFAULT_MAX_JOBS);
  }

  /**
   * The workflow of job {@code jobId} (any of its jobs), at most {@link WorkflowGraph#DEFAULT_MAX_JOBS} jobs.
   *
   * @throws JobNotFoundException if there is no such job
   */
  public WorkflowGraph graph(String jobId) {
    return WorkflowGraph.read(admin.inspector(), find, jobId, maxJobs);
  }

  /**
   * What {@link #resume} would do now, changing nothing. The store applies the same rules in one
   * transaction, so the resume does this unless the workflow changes in between (its result says).
   *
   * @param jobId any job of the workflow
   * @param nodeId the node to retry, or null: {@code jobId} if it is FAILED or DEAD, else the
   *     workflow's only FAILED or DEAD node
   * @param argsJson new arguments for the node, or null to keep its own
   * @throws JobNotFoundException if there is no such job
   * @throws IllegalArgumentException if the node is not part of the workflow, none or several nodes
   *     could be meant, or the arguments do not fit the task's input type
   * @throws IllegalJobTransitionException if the node is not FAILED or DEAD, or a dependency of it
   *     still cancels it
   * @throws UnsupportedOperationException if the store cannot resume workflows
   * @throws IllegalStateException if the job is encrypted and this client has no key ring
   */
  public ResumePlan preview(String jobId, @Nullable String nodeId, @Nullable String argsJson) {
    control();
    WorkflowGraph g = graph(jobId);
    JobInfo node = pick(g, jobId, nodeId);
    if (argsJson != null) {
      stored(node, argsJson);
    }
    return new ResumePlan(node.id(), node.task(), simulate(g, node), argsJson != null, false);
  }

  /**
   * Resumes the workflow in one store transaction or script: the node runs again (with {@code
   * argsJson} if given) and the dependents its failure cancelled wait for it again. The same
   * arguments and errors as {@link #preview}; of two concurrent resumes of one node, the second is
   * refused with {@link IllegalJobTransitionException}.
   *
   * @return what it did
   */
  public ResumePlan resume(String jobId, @Nullable String nodeId, @Nullable String argsJson) {
    WorkflowControl control = control();
    WorkflowGraph g = graph(jobId);
    JobInfo node = pick(g, jobId, nodeId);
    String args = argsJson == null ? null : stored(node, argsJson);
    List<ResumeMove> moves = control.resume(node.id(), args, clock.instant());
    return new ResumePlan(node.id(), node.task(), moves, argsJson != null, true);
  }

  private WorkflowControl control() {
    return admin.control().workflows().orElseThrow(() -> new UnsupportedOperationException("the store "
        + admin.describe() + " cannot resume workflows"));
  }

  private static JobInfo pick(WorkflowGraph g, String jobId, @Nullable String nodeId) {
    if (nodeId != null) {
      JobInfo n = g.job(nodeId).orElseThrow(() -> new IllegalArgumentException("job " + dev.spindle.spi.Echo.of(nodeId)
          + " is not part of the workflow of job " + jobId + (g.truncated() ? " (or lies beyond the first "
          + g.jobs().size() + " jobs read)" : "")));
      return checkResumable(n);
    }
    JobInfo given = g.job(jobId).orElseThrow(() -> new JobNotFoundException(jobId));
    if (WorkflowControl.resumableStates().contains(given.state())) {
      return given;
    }
    List<JobInfo> failed = g.jobs().stream().filter(j -> WorkflowControl.resumableStates().contains(j.state()))
        .toList();
    if (failed.isEmpty()) {
      throw new IllegalArgumentException("the workflow of job " + jobId + " has no FAILED or DEAD node to resume");
    }
    if (failed.size() > 1) {
      throw new IllegalArgumentException("the workflow of job " + jobId + " has " + failed.size() + " FAILED or DEAD"
          + " nodes (" + String.join(", ", failed.stream().map(JobInfo::id).limit(20).toList())
          + (failed.size() > 20 ? ", ..." : "") + "): name the one to resume");
    }
    return failed.get(0);
  }

  private static JobInfo checkResumable(JobInfo n) {
    if (!WorkflowControl.resumableStates().contains(n.state())) {
      throw new IllegalJobTransitionException(n.id(), n.state(), JobState.QUEUED, "only a FAILED or DEAD node can"
          + " be resumed; this one is " + n.state());
    }
    return n;
  }

  /** The node's new arguments as the store keeps them: checked, and sealed if they are to be encrypted. */
  private String stored(JobInfo node, String argsJson) {
    String what = "new arguments of job " + node.id() + " (task '" + node.task() + "')";
    Optional<Task<?, ?>> task = registry.find(node.task());
    if (task.isPresent()) {
      Payloads.checkStrictly(codec, argsJson, task.get().inputType(), what);
    } else {
      Payloads.fromJson(codec, argsJson, JsonNode.class, what);
    }
    if (keyRing != null) {
      return keyRing.encrypt(KeyRing.ARGS, node.task(), argsJson);
    }
    if (KeyRing.isEncrypted(node.argsJson())) {
      throw new IllegalStateException("job " + node.id() + " has encrypted arguments: new ones must be encrypted too,"
          + " which needs the key ring (configure it on this client); nothing changed");
    }
    return argsJson;
  }

  /** The moves the store's rules make, computed from the graph read (see {@link Workflows}). */
  private static List<ResumeMove> simulate(WorkflowGraph g, JobInfo node) {
    Map<String, JobState> now = new HashMap<>();
    g.jobs().forEach(j -> now.put(j.id(), j.state()));
    List<DependencyEdge> in = g.edgesInto(node.id());
    JobState to = JobState.QUEUED;
    if (!in.isEmpty()) {
      Workflows.Wait w = evaluate(in, now);
      if (w == null) {
        throw new IllegalJobTransitionException(node.id(), node.state(), JobState.QUEUED, "job " + node.id()
            + " depends on a job that ended in a way that cancels it: resume that one");
      }
      to = w.ready() ? JobState.QUEUED : JobState.WAITING;
      if (!node.state().canMoveTo(to)) {
        throw new IllegalJobTransitionException(node.id(), node.state(), to, Workflows.dependenciesRunning(node.id()));
      }
    }
    List<ResumeMove> moves = new ArrayList<>(List.of(new ResumeMove(node.id(), node.state(), to)));
    now.put(node.id(), to);
    ArrayDeque<String> todo = new ArrayDeque<>(List.of(node.id()));
    for (String p; (p = todo.poll()) != null; ) {
      for (DependencyEdge e : g.edgesOutOf(p)) {
        String c = e.childId();
        Optional<JobInfo> child = g.job(c);
        if (now.get(c) != JobState.CANCELLED || child.isEmpty() || !cancelledByDependency(child.get())) {
          continue;
        }
        if (evaluate(g.edgesInto(c), now) != null) {
          now.put(c, JobState.WAITING);
          moves.add(new ResumeMove(c, JobState.CANCELLED, JobState.WAITING));
          todo.add(c);
        }
      }
    }
    return moves;
  }

  private static Workflows.@Nullable Wait evaluate(List<DependencyEdge> in, Map<String, JobState> now) {
    List<DependencyPolicy> policies = new ArrayList<>(in.size());
    List<@Nullable JobState> states = new ArrayList<>(in.size());
    for (DependencyEdge e : in) {
      policies.add(e.policy());
      states.add(now.get(e.parentId()));
    }
    return Workflows.evaluate(policies, states);
  }

  /** True if the job was cancelled because a dependency ended badly (not by an operator). */
  static boolean cancelledByDependency(JobInfo j) {
    if (j.errorJson() == null) {
      return false;
    }
    try {
      JsonNode type = MAPPER.readTree(j.errorJson()).get("type");
      return type != null && Workflows.DEPENDENCY_FAILED.equals(type.asString());
    } catch (JacksonException e) {
      return false;
    }
  }
}
