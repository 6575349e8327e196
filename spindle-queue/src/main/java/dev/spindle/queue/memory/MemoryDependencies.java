package dev.spindle.queue.memory;

import dev.spindle.queue.DependencyPolicy;
import dev.spindle.queue.JobState;
import dev.spindle.queue.WorkflowInput;
import dev.spindle.queue.spi.DependencyEdge;
import dev.spindle.queue.spi.DependencyEnd;
import dev.spindle.queue.store.Workflows;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The in-memory store's dependency graph: which jobs wait for which, and what a job's end does to
 * its dependents (see {@link Workflows}). Ends are handled iteratively (a chain of any length ends
 * without deep recursion). Not thread-safe: the store calls it under its lock.
 */
final class MemoryDependencies {
  /** What the graph asks of the store. */
  interface Host {
    /** The job's state, or null if it is gone. */
    @Nullable JobState stateOf(long id);

    /** How the (terminal) job ended. */
    DependencyEnd endOf(long id);

    /** Moves a waiting job to CANCELLED with this error. */
    void cancel(long id, String errorJson, Instant now);

    /** Moves a waiting job to QUEUED or SCHEDULED, its input from {@link #inputOf}. */
    void release(long id, Instant now);

    /** Moves a dependency-cancelled job back to WAITING. */
    void revive(long id, Instant now);
  }

  private record Edge(long child, DependencyPolicy policy, int position) {}

  /** A job that has dependencies: its declared ones (its input, in order), then any added later. */
  private static final class Node {
    long[] parents;
    List<DependencyPolicy> policies;
    final int inputs;
    final WorkflowInput input;
    @Nullable DependencyEnd[] ends;
    /** Where it stands; null once a dependency's end cancels it. */
    Workflows.@Nullable Wait wait;
    long cancelledBy;

    Node(long[] parents, List<DependencyPolicy> policies, WorkflowInput input) {
      this.parents = parents;
      this.policies = new ArrayList<>(policies);
      this.inputs = parents.length;
      this.input = input;
      this.ends = new DependencyEnd[parents.length];
    }

    /** Adds a dependency that is not an input; returns its index. */
    int grow(long parent, DependencyPolicy policy) {
      int i = parents.length;
      parents = java.util.Arrays.copyOf(parents, i + 1);
      parents[i] = parent;
      ends = java.util.Arrays.copyOf(ends, i + 1);
      policies.add(policy);
      return i;
    }
  }

  private final Host host;
  private final Map<Long, List<Edge>> children = new HashMap<>();
  private final Map<Long, Node> nodes = new HashMap<>();
  private final ArrayDeque<Long> ended = new ArrayDeque<>();
  private boolean draining;

  MemoryDependencies(Host host) {
    this.host = host;
  }

  /**
   * Adds a job's dependencies and says where it starts.
   *
   * @return null if it may run now (its input is then {@link #inputOf}), else the state to start in
   *     (WAITING, or CANCELLED if a dependency already ended in a way that cancels it)
   */
  @Nullable JobState add(long id, long[] parents, List<DependencyPolicy> policies, WorkflowInput input) {
    Node n = new Node(parents, policies, input);
    nodes.put(id, n);
    List<@Nullable JobState> states = new ArrayList<>(parents.length);
    for (int i = 0; i < parents.length; i++) {
      children.computeIfAbsent(parents[i], k -> new ArrayList<>()).add(new Edge(id, policies.get(i), i));
      JobState s = host.stateOf(parents[i]);
      states.add(s);
      if (s != null && s.isTerminal()) {
        n.ends[i] = host.endOf(parents[i]);
      }
    }
    Workflows.Wait w = Workflows.evaluate(policies, states);
    n.wait = w;
    if (w == null || w.notNeeded()) {
      return JobState.CANCELLED;
    }
    return w.ready() ? null : JobState.WAITING;
  }

