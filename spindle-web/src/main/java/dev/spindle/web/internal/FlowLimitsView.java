package dev.spindle.web.internal;

import dev.spindle.queue.FlowLimit;
import dev.spindle.queue.Redaction;
import dev.spindle.queue.spi.FlowHold;
import dev.spindle.queue.spi.FlowKeyState;
import java.util.List;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The flow limits and what each of their keys holds now, for the REST API ({@code GET
 * /api/v1/flow-limits}) and the flow limits page. A key taken from a sensitive argument field shows
 * its value masked. Stateless.
 */
final class FlowLimitsView {
  /** The most keys shown per limit. */
  static final int MAX_KEYS = 200;

  /**
   * One limit.
   *
   * @param limit the limit
   * @param keys its keys, in key order, at most {@link #MAX_KEYS}
   * @param masked true if its key values come from a sensitive field (shown as {@link Redaction#MASK})
   */
  record Limit(FlowLimit limit, List<FlowKeyState> keys, boolean masked) {
    String shown(FlowKeyState k) {
      return masked ? Redaction.MASK : k.value();
    }
  }

  private FlowLimitsView() {}

  static ObjectNode toJson(List<Limit> limits, boolean supported) {
    ObjectNode o = Json.object();
    o.put("supported", supported);
    ArrayNode arr = o.putArray("limits");
    for (Limit l : limits) {
      ObjectNode n = arr.addObject();
      n.put("name", l.limit().name());
      n.put("spec", l.limit().toSpec());
      n.put("truncated", l.keys().size() >= MAX_KEYS);
      ArrayNode keys = n.putArray("keys");
      for (FlowKeyState k : l.keys()) {
        ObjectNode kn = keys.addObject();
        kn.put("value", l.shown(k));
        kn.put("running", k.running());
        kn.put("ready", k.ready());
        FlowHold h = k.hold();
        if (h == null) {
          kn.putNull("hold");
        } else {
          ObjectNode hn = kn.putObject("hold");
          hn.put("rule", h.rule().name());
          hn.put("until", Json.time(h.until()));
          hn.put("detail", h.detail());
        }
      }
    }
    return o;
  }

  static String toHtml(List<Limit> limits, boolean supported) {
    StringBuilder b = new StringBuilder("<h1>Flow limits</h1>");
    if (!supported) {
      return b.append("<p class=\"muted\" id=\"flow-none\">This store enforces no flow limits.</p>").toString();
    }
    if (limits.isEmpty()) {
      return b.append("<p class=\"muted\" id=\"flow-none\">No flow limit is defined. Jobs name one with"
          + " JobOptions.flow(...); <code>spindle flow</code> changes them.</p>").toString();
    }
    for (Limit l : limits) {
      String name = Html.esc(l.limit().name());
      b.append("<section class=\"flow-limit\" id=\"limit-").append(name).append("\"><h2>").append(name)
          .append("</h2><p><code>").append(Html.esc(l.limit().toSpec())).append("</code></p>");
      if (l.keys().isEmpty()) {
        b.append("<p class=\"muted\">No key holds anything now.</p></section>");
        continue;
      }
      b.append("<div class=\"wrap\"><table id=\"keys-").append(name).append("\"><thead><tr><th>Key</th>"
          + "<th class=\"num\">Running</th><th class=\"num\">Ready</th><th>Held by</th><th>Until</th></tr></thead>"
          + "<tbody>");
      for (FlowKeyState k : l.keys()) {
        FlowHold h = k.hold();
        b.append("<tr data-key=\"").append(Html.esc(l.shown(k))).append("\"><td>").append(Html.esc(l.shown(k)))
            .append("</td><td class=\"num\">").append(k.running()).append("</td><td class=\"num\">").append(k.ready())
            .append("</td><td>").append(h == null ? "-" : Html.esc(h.rule().name() + ": " + h.detail()))
            .append("</td><td>").append(h == null || h.until() == null ? "-" : Html.time(h.until()))
            .append("</td></tr>");
      }
      b.append("</tbody></table></div>");
      if (l.keys().size() >= MAX_KEYS) {
        b.append("<p class=\"note\">Only the first ").append(MAX_KEYS).append(" keys are shown.</p>");
      }
      b.append("</section>");
    }
    return b.toString();
  }
}
