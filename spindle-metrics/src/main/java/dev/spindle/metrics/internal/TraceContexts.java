package dev.spindle.metrics.internal;

import dev.spindle.queue.JobInfo;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Converts between OpenTelemetry contexts and the text a job stores ({@code traceparent}, then
 * {@code ';'} and the {@code tracestate} if any), with the W3C propagator. Stateless, thread-safe.
 */
public final class TraceContexts {
  private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();
  private static final TextMapGetter<Map<String, String>> GETTER = new TextMapGetter<>() {
    @Override
    public @Nullable String get(@Nullable Map<String, String> carrier, String key) {
      return carrier == null ? null : carrier.get(key);
    }
  };

  private TraceContexts() {}

  /**
   * The stored form of a context's span, or {@code null} if it has no valid span. A tracestate that
   * would make it longer than {@link JobInfo#MAX_TRACE_CONTEXT} is left out.
   */
  public static @Nullable String encode(Context context) {
    SpanContext sc = Span.fromContext(context).getSpanContext();
    if (!sc.isValid()) {
      return null;
    }
    if (sc.getTraceState().isEmpty()) {
      // the common case: what the W3C propagator writes for a span without tracestate, without its map
      return "00-" + sc.getTraceId() + "-" + sc.getSpanId() + "-" + sc.getTraceFlags().asHex();
    }
    Map<String, String> carrier = new HashMap<>(4);
    W3C.inject(context, carrier, Map::put);
    String parent = carrier.get("traceparent");
    if (parent == null) {
      return null;
    }
    String state = carrier.get("tracestate");
    if (state == null || state.isEmpty() || parent.length() + 1 + state.length() > JobInfo.MAX_TRACE_CONTEXT) {
      return parent;
    }
    return parent + ";" + state;
  }

  /** The span context of a stored form, as a remote one; invalid if absent or unreadable. */
  public static SpanContext decode(@Nullable String stored) {
    if (stored == null || stored.isEmpty()) {
      return SpanContext.getInvalid();
    }
    if (stored.length() == 55 && stored.startsWith("00-") && stored.charAt(35) == '-' && stored.charAt(52) == '-') {
      // the common case, a version-00 traceparent without tracestate: no map, no propagator
      SpanContext sc = SpanContext.createFromRemoteParent(stored.substring(3, 35), stored.substring(36, 52),
          TraceFlags.fromHex(stored, 53), TraceState.getDefault());
      if (sc.isValid()) {
        return sc;
      }
    }
    return Span.fromContext(extract(stored)).getSpanContext();
  }

  /** A root context holding the stored form's remote span (the root context if unreadable). */
  public static Context extract(String stored) {
    int semi = stored.indexOf(';');
    Map<String, String> carrier = new HashMap<>(4);
    carrier.put("traceparent", semi < 0 ? stored : stored.substring(0, semi));
    if (semi >= 0) {
      carrier.put("tracestate", stored.substring(semi + 1));
    }
    return W3C.extract(Context.root(), carrier, GETTER);
  }

  /** The header names used (for documentation and tests). */
  public static List<String> fields() {
    return List.copyOf(W3C.fields());
  }
}