  /** Why a job added by {@link #add} starts CANCELLED: the error JSON. */
  String cancellation(long id) {
    Node n = node(id);
    for (int i = 0; i < n.parents.length; i++) {
      JobState s = host.stateOf(n.parents[i]);
      JobState end = s == null ? JobState.CANCELLED : s;
      if (end.isTerminal() && n.policies.get(i).effectOf(end) == DependencyPolicy.Effect.CANCEL) {
        n.cancelledBy = n.parents[i];
        return Workflows.dependencyError(Long.toString(id), Long.toString(n.parents[i]), end);
      }
    }
    return Workflows.notNeededError(Long.toString(id));
  }

  /** The input of a released job. */
  String inputOf(long id, String argsJson) {
    Node n = node(id);
    return Workflows.input(n.input, argsJson, java.util.Arrays.asList(n.ends).subList(0, n.inputs));
  }

  /** The node of a job that has dependencies ({@link #has}). */
  private Node node(long id) {
    return Objects.requireNonNull(nodes.get(id), () -> "job " + id + " has no dependencies");
  }

  /** How a job that has dependencies ({@link #has}) gets its input. */
  WorkflowInput inputMode(long id) {
    return node(id).input;
  }

  /** True if the job has dependencies. */
  boolean has(long id) {
    return nodes.containsKey(id);
  }

  /** A job reached a terminal state: applies it to its dependents (and theirs, in turn). */
  void ended(long id, Instant now) {
    ended.add(id);
    if (draining) {
      return;
    }
    draining = true;
    try {
      for (Long p; (p = ended.poll()) != null; ) {
        apply(p, now);
      }
    } finally {
      draining = false;
    }
  }

  private void apply(long parent, Instant now) {
    List<Edge> edges = children.get(parent);
    if (edges == null) {
      return;
    }
    DependencyEnd end = host.endOf(parent);
    for (Edge e : edges) {
      Node n = nodes.get(e.child());
      if (n == null || host.stateOf(e.child()) != JobState.WAITING) {
        continue;
      }
      n.ends[e.position()] = end;
      n.wait = Workflows.afterEnd(Objects.requireNonNull(n.wait, "the wait of a WAITING job"), e.policy(),
          end.state());
      switch (Workflows.step(n.wait)) {
        case WAIT -> { }
        case RELEASE -> host.release(e.child(), now);
        case CANCEL -> {
          if (n.wait == null) {
            n.cancelledBy = parent;
            host.cancel(e.child(), Workflows.dependencyError(Long.toString(e.child()), Long.toString(parent),
                end.state()), now);
          } else {
            host.cancel(e.child(), Workflows.notNeededError(Long.toString(e.child())), now);
          }
        }
      }
    }
  }

  /**
   * The running job {@code parent} added children: every job still waiting for it also waits for
   * the {@code exits} (not as inputs), with the policy of its dependency on the parent. A dependent
   * that one of them already cancels is cancelled.
   */
  void adopt(long parent, long[] exits, Instant now) {
    for (Edge e : List.copyOf(children.getOrDefault(parent, List.of()))) {
      Node n = nodes.get(e.child());
      if (n == null || host.stateOf(e.child()) != JobState.WAITING) {
        continue;
      }
      for (long x : exits) {
        int at = n.grow(x, e.policy());
        children.computeIfAbsent(x, k -> new ArrayList<>()).add(new Edge(e.child(), e.policy(), at));
      }
      if (reevaluate(n) == JobState.CANCELLED) {
        JobState end = host.stateOf(n.cancelledBy);
        host.cancel(e.child(), Workflows.dependencyError(Long.toString(e.child()), Long.toString(n.cancelledBy),
            end == null ? JobState.CANCELLED : end), now);
      }
    }
  }

