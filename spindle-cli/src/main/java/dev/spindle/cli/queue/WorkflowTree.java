package dev.spindle.cli.queue;

import dev.spindle.queue.DependencyPolicy;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.spi.DependencyEdge;
import dev.spindle.queue.spi.JobInspector;
import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Prints the workflow around a job as an indented tree: its roots (jobs that depend on nothing),
 * then each job's dependents below it. A job reached again through a second dependency is shown
 * once more as a reference. Bounded by a line limit. Not thread-safe.
 */
final class WorkflowTree {
  private static final int MAX_NODES = 100_000;

  private final JobInspector inspector;
  private final Function<String, Optional<JobInfo>> find;
  private final int maxLines;
  private final Map<String, List<DependencyEdge>> edges = new HashMap<>();
  private int lines;
  private int hidden;

  WorkflowTree(JobInspector inspector, Function<String, Optional<JobInfo>> find, int maxLines) {
    this.inspector = inspector;
    this.find = find;
    this.maxLines = maxLines;
  }

  private List<DependencyEdge> edges(String id) {
    return edges.computeIfAbsent(id, inspector::dependencyEdges);
  }

  /** Prints the tree of the workflow {@code id} belongs to. */
  void print(PrintStream out, String id) {
    Set<String> roots = new LinkedHashSet<>();
    Set<String> seen = new HashSet<>();
    ArrayDeque<String> up = new ArrayDeque<>(List.of(id));
    while (!up.isEmpty() && seen.size() < MAX_NODES) {
      String at = up.poll();
      if (!seen.add(at)) {
        continue;
      }
      boolean hasParent = false;
      for (DependencyEdge e : edges(at)) {
        if (e.childId().equals(at)) {
          hasParent = true;
          up.add(e.parentId());
        }
      }
      if (!hasParent) {
        roots.add(at);
      }
    }
    Set<String> shown = new HashSet<>();
    for (String r : roots) {
      walk(out, r, "", null, shown, id);
    }
    if (hidden > 0) {
      out.println("... " + hidden + " more job(s) (raise --max-lines)");
    }
  }

  private void walk(PrintStream out, String root, String indent0, @Nullable DependencyPolicy via0, Set<String> shown,
      String marked) {
    record Item(String id, String indent, @Nullable DependencyPolicy via) {}
    ArrayDeque<Item> stack = new ArrayDeque<>();
    stack.push(new Item(root, indent0, via0));
    while (!stack.isEmpty()) {
      Item it = stack.pop();
      if (lines >= maxLines) {
        hidden++;
        continue;
      }
      lines++;
      String label = find.apply(it.id()).map(j -> j.task() + "  " + j.state()).orElse("(purged)");
      String via = it.via() == null || it.via() == DependencyPolicy.REQUIRE_SUCCESS ? ""
          : "  [" + it.via().name().toLowerCase(java.util.Locale.ROOT) + "]";
      String mark = it.id().equals(marked) ? "  <--" : "";
      if (!shown.add(it.id())) {
        out.println(it.indent() + "#" + it.id() + " " + label + via + "  (shown above)");
        continue;
      }
      out.println(it.indent() + "#" + it.id() + " " + label + via + mark);
      List<DependencyEdge> kids = new ArrayList<>();
      for (DependencyEdge e : edges(it.id())) {
        if (e.parentId().equals(it.id())) {
          kids.add(e);
        }
      }
      for (int i = kids.size() - 1; i >= 0; i--) {
        stack.push(new Item(kids.get(i).childId(), it.indent() + "  ", kids.get(i).policy()));
      }
    }
  }
}
