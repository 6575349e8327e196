package dev.spindle.queue;

import dev.spindle.Task;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A graph of jobs that depend on each other, submitted at once with {@link JobQueue#submit}: chains
 * (each output is the next input), groups (in parallel; results kept in member order), chords (a
 * group and a callback that receives all results), callbacks on completion, success or failure,
 * and any acyclic graph ({@link #dag()}), nested to any depth. Immutable; combining returns new
 * workflows. Thread-safe.
 *
 * <p>A node made with {@link #task(Task, Object)} has an input of its own (never a {@code null} one,
 * unless its task takes {@link Void}); a node made with {@link #fromUpstream(Task)} is fed by its
 * dependencies (see {@link WorkflowInput}): the result of its single dependency, the array of its
 * dependencies' results in declaration order, or, when it runs after failures too, the array of
 * their {@link JobOutcome}s.
 *
 * <pre>{@code
 * Workflow w = Workflow.chord(
 *     Workflow.group(Workflow.task(DOWNLOAD, url1), Workflow.task(DOWNLOAD, url2)),
 *     Workflow.fromUpstream(CONTACT_SHEET));      // receives [result1, result2]
 * WorkflowHandle h = queue.submit(w);
 * }</pre>
 */
public final class Workflow {
  /** One job of the graph. */
  record Node(Task<?, ?> task, @Nullable Object input, boolean hasInput, @Nullable JobOptions options,
      List<Edge> deps, DependencyPolicy incoming, @Nullable String name) {
    Node withDeps(List<Edge> more, DependencyPolicy policy) {
      List<Edge> all = new ArrayList<>(deps);
      for (Edge e : more) {
        all.add(new Edge(e.parent(), policy));
      }
      return new Node(task, input, hasInput, options, List.copyOf(all), incoming, name);
    }

    Node shifted(int by) {
      List<Edge> moved = new ArrayList<>(deps.size());
      for (Edge e : deps) {
        moved.add(new Edge(e.parent() + by, e.policy()));
      }
      return new Node(task, input, hasInput, options, moved, incoming, name);
    }

    /** Where its input comes from. */
    WorkflowInput inputMode() {
      if (hasInput || deps.isEmpty()) {
        return WorkflowInput.ARGS;
      }
      for (Edge e : deps) {
        if (e.policy().passesOutcome()) {
          return WorkflowInput.OUTCOMES;
        }
      }
      return deps.size() == 1 ? WorkflowInput.RESULT : WorkflowInput.RESULTS;
    }
  }

  /** A dependency on the node at {@code parent} (an index into the nodes). */
  record Edge(int parent, DependencyPolicy policy) {}

  private final List<Node> nodes; // topologically ordered: every edge points to an earlier node
  private final List<Integer> entries;
  private final List<Integer> exits;

  private Workflow(List<Node> nodes, List<Integer> entries, List<Integer> exits) {
    this.nodes = List.copyOf(nodes);
    this.entries = List.copyOf(entries);
    this.exits = List.copyOf(exits);
  }

  /**
   * One job of {@code task} with its own input and the queue's default options.
   *
   * @throws IllegalArgumentException if {@code input} is null and the task's input type is not
   *     {@link Void} (a step fed by the jobs it depends on is {@link #fromUpstream(Task)})
   */
  public static <I> Workflow task(Task<I, ?> task, I input) {
    return task(task, input, null);
  }

  /**
   * One job of {@code task} with its own input and these options ({@code null}: the queue's defaults).
   *
   * @throws IllegalArgumentException if {@code input} is null and the task's input type is not
   *     {@link Void} (a step fed by the jobs it depends on is {@link #fromUpstream(Task, JobOptions)})
   */
  public static <I> Workflow task(Task<I, ?> task, I input, @Nullable JobOptions options) {
    Objects.requireNonNull(task, "task");
    checkInput(task, input);
    return single(new Node(task, input, true, options, List.of(), DependencyPolicy.REQUIRE_SUCCESS, null));
  }

  /**
   * One job of {@code task} fed by the jobs it depends on, with the queue's default options: its
   * input is the result of its single dependency, or the array of its dependencies' results (see
   * {@link WorkflowInput}). Compare {@link #task(Task, Object)}, a job with an input of its own.
   *
   * @param task the task
   * @return the one-job workflow
   */
  public static Workflow fromUpstream(Task<?, ?> task) {
    return fromUpstream(task, null);
  }

  /**
   * The former name of {@link #fromUpstream(Task)}, kept while documentation moves to it.
   *
   * @param task the task
   * @return the one-job workflow
   * @deprecated use {@link #fromUpstream(Task)}: its name says the input comes from the upstream jobs
   */
  @Deprecated(forRemoval = true)
  public static Workflow task(Task<?, ?> task) {
    return fromUpstream(task);
  }

  /**
   * {@link #fromUpstream(Task)} with these options.
   *
   * @param task the task
   * @param options the job's options ({@code null}: the queue's defaults)
   * @return the one-job workflow
   */
  public static Workflow fromUpstream(Task<?, ?> task, @Nullable JobOptions options) {
    Objects.requireNonNull(task, "task");
    return single(new Node(task, null, false, options, List.of(), DependencyPolicy.REQUIRE_SUCCESS, null));
  }

  /**
   * Refuses a {@code null} own input for a task that expects a value: it almost always means the
   * step was meant to be fed by its dependencies, and would otherwise run on a literal null.
   */
  private static void checkInput(Task<?, ?> task, @Nullable Object input) {
    if (input == null && task.inputType() != Void.class && task.inputType() != void.class) {
      throw new IllegalArgumentException("task '" + task.name() + "' was given a null input, but it takes "
          + task.inputType().getTypeName() + "; for a step fed by the results of the jobs it depends on use"
          + " Workflow.fromUpstream(task) (Workflow.dag(): nodeFromUpstream(name, task)); only a task whose"
          + " input type is Void takes null");
    }
  }

  private static Workflow single(Node n) {
    return new Workflow(List.of(n), List.of(0), List.of(0));
  }

  /** Each step after the previous one; a step without its own input gets the previous step's output. */
  public static Workflow chain(Workflow... steps) {
    if (steps.length == 0) {
      throw new IllegalArgumentException("a chain needs at least one step");
    }
    Workflow w = steps[0];
    for (int i = 1; i < steps.length; i++) {
      w = w.then(steps[i]);
    }
    return w;
  }

  /** The members side by side, independent of each other; their results keep the members' order. */
  public static Workflow group(Workflow... members) {
    return group(Arrays.asList(members));
  }

  /** {@link #group(Workflow...)} over a list. */
  public static Workflow group(List<Workflow> members) {
    if (members.isEmpty()) {
      throw new IllegalArgumentException("a group needs at least one member");
    }
    List<Node> all = new ArrayList<>();
    List<Integer> entries = new ArrayList<>();
    List<Integer> exits = new ArrayList<>();
    for (Workflow m : members) {
      int base = all.size();
      for (Node n : m.nodes) {
        all.add(n.shifted(base));
      }
      m.entries.forEach(e -> entries.add(e + base));
      m.exits.forEach(e -> exits.add(e + base));
    }
    return new Workflow(all, entries, exits);
  }

  /** A group and a callback that runs once every member succeeded, with all their results. */
  public static Workflow chord(Workflow header, Workflow callback) {
    return header.then(callback);
  }

  /** This, then {@code next} once this succeeded (fail fast: a failure cancels {@code next}). */
  public Workflow then(Workflow next) {
    return join(next, null);
  }

  /** This, then {@code callback} however this ended (a {@code finally}); it receives the outcomes. */
  public Workflow onComplete(Workflow callback) {
    return join(callback, DependencyPolicy.ALWAYS);
  }

  /** This, then {@code callback} only if a job of this did not succeed; it receives the outcomes. */
  public Workflow onFailure(Workflow callback) {
    return join(callback, DependencyPolicy.ON_FAILURE);
  }

  /**
   * This workflow, whose first jobs run even when what they follow failed (not when it was
   * cancelled); they receive the outcomes. Applies when it is joined after another with
   * {@link #then}.
   */
  public Workflow allowingFailure() {
    List<Node> all = new ArrayList<>(nodes);
    for (int e : entries) {
      Node n = all.get(e);
      all.set(e, new Node(n.task(), n.input(), n.hasInput(), n.options(), n.deps(), DependencyPolicy.ALLOW_FAILURE,
          n.name()));
    }
    return new Workflow(all, entries, exits);
  }

  private Workflow join(Workflow next, @Nullable DependencyPolicy forced) {
    Objects.requireNonNull(next, "next");
    List<Node> all = new ArrayList<>(nodes);
    int base = all.size();
    List<Edge> fromExits = new ArrayList<>();
    for (int x : exits) {
      fromExits.add(new Edge(x, DependencyPolicy.REQUIRE_SUCCESS));
    }
    for (int i = 0; i < next.nodes.size(); i++) {
      Node n = next.nodes.get(i).shifted(base);
      if (next.entries.contains(i)) {
        n = n.withDeps(fromExits, forced != null ? forced : n.incoming());
      }
      all.add(n);
    }
    List<Integer> exitsAfter = new ArrayList<>();
    next.exits.forEach(e -> exitsAfter.add(e + base));
    return new Workflow(all, entries, exitsAfter);
  }

  /** The number of jobs. */
  public int size() {
    return nodes.size();
  }

  List<Node> nodes() {
    return nodes;
  }

  List<Integer> exits() {
    return Collections.unmodifiableList(exits);
  }

  /** A builder for any acyclic graph of named jobs. */
  public static Dag dag() {
    return new Dag();
  }

  /**
   * Builds an acyclic graph of named jobs: {@code node} adds jobs, {@code edge} says which waits for
   * which. Not thread-safe.
   */
  public static final class Dag {
    private final Map<String, Node> byName = new LinkedHashMap<>();
    private final Map<String, List<String[]>> edges = new LinkedHashMap<>();

    private Dag() {}

    /**
     * A job with its own input.
     *
     * @throws IllegalArgumentException if {@code input} is null and the task's input type is not
     *     {@link Void} (a job fed by its dependencies is {@link #nodeFromUpstream})
     */
    public <I> Dag node(String name, Task<I, ?> task, I input) {
      checkInput(Objects.requireNonNull(task, "task"), input);
      return add(name, new Node(task, input, true, null, List.of(), DependencyPolicy.REQUIRE_SUCCESS, name));
    }

    /**
     * A job fed by its dependencies: their result(s) are its input (see {@link WorkflowInput}).
     *
     * @param name the node's name, unique in the graph
     * @param task the task
     * @return this builder
     */
    public Dag nodeFromUpstream(String name, Task<?, ?> task) {
      return add(name, new Node(task, null, false, null, List.of(), DependencyPolicy.REQUIRE_SUCCESS, name));
    }

    private Dag add(String name, Node n) {
      Objects.requireNonNull(n.task(), "task");
      if (byName.putIfAbsent(Objects.requireNonNull(name, "name"), n) != null) {
        throw new IllegalArgumentException("the workflow already has a node named '" + name + "'");
      }
      edges.put(name, new ArrayList<>());
      return this;
    }

    /** {@code to} runs after {@code from} succeeded (fail fast). */
    public Dag edge(String from, String to) {
      return edge(from, to, DependencyPolicy.REQUIRE_SUCCESS);
    }

    /** {@code to} waits for {@code from}, under {@code policy}. */
    public Dag edge(String from, String to, DependencyPolicy policy) {
      for (String n : List.of(from, to)) {
        if (!byName.containsKey(n)) {
          throw new IllegalArgumentException("the workflow has no node named '" + n + "'");
        }
      }
      if (from.equals(to)) {
        throw new IllegalArgumentException("node '" + from + "' cannot depend on itself");
      }
      edgesOf(to).add(new String[] {from, Objects.requireNonNull(policy, "policy").name()});
      return this;
    }

    /** The edges into a node added by {@link #add}. */
    private List<String[]> edgesOf(String name) {
      return Objects.requireNonNull(edges.get(name), name);
    }

    /** A value every node added by {@link #add} has in {@code map}. */
    private static <V> V of(Map<String, V> map, String name) {
      return Objects.requireNonNull(map.get(name), name);
    }

    /**
     * The workflow, its nodes in dependency order.
     *
     * @throws IllegalArgumentException if the edges form a cycle (naming it)
     */
    public Workflow build() {
      if (byName.isEmpty()) {
        throw new IllegalArgumentException("a workflow needs at least one node");
      }
      Map<String, Integer> waiting = new HashMap<>();
      Map<String, List<String>> dependents = new HashMap<>();
      for (var e : edges.entrySet()) {
        waiting.put(e.getKey(), e.getValue().size());
        for (String[] d : e.getValue()) {
          dependents.computeIfAbsent(d[0], k -> new ArrayList<>()).add(e.getKey());
        }
      }
      ArrayDeque<String> ready = new ArrayDeque<>();
      byName.keySet().forEach(n -> {
        if (of(waiting, n) == 0) {
          ready.add(n);
        }
      });
      Map<String, Integer> index = new HashMap<>();
      List<Node> out = new ArrayList<>();
      List<Integer> entries = new ArrayList<>();
      while (!ready.isEmpty()) {
        String name = ready.remove();
        List<Edge> deps = new ArrayList<>();
        for (String[] d : edgesOf(name)) {
          deps.add(new Edge(of(index, d[0]), DependencyPolicy.valueOf(d[1])));
        }
        Node n = of(byName, name);
        if (deps.isEmpty()) {
          entries.add(out.size());
        }
        index.put(name, out.size());
        out.add(new Node(n.task(), n.input(), n.hasInput(), n.options(), deps, n.incoming(), name));
        for (String c : dependents.getOrDefault(name, List.of())) {
          if (waiting.merge(c, -1, Integer::sum) == 0) {
            ready.add(c);
          }
        }
      }
      if (out.size() < byName.size()) {
        throw new IllegalArgumentException("the workflow has a cycle: " + cycle(index.keySet()));
      }
      List<Integer> exits = new ArrayList<>();
      for (int i = 0; i < out.size(); i++) {
        if (!dependents.containsKey(out.get(i).name())) {
          exits.add(i);
        }
      }
      return new Workflow(out, entries, exits);
    }

    /** One cycle among the nodes not ordered, as "a -> b -> a". */
    private String cycle(java.util.Set<String> ordered) {
      String start = byName.keySet().stream().filter(n -> !ordered.contains(n)).findFirst().orElseThrow();
      List<String> path = new ArrayList<>();
      String at = start;
      while (!path.contains(at)) {
        path.add(at);
        String next = null;
        for (String[] d : edgesOf(at)) {
          if (!ordered.contains(d[0])) {
            next = d[0];
            break;
          }
        }
        at = Objects.requireNonNull(next, "a node left out of the order waits for another left out");
      }
      List<String> loop = new ArrayList<>(path.subList(path.indexOf(at), path.size()));
      Collections.reverse(loop);
      loop.add(loop.get(0));
      return String.join(" -> ", loop);
    }
  }
}