  /**
   * A finished job was requeued: dependents it cancelled wait for it again (and theirs, in turn),
   * unless another dependency still cancels them.
   */
  List<Long> requeued(long id, Instant now) {
    List<Long> revived = new ArrayList<>();
    ArrayDeque<Long> todo = new ArrayDeque<>();
    todo.add(id);
    for (Long p; (p = todo.poll()) != null; ) {
      for (Edge e : children.getOrDefault(p, List.of())) {
        Node n = nodes.get(e.child());
        if (n == null || n.cancelledBy != p || host.stateOf(e.child()) != JobState.CANCELLED) {
          continue;
        }
        if (reevaluate(n) == JobState.WAITING) {
          host.revive(e.child(), now);
          todo.add(e.child());
          revived.add(e.child());
        }
      }
    }
    return revived;
  }

  /**
   * Where a dependency-cancelled job would stand now: WAITING, or CANCELLED (another dependency
   * still cancels it; {@code cancelledBy} names it). Used by requeue and by an operator's retry. A
   * deleted dependency counts by the end it told (kept, as the input), or as CANCELLED if none.
   */
  private JobState reevaluate(Node n) {
    List<@Nullable JobState> states = new ArrayList<>(n.parents.length);
    for (int i = 0; i < n.parents.length; i++) {
      JobState s = host.stateOf(n.parents[i]);
      if (s == null) {
        DependencyEnd told = n.ends[i];
        states.add(told == null ? null : told.state());
        continue;
      }
      states.add(s);
      n.ends[i] = s.isTerminal() ? host.endOf(n.parents[i]) : null;
    }
    Workflows.Wait w = Workflows.evaluate(n.policies, states);
    if (w == null) {
      for (int i = 0; i < n.parents.length; i++) {
        JobState s = states.get(i) == null ? JobState.CANCELLED : states.get(i);
        if (s.isTerminal() && n.policies.get(i).effectOf(s) == DependencyPolicy.Effect.CANCEL) {
          n.cancelledBy = n.parents[i];
        }
      }
      return JobState.CANCELLED;
    }
    n.wait = w;
    n.cancelledBy = 0;
    return JobState.WAITING;
  }

  /**
   * An operator retries a job that has dependencies: where it goes.
   *
   * @return WAITING, QUEUED (its input is then {@link #inputOf}), or CANCELLED if a dependency still
   *     cancels it
   */
  JobState retry(long id) {
    Node n = node(id);
    if (reevaluate(n) == JobState.CANCELLED) {
      return JobState.CANCELLED;
    }
    Workflows.Wait w = Objects.requireNonNull(n.wait, "reevaluate sets the wait of a WAITING job");
    return w.ready() ? JobState.QUEUED : JobState.WAITING;
  }

  /** The job that cancelled a dependency-cancelled job (0 if none). */
  long cancelledBy(long id) {
    Node n = nodes.get(id);
    return n == null ? 0 : n.cancelledBy;
  }

  /** Every edge into and out of {@code id}: its dependencies first, then its dependents. */
  List<DependencyEdge> edgesOf(long id) {
    List<DependencyEdge> out = new ArrayList<>();
    Node n = nodes.get(id);
    if (n != null) {
      for (int i = 0; i < n.parents.length; i++) {
        out.add(new DependencyEdge(Long.toString(n.parents[i]), Long.toString(id), n.policies.get(i),
            i < n.inputs ? i : DependencyEdge.ADDED));
      }
    }
    for (Edge e : children.getOrDefault(id, List.of())) {
      Node c = nodes.get(e.child());
      int pos = c != null && e.position() >= c.inputs ? DependencyEdge.ADDED : e.position();
      out.add(new DependencyEdge(Long.toString(id), Long.toString(e.child()), e.policy(), pos));
    }
    return out;
  }

  /** True if a WAITING job still waits for {@code id} to end (or needs its end as input). */
  boolean awaited(long id) {
    for (Edge e : children.getOrDefault(id, List.of())) {
      if (host.stateOf(e.child()) == JobState.WAITING) {
        return true;
      }
    }
    return false;
  }

  /** Forgets a deleted job. */
  void deleted(long id) {
    nodes.remove(id);
    children.remove(id);
  }
}
