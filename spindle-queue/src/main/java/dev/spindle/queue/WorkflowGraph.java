package dev.spindle.queue;

import dev.spindle.queue.spi.DependencyEdge;
import dev.spindle.queue.spi.JobInspector;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * A whole workflow as the store holds it now: every job reachable from one of its jobs through
 * dependency edges (either way), with the edges. Jobs are read as stored: show them through a
 * {@link Redaction} before displaying them. Immutable.
 *
 * @param jobs the jobs found, by id in ascending order (a purged job is absent, its edges kept)
 * @param edges every edge between them, once each
 * @param truncated true if the walk stopped at its limit of jobs (the graph is then partial)
 */
public record WorkflowGraph(List<JobInfo> jobs, List<DependencyEdge> edges, boolean truncated) {
  /** The default most jobs {@link #read} walks. */
  public static final int DEFAULT_MAX_JOBS = 1_000;

  /** Copies the lists. */
  public WorkflowGraph {
    jobs = List.copyOf(jobs);
    edges = List.copyOf(edges);
  }

  /**
   * Reads the workflow of job {@code jobId}: two store calls per job (its edges, itself), at most
   * {@code maxJobs} jobs.
   *
   * @throws JobNotFoundException if there is no such job
   * @throws IllegalArgumentException if {@code maxJobs < 1}
   */
  public static WorkflowGraph read(JobInspector inspector, Function<String, Optional<JobInfo>> find, String jobId,
      int maxJobs) {
    if (maxJobs < 1) {
      throw new IllegalArgumentException("maxJobs must be >= 1: " + maxJobs);
    }
    JobInfo first = find.apply(jobId).orElseThrow(() -> new JobNotFoundException(jobId));
    Map<String, JobInfo> jobs = new LinkedHashMap<>();
    Set<DependencyEdge> edges = new LinkedHashSet<>();
    Set<String> seen = new LinkedHashSet<>(List.of(first.id()));
    ArrayDeque<String> todo = new ArrayDeque<>(List.of(first.id()));
    jobs.put(first.id(), first);
    boolean truncated = false;
    for (String id; (id = todo.poll()) != null; ) {
      if (!jobs.containsKey(id)) {
        Optional<JobInfo> j = find.apply(id);
        if (j.isEmpty()) {
          continue; // purged: its edges were told by its neighbours
        }
        jobs.put(id, j.get());
      }
      List<DependencyEdge> around;
      try {
        around = inspector.dependencyEdges(id);
      } catch (JobNotFoundException e) {
        jobs.remove(id); // purged meanwhile
        continue;
      }
      for (DependencyEdge e : around) {
        edges.add(e);
        for (String other : List.of(e.parentId(), e.childId())) {
          if (seen.size() >= maxJobs && !seen.contains(other)) {
            truncated = true;
          } else if (seen.add(other)) {
            todo.add(other);
          }
        }
      }
    }
    List<JobInfo> sorted = new ArrayList<>(jobs.values());
    sorted.sort(Comparator.comparing(JobInfo::id, WorkflowGraph::compareIds));
    List<DependencyEdge> kept = truncated ? edges.stream()
        .filter(e -> seen.contains(e.parentId()) && seen.contains(e.childId())).toList() : List.copyOf(edges);
    return new WorkflowGraph(sorted, kept, truncated);
  }

  /** The job with this id, if the graph holds it. */
  public Optional<JobInfo> job(String id) {
    return jobs.stream().filter(j -> j.id().equals(id)).findFirst();
  }

  /** The edges into {@code id}: its inputs in order, then dependencies a running job added. */
  public List<DependencyEdge> edgesInto(String id) {
    return edges.stream().filter(e -> e.childId().equals(id))
        .sorted(Comparator.comparing((DependencyEdge e) -> e.position() < 0).thenComparingInt(DependencyEdge::position))
        .toList();
  }

  /** The edges out of {@code id}. */
  public List<DependencyEdge> edgesOutOf(String id) {
    return edges.stream().filter(e -> e.parentId().equals(id)).toList();
  }

  /**
   * The depth of each job: 0 for a job with no dependency in the graph, else one more than its
   * deepest dependency's. For drawing the graph in layers.
   */
  public Map<String, Integer> layers() {
    Map<String, Integer> depth = new LinkedHashMap<>();
    jobs.forEach(j -> depth.put(j.id(), 0));
    // longest path by relaxation: a DAG of n jobs settles in at most n rounds
    for (int round = 0; round < jobs.size(); round++) {
      boolean changed = false;
      for (DependencyEdge e : edges) {
        Integer p = depth.get(e.parentId());
        Integer c = depth.get(e.childId());
        if (p != null && c != null && c < p + 1) {
          depth.put(e.childId(), p + 1);
          changed = true;
        }
      }
      if (!changed) {
        break;
      }
    }
    return depth;
  }

  private static int compareIds(String a, String b) {
    return a.length() != b.length() ? Integer.compare(a.length(), b.length()) : a.compareTo(b);
  }
}
