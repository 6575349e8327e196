package dev.spindle.web.internal;

import dev.spindle.queue.spi.JobStatistics;
import dev.spindle.queue.spi.MinuteStats;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The overview's statistics over a window (the last hour by default), computed from the per-minute
 * statistics the store keeps ({@link JobStatistics}): totals, wait-time percentiles, the age of the
 * oldest waiting job, and the per-minute series drawn as inline SVG charts. Immutable.
 *
 * @param at when it was computed
 * @param window how far back it looks
 * @param minutes the minutes with activity in the window, oldest first
 * @param oldestWaitingSince when the longest-waiting QUEUED job became ready, if any
 */
record Overview(Instant at, Duration window, List<MinuteStats> minutes, Optional<Instant> oldestWaitingSince) {
  private static final int W = 600;
  private static final int H = 120;

  /** Copies the list. */
  public Overview {
    minutes = List.copyOf(minutes);
  }

  /** Reads the window ending at {@code now} from the store: two store calls. */
  public static Overview read(JobStatistics st, Instant now, Duration window) {
    return new Overview(now, window, st.minutes(now.minus(window), now), st.oldestWaiting());
  }

  /** The sum of one counter over the window. */
  public long sum(java.util.function.ToLongFunction<MinuteStats> counter) {
    return minutes.stream().mapToLong(counter).sum();
  }

  /** Jobs that failed for good or went dead in the window. */
  public long failures() {
    return sum(MinuteStats::failed) + sum(MinuteStats::dead);
  }

  /** A wait-time percentile over the window in milliseconds, or -1 if no job started. */
  public long waitMillis(double q) {
    return MinuteStats.percentileMillis(MinuteStats.sumWaits(minutes), q);
  }

  /** How long the oldest waiting job has waited, if one waits. */
  public Optional<Duration> oldestWait() {
    return oldestWaitingSince.map(t -> t.isAfter(at) ? Duration.ZERO : Duration.between(t, at));
  }

  /** The JSON form ({@code /api/v1/stats}, and {@code overview} in the {@code stats} event). */
  public ObjectNode toJson() {
    ObjectNode o = Json.object();
    o.put("at", at.toString());
    o.put("windowMinutes", window.toMinutes());
    o.put("started", sum(MinuteStats::started));
    o.put("succeeded", sum(MinuteStats::succeeded));
    o.put("failed", sum(MinuteStats::failed));
    o.put("retried", sum(MinuteStats::retried));
    o.put("dead", sum(MinuteStats::dead));
    o.put("cancelled", sum(MinuteStats::cancelled));
    o.put("failures", failures());
    ObjectNode w = o.putObject("waitMillis");
    w.put("p50", waitMillis(0.50));
    w.put("p95", waitMillis(0.95));
    w.put("p99", waitMillis(0.99));
    o.put("oldestWaitingSince", oldestWaitingSince.map(Instant::toString).orElse(null));
    o.put("oldestWaitingSeconds", oldestWait().map(d -> d.toMillis() / 1000.0).orElse(null));
    ArrayNode arr = o.putArray("minutes");
    for (MinuteStats m : minutes) {
      ObjectNode x = arr.addObject();
      x.put("minute", m.minute().toString());
      x.put("started", m.started());
      x.put("succeeded", m.succeeded());
      x.put("failed", m.failed() + m.dead());
      x.put("retried", m.retried());
      x.put("cancelled", m.cancelled());
      x.put("waitP95", MinuteStats.percentileMillis(m.waitBuckets(), 0.95));
    }
    return o;
  }

  /** A wait time in milliseconds as text ("-" for none). */
  public static String millis(long ms) {
    if (ms < 0) {
      return "-";
    }
    if (ms < 1000) {
      return "≤ " + ms + " ms";
    }
    return "≤ " + Html.human(Duration.ofMillis(ms));
  }

  /**
   * The charts as inline SVG (no script or style attribute: allowed by the Content-Security-Policy):
   * jobs finished per minute (succeeded, and failed or dead on top) and the 95th percentile wait per
   * minute, over the window, one bar per minute.
   */
  public String charts() {
    int n = (int) Math.max(1, window.toMinutes());
    long firstMinute = MinuteStats.minuteOf(at) - 60L * (n - 1);
    long[] ok = new long[n];
    long[] bad = new long[n];
    long[] wait = new long[n];
    for (MinuteStats m : minutes) {
      int i = (int) ((m.minute().getEpochSecond() - firstMinute) / 60);
      if (i >= 0 && i < n) {
        ok[i] = m.succeeded() + m.cancelled();
        bad[i] = m.failed() + m.dead();
        wait[i] = MinuteStats.percentileMillis(m.waitBuckets(), 0.95);
      }
    }
    long maxDone = 1;
    long maxWait = 1;
    for (int i = 0; i < n; i++) {
      maxDone = Math.max(maxDone, ok[i] + bad[i]);
      maxWait = Math.max(maxWait, wait[i]);
    }
    double bw = (double) W / n;
    StringBuilder a = new StringBuilder();
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      double x = i * bw;
      double hOk = (double) H * ok[i] / maxDone;
      double hBad = (double) H * bad[i] / maxDone;
      String t = Html.esc(Instant.ofEpochSecond(firstMinute + 60L * i).toString().substring(11, 16));
      if (ok[i] + bad[i] > 0) {
        a.append("<g><title>").append(t).append(" UTC: ").append(ok[i]).append(" succeeded or cancelled, ")
            .append(bad[i]).append(" failed or dead</title>");
        rect(a, x, H - hOk, bw, hOk, "ok");
        rect(a, x, H - hOk - hBad, bw, hBad, "bad");
        a.append("</g>");
      }
      if (wait[i] >= 0) {
        double h = Math.max(1, (double) H * wait[i] / maxWait);
        b.append("<g><title>").append(t).append(" UTC: 95 % waited ").append(Html.esc(millis(wait[i])))
            .append("</title>");
        rect(b, x, H - h, bw, h, "wait");
        b.append("</g>");
      }
    }
    return "<section class=\"charts\"><figure><figcaption>Jobs finished per minute, last " + n + " min (peak "
        + maxDone + ")</figcaption>" + svg("chart-finished", a) + "</figure><figure><figcaption>95th percentile"
        + " wait per minute (peak " + Html.esc(millis(maxWait == 1 && allNegative(wait) ? -1 : maxWait))
        + ")</figcaption>" + svg("chart-wait", b) + "</figure></section>";
  }

  private static boolean allNegative(long[] a) {
    for (long v : a) {
      if (v >= 0) {
        return false;
      }
    }
    return true;
  }

  private static String svg(String id, StringBuilder body) {
    return "<svg id=\"" + id + "\" class=\"chart\" viewBox=\"0 0 " + W + " " + H + "\" preserveAspectRatio=\"none\""
        + " role=\"img\" xmlns=\"http://www.w3.org/2000/svg\"><line class=\"axis\" x1=\"0\" y1=\"" + H
        + "\" x2=\"" + W + "\" y2=\"" + H + "\"/>" + body + "</svg>";
  }

  private static void rect(StringBuilder b, double x, double y, double w, double h, String cls) {
    if (h <= 0) {
      return;
    }
    b.append(String.format(Locale.ROOT, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>",
        cls, x, y, Math.max(0.5, w - 0.6), h));
  }
}
