package dev.spindle.web.internal;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.spi.DependencyEdge;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A job's place in its workflow: the jobs it waits for and the jobs waiting for it, each with its
 * task and state, for the REST API ({@code GET /api/v1/jobs/{id}/dependencies}) and the job page.
 * Immutable.
 *
 * @param dependsOn the edges into the job, its inputs first (then children a dependency added)
 * @param dependents the edges out of it
 * @param jobs the job at the other end of each edge, in the same order ({@code dependsOn} then
 *     {@code dependents}); empty where it was purged
 */
record DependencyView(List<DependencyEdge> dependsOn, List<DependencyEdge> dependents, List<Optional<JobInfo>> jobs) {
  /** The neighbours of job {@code id}. */
  static DependencyView of(String id, List<DependencyEdge> edges, Function<String, Optional<JobInfo>> find) {
    List<DependencyEdge> in = new ArrayList<>();
    List<DependencyEdge> out = new ArrayList<>();
    for (DependencyEdge e : edges) {
      (e.childId().equals(id) ? in : out).add(e);
    }
    List<Optional<JobInfo>> jobs = new ArrayList<>();
    in.forEach(e -> jobs.add(find.apply(e.parentId())));
    out.forEach(e -> jobs.add(find.apply(e.childId())));
    return new DependencyView(List.copyOf(in), List.copyOf(out), List.copyOf(jobs));
  }

  boolean isEmpty() {
    return dependsOn.isEmpty() && dependents.isEmpty();
  }

  ObjectNode toJson(String id) {
    ObjectNode o = Json.object();
    o.put("id", id);
    o.set("dependsOn", array(dependsOn, 0, true));
    o.set("dependents", array(dependents, dependsOn.size(), false));
    return o;
  }

  private ArrayNode array(List<DependencyEdge> edges, int offset, boolean parents) {
    ArrayNode a = Json.array();
    for (int i = 0; i < edges.size(); i++) {
      DependencyEdge e = edges.get(i);
      ObjectNode n = a.addObject();
      n.put("id", parents ? e.parentId() : e.childId());
      n.put("policy", e.policy().name());
      n.put("input", e.position() >= 0);
      Optional<JobInfo> j = jobs.get(offset + i);
      n.put("task", j.map(JobInfo::task).orElse(null));
      n.put("state", j.map(x -> x.state().name()).orElse(null));
    }
    return a;
  }

  /** The job page's section: two lists of linked jobs. */
  String toHtml() {
    StringBuilder b = new StringBuilder("<h2>Workflow</h2><div class=\"deps\">");
    list(b, "Waits for", dependsOn, 0, true);
    list(b, "Waited for by", dependents, dependsOn.size(), false);
    return b.append("</div>").toString();
  }

  private void list(StringBuilder b, String title, List<DependencyEdge> edges, int offset, boolean parents) {
    if (edges.isEmpty()) {
      return;
    }
    b.append("<h3>").append(title).append("</h3><ul class=\"").append(parents ? "parents" : "dependents")
        .append("\">");
    for (int i = 0; i < edges.size(); i++) {
      DependencyEdge e = edges.get(i);
      String other = parents ? e.parentId() : e.childId();
      Optional<JobInfo> j = jobs.get(offset + i);
      b.append("<li><a href=\"jobs/").append(Html.esc(other)).append("\">#").append(Html.esc(other)).append("</a> ")
          .append(Html.esc(j.map(JobInfo::task).orElse("(purged)")));
      j.ifPresent(x -> b.append(" <span class=\"state ").append(x.state().name()).append("\">")
          .append(x.state().name()).append("</span>"));
      b.append(" <small>").append(Html.esc(e.policy().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')))
          .append(e.position() < 0 ? ", added by a running job" : "").append("</small></li>");
    }
    b.append("</ul>");
  }
}
