package dev.spindle.web.internal;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.ResumePlan;
import dev.spindle.queue.WorkflowGraph;
import dev.spindle.queue.spi.DependencyEdge;
import dev.spindle.queue.spi.ResumeMove;
import dev.spindle.queue.spi.WorkflowControl;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A whole workflow for the REST API ({@code GET /api/v1/workflows/{id}}) and its page: every job
 * (id, task, state, attempt, depth) and edge, and the graph drawn as a layered SVG (no script
 * library: each job is a box in the column of its depth, each edge a line). Only ids, tasks and
 * states are shown, never arguments or results. Stateless.
 */
final class WorkflowView {
  private static final int COLUMN = 210;
  private static final int ROW = 56;
  private static final int BOX_W = 170;
  private static final int BOX_H = 40;

  private WorkflowView() {}

  static ObjectNode toJson(String id, WorkflowGraph g) {
    ObjectNode o = Json.object();
    o.put("id", id);
    o.put("truncated", g.truncated());
    Map<String, Integer> layers = g.layers();
    ArrayNode jobs = o.putArray("jobs");
    for (JobInfo j : g.jobs()) {
      ObjectNode n = jobs.addObject();
      n.put("id", j.id());
      n.put("task", j.task());
      n.put("state", j.state().name());
      n.put("attempt", j.attempt());
      n.put("layer", layers.getOrDefault(j.id(), 0));
    }
    ArrayNode edges = o.putArray("edges");
    for (DependencyEdge e : g.edges()) {
      ObjectNode n = edges.addObject();
      n.put("from", e.parentId());
      n.put("to", e.childId());
      n.put("policy", e.policy().name());
      n.put("input", e.position() >= 0);
    }
    return o;
  }

  static ObjectNode planJson(ResumePlan p, WorkflowGraph g) {
    ObjectNode o = Json.object();
    o.put("node", p.nodeId());
    o.put("task", p.task());
    o.put("applied", p.applied());
    o.put("argsEdited", p.argsEdited());
    o.put("summary", p.summary());
    ArrayNode moves = o.putArray("moves");
    for (ResumeMove m : p.moves()) {
      ObjectNode n = moves.addObject();
      n.put("id", m.jobId());
      n.put("task", g.job(m.jobId()).map(JobInfo::task).orElse(null));
      n.put("from", m.from().name());
      n.put("to", m.to().name());
    }
    return o;
  }

  /** The page's body: the graph, the jobs as a list, and (for an operator) the resume form. */
  static String toHtml(String id, WorkflowGraph g, boolean operator) {
    StringBuilder b = new StringBuilder("<h1>Workflow of job ").append(Html.esc(id)).append("</h1>");
    b.append("<p class=\"muted\" id=\"workflow-summary\" data-live=\"workflow\" data-workflow-id=\"").append(Html.esc(id)).append("\">")
        .append(g.jobs().size()).append(" jobs, ").append(g.edges().size()).append(" dependencies")
        .append(g.truncated() ? " (only the first " + g.jobs().size() + " jobs read)" : "").append("; states update"
            + " live.</p>");
    svg(b, g);
    list(b, g);
    List<JobInfo> failed = g.jobs().stream().filter(j -> WorkflowControl.resumableStates().contains(j.state()))
        .toList();
    if (operator && !failed.isEmpty()) {
      resumeForm(b, id, failed);
    }
    return b.toString();
  }

