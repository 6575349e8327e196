package dev.spindle.web.internal;

import static dev.spindle.web.internal.Html.esc;

import dev.spindle.queue.AttemptsView;
import java.time.Duration;

/**
 * The attempts ledger on the dashboard's job page: a table with a row per attempt (number, outcome,
 * worker, host, fence, start, end and run time, and the attempt's own error, its stack behind a
 * disclosure), a warning when the job's body may have run twice at once, and the writes the fence
 * refused. Everything shown is escaped; errors come redacted ({@link AttemptsView}). Stateless.
 */
final class AttemptsHtml {
  private AttemptsHtml() {}

  /** The section for {@code v} (nothing for a job that has not been claimed yet). */
  static String of(AttemptsView v) {
    if (v.attempts().isEmpty() && v.refused().isEmpty()) {
      return "";
    }
    StringBuilder b = new StringBuilder("<h2>Attempts</h2>");
    if (v.duplicate()) {
      b.append("<p class=\"note\" id=\"job-duplicate\">This job's body may have run more than once at the same"
          + " time: a worker lost its lease while running it")
          .append(v.refused().isEmpty() ? "." : ", and the store refused its late writes (below).").append("</p>");
    }
    b.append("<table class=\"attempts\" id=\"job-attempts\"><thead><tr><th>#</th><th>Outcome</th><th>Worker</th>"
        + "<th>Host</th><th>Fence</th><th>Started</th><th>Ended</th><th>Error</th></tr></thead><tbody>");
    for (AttemptsView.Attempt a : v.attempts()) {
      String outcome = a.outcome() == null ? "RUNNING" : a.outcome();
      b.append("<tr data-fence=\"").append(a.fence()).append("\"><td>").append(a.number()).append("</td><td>")
          .append("<span class=\"state ").append(esc(outcome)).append("\">")
          .append(esc(outcome)).append("</span></td><td>").append(esc(a.workerId())).append("</td><td>")
          .append(a.host() == null ? "-" : esc(a.host())).append("</td><td>").append(a.fence()).append("</td><td>")
          .append(Html.time(a.startedAt())).append("</td><td>").append(ended(a)).append("</td><td class=\"error\">")
          .append(error(a)).append("</td></tr>");
    }
    b.append("</tbody></table><p class=\"muted\">The last ").append(v.keep()).append(" claims are kept.</p>");
    if (!v.refused().isEmpty()) {
      b.append("<h3>Refused writes</h3><table class=\"refused\" id=\"job-refused\"><thead><tr><th>Worker</th>"
          + "<th>Fence</th><th>Tried</th><th>At</th></tr></thead><tbody>");
      for (AttemptsView.Refused r : v.refused()) {
        b.append("<tr><td>").append(esc(r.workerId())).append("</td><td>").append(r.fence()).append("</td><td>")
            .append(esc(r.attempted())).append("</td><td>").append(Html.time(r.at())).append("</td></tr>");
      }
      b.append("</tbody></table>");
    }
    return b.toString();
  }

  private static String ended(AttemptsView.Attempt a) {
    if (a.endedAt() == null) {
      return "-";
    }
    return Html.time(a.endedAt()) + " · ran " + Html.human(Duration.between(a.startedAt(), a.endedAt()));
  }

  private static String error(AttemptsView.Attempt a) {
    String json = a.errorJson();
    if (json == null) {
      return "";
    }
    try {
      dev.spindle.queue.JobError e = dev.spindle.queue.JobError.fromJson(json);
      if (e.stack().isEmpty() && e.cause() == null) {
        return esc(e.summary());
      }
      StringBuilder b = new StringBuilder("<details><summary>").append(esc(e.summary())).append("</summary><pre>");
      for (String f : e.stack()) {
        String[] p = f.split("\\|", -1);
        b.append("    at ").append(esc(p.length == 4 ? p[0] + "." + p[1] + "(" + p[2] + ":" + p[3] + ")" : f))
            .append('\n');
      }
      if (e.cause() != null) {
        b.append(esc("Caused by: " + e.cause().summary()));
      }
      return b.append("</pre></details>").toString();
    } catch (RuntimeException ex) {
      return esc(json);
    }
  }
}
