package dev.spindle.web.internal;

import dev.spindle.supervisor.ControlClient;
import dev.spindle.supervisor.ControlException;
import dev.spindle.supervisor.ManagerStatus;
import dev.spindle.supervisor.RunDirectory;
import dev.spindle.supervisor.ServiceStatus;
import dev.spindle.supervisor.WorkerStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The supervisor masters running on this host, read through their control sockets (what {@code
 * spindle ctl status} does): each master's services and child processes with pid, resident memory,
 * restarts and uptime. One status request per master per read, each with a 2 s timeout; a master
 * that does not answer is listed with the reason. Thread-safe (immutable).
 */
public final class Supervisors {
  private static final Duration TIMEOUT = Duration.ofSeconds(2);

  /**
   * One master.
   *
   * @param name its name (the socket's file name)
   * @param socket its control socket
   * @param status its status, or {@code null} if it did not answer
   * @param error why it did not answer, or {@code null}
   */
  public record Master(String name, Path socket, @Nullable ManagerStatus status, @Nullable String error) {}

  private final @Nullable Path runDirectory;

  /** Masters in {@code runDirectory}, or none if it is {@code null}. */
  public Supervisors(@Nullable Path runDirectory) {
    this.runDirectory = runDirectory;
  }

  /** The run directory searched, or {@code null}. */
  public @Nullable Path runDirectory() {
    return runDirectory;
  }

  /** Reads every master's status now. */
  public List<Master> read() {
    if (runDirectory == null || !Files.isDirectory(runDirectory)) {
      return List.of();
    }
    List<Path> sockets;
    try {
      sockets = RunDirectory.sockets(runDirectory);
    } catch (IOException e) {
      return List.of(new Master("?", runDirectory, null, "cannot list " + runDirectory + ": " + e.getMessage()));
    }
    List<Master> out = new ArrayList<>();
    for (Path p : sockets) {
      String name = p.getFileName().toString().replace(RunDirectory.SUFFIX, "");
      try {
        out.add(new Master(name, p, ControlClient.of(p).withTimeout(TIMEOUT).status(), null));
      } catch (ControlException e) {
        out.add(new Master(name, p, null, e.getMessage()));
      }
    }
    return out;
  }

  /** The JSON form ({@code /api/v1/supervisors}). */
  public static ObjectNode toJson(@Nullable Path runDirectory, List<Master> masters) {
    ObjectNode o = Json.object();
    o.put("runDirectory", runDirectory == null ? null : runDirectory.toString());
    ArrayNode arr = o.putArray("masters");
    for (Master m : masters) {
      ObjectNode x = arr.addObject();
      x.put("name", m.name());
      x.put("socket", m.socket().toString());
      if (m.status() == null) {
        x.put("error", m.error());
        continue;
      }
      ManagerStatus s = m.status();
      x.put("pid", s.pid());
      x.put("state", s.state().name());
      x.put("uptimeSeconds", s.uptime().toSeconds());
      ArrayNode services = x.putArray("services");
      for (ServiceStatus sv : s.services()) {
        ObjectNode y = services.addObject();
        y.put("name", sv.name());
        y.put("class", sv.serviceClass());
        y.put("workers", sv.workers());
        y.put("running", sv.running());
        y.put("crashLooping", sv.crashLooping());
        y.put("restarts", sv.restarts());
        y.put("recycles", sv.recycles());
        ArrayNode children = y.putArray("children");
        for (WorkerStatus w : sv.workerStatuses()) {
          ObjectNode c = children.addObject();
          c.put("workerId", w.workerId());
          c.put("title", w.title());
          c.put("state", w.state().name());
          c.put("pid", w.pid());
          c.put("residentBytes", w.residentBytes());
          c.put("heapUsedBytes", w.heapUsedBytes());
          c.put("restarts", w.restarts());
          c.put("uptimeSeconds", w.uptime().toSeconds());
          c.put("jobs", w.jobs());
          c.put("lastExit", w.lastExit());
        }
      }
    }
    return o;
  }

  /** The workers page's section: a table per master. */
  public static String html(@Nullable Path runDirectory, List<Master> masters) {
    StringBuilder b = new StringBuilder("<h2>Supervised processes on this host</h2>");
    if (masters.isEmpty()) {
      return b.append("<p class=\"muted\" id=\"no-masters\">No supervisor master runs on this host")
          .append(runDirectory == null ? "" : " (no control socket in " + Html.esc(runDirectory) + ")")
          .append(". Start one with ./spindle supervise.</p>").toString();
    }
    for (Master m : masters) {
      b.append("<h3 class=\"master\">").append(Html.esc(m.name()));
      if (m.status() == null) {
        b.append("</h3><p class=\"error\">").append(Html.esc(m.error())).append("</p>");
        continue;
      }
      ManagerStatus s = m.status();
      b.append(" <span class=\"muted\">master pid ").append(s.pid()).append(" · ").append(s.state())
          .append(" · up ").append(Html.human(s.uptime())).append("</span></h3>");
      b.append("<div class=\"wrap\"><table class=\"children\" id=\"master-").append(Html.esc(m.name()))
          .append("\"><thead><tr><th>Service</th><th>Child</th><th class=\"num\">Pid</th><th>State</th>"
              + "<th class=\"num\">RSS</th><th class=\"num\">Restarts</th><th>Up</th><th class=\"num\">Jobs</th>"
              + "<th>Last exit</th></tr></thead><tbody>");
      for (ServiceStatus sv : s.services()) {
        for (WorkerStatus w : sv.workerStatuses()) {
          b.append("<tr data-pid=\"").append(w.pid()).append("\"><td>").append(Html.esc(sv.name()))
              .append(sv.crashLooping() ? " <span class=\"error\">(crash loop)</span>" : "").append("</td><td>")
              .append(w.workerId()).append("</td><td class=\"num\">").append(w.pid() == 0 ? "-" : w.pid())
              .append("</td><td>").append(w.state()).append("</td><td class=\"num\">")
              .append(w.residentBytes() < 0 ? "-" : mib(w.residentBytes())).append("</td><td class=\"num\">")
              .append(w.restarts()).append("</td><td>").append(w.pid() == 0 ? "-" : Html.human(w.uptime()))
              .append("</td><td class=\"num\">").append(w.jobs()).append("</td><td>")
              .append(Html.esc(w.lastExit() == null ? "" : w.lastExit())).append("</td></tr>");
        }
      }
      b.append("</tbody></table></div>");
    }
    return b.toString();
  }

  private static String mib(long bytes) {
    return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
  }
}