  private static void svg(StringBuilder b, WorkflowGraph g) {
    Map<String, Integer> layers = g.layers();
    Map<Integer, List<JobInfo>> columns = new TreeMap<>();
    for (JobInfo j : g.jobs()) {
      columns.computeIfAbsent(layers.getOrDefault(j.id(), 0), k -> new ArrayList<>()).add(j);
    }
    Map<String, int[]> at = new HashMap<>();
    int rows = 1;
    for (Map.Entry<Integer, List<JobInfo>> c : columns.entrySet()) {
      List<JobInfo> col = c.getValue();
      rows = Math.max(rows, col.size());
      for (int i = 0; i < col.size(); i++) {
        at.put(col.get(i).id(), new int[] {10 + c.getKey() * COLUMN, 10 + i * ROW});
      }
    }
    int width = 20 + Math.max(1, columns.size()) * COLUMN;
    int height = 20 + rows * ROW;
    b.append("<div class=\"wrap\"><svg id=\"workflow-graph\" class=\"workflow\" role=\"img\" aria-label=\"workflow"
        + " graph\" width=\"").append(width).append("\" height=\"").append(height).append("\" viewBox=\"0 0 ")
        .append(width).append(' ').append(height).append("\" xmlns=\"http://www.w3.org/2000/svg\">");
    for (DependencyEdge e : g.edges()) {
      int[] from = at.get(e.parentId());
      int[] to = at.get(e.childId());
      if (from == null || to == null) {
        continue; // a purged end
      }
      b.append("<line class=\"edge ").append(e.policy().name()).append("\" data-edge=\"").append(Html.esc(
          e.parentId() + "-" + e.childId())).append("\" x1=\"").append(from[0] + BOX_W).append("\" y1=\"")
          .append(from[1] + BOX_H / 2).append("\" x2=\"").append(to[0]).append("\" y2=\"").append(to[1] + BOX_H / 2)
          .append("\"><title>").append(Html.esc(policy(e))).append("</title></line>");
    }
    for (JobInfo j : g.jobs()) {
      int[] p = java.util.Objects.requireNonNull(at.get(j.id()), "every job has a place");
      b.append("<a href=\"jobs/").append(Html.esc(j.id())).append("\"><g class=\"node\" data-node=\"")
          .append(Html.esc(j.id())).append("\"><rect class=\"state ").append(j.state().name()).append("\" x=\"")
          .append(p[0]).append("\" y=\"").append(p[1]).append("\" width=\"").append(BOX_W).append("\" height=\"")
          .append(BOX_H).append("\" rx=\"6\"></rect><text x=\"").append(p[0] + 8).append("\" y=\"").append(p[1] + 16)
          .append("\">#").append(Html.esc(j.id())).append(' ').append(Html.esc(cut(j.task(), 18)))
          .append("</text><text class=\"node-state\" x=\"").append(p[0] + 8).append("\" y=\"").append(p[1] + 32)
          .append("\">").append(j.state().name()).append("</text></g></a>");
    }
    b.append("</svg></div>");
  }

  private static void list(StringBuilder b, WorkflowGraph g) {
    b.append("<h2>Jobs</h2><div class=\"wrap\"><table id=\"workflow-jobs\"><thead><tr><th>ID</th><th>Task</th>"
        + "<th>State</th><th class=\"num\">Try</th><th>Waits for</th></tr></thead><tbody>");
    for (JobInfo j : g.jobs()) {
      b.append("<tr data-job=\"").append(Html.esc(j.id())).append("\"><td><a href=\"jobs/").append(Html.esc(j.id()))
          .append("\">").append(Html.esc(j.id())).append("</a></td><td>").append(Html.esc(j.task()))
          .append("</td><td><span class=\"state ").append(j.state().name()).append("\">").append(j.state().name())
          .append("</span></td><td class=\"num\">").append(j.attempt()).append("</td><td>");
      List<DependencyEdge> in = g.edgesInto(j.id());
      for (int i = 0; i < in.size(); i++) {
        b.append(i == 0 ? "" : ", ").append("#").append(Html.esc(in.get(i).parentId())).append(" <small>")
            .append(Html.esc(policy(in.get(i)))).append("</small>");
      }
      b.append(in.isEmpty() ? "-" : "").append("</td></tr>");
    }
    b.append("</tbody></table></div>");
  }

  private static void resumeForm(StringBuilder b, String id, List<JobInfo> failed) {
    b.append("<h2>Resume</h2><form id=\"resume-form\" class=\"actions\" data-api=\"api/v1/workflows/")
        .append(Html.esc(id)).append("/resume\"><label>Failed node <select name=\"node\" id=\"resume-node\">");
    for (JobInfo j : failed) {
      b.append("<option value=\"").append(Html.esc(j.id())).append("\">#").append(Html.esc(j.id())).append(' ')
          .append(Html.esc(j.task())).append(" (").append(j.state().name()).append(")</option>");
    }
    b.append("</select></label> <label>New arguments (JSON; empty keeps its own) <textarea name=\"args\""
        + " id=\"resume-args\" rows=\"2\" cols=\"40\"></textarea></label> <button type=\"submit\""
        + " id=\"resume-preview\">Resume\u2026</button></form><div id=\"resume-plan\" hidden></div>");
  }

  private static String policy(DependencyEdge e) {
    return e.policy().name().toLowerCase(Locale.ROOT).replace('_', ' ') + (e.position() < 0 ? ", added" : "");
  }

  private static String cut(String s, int n) {
    return s.length() <= n ? s : s.substring(0, n - 1) + "\u2026";
  }
}
