package dev.spindle.metrics.internal;

import dev.spindle.spi.TraceContextBinder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;

/**
 * Makes a job attempt's context current in a PROCESSES child JVM (registered with
 * {@link java.util.ServiceLoader}), so spans a task makes there are children of the attempt's
 * {@code process} span. Stateless, thread-safe.
 */
public final class OtelTraceContextBinder implements TraceContextBinder {
  /** For the service loader. */
  public OtelTraceContextBinder() {}

  @Override
  @SuppressWarnings("MustBeClosedChecker") // the returned binding closes it, on the same thread
  public Binding bind(String traceContext) {
    Context ctx = TraceContexts.extract(traceContext);
    if (!Span.fromContext(ctx).getSpanContext().isValid()) {
      return Binding.NONE;
    }
    Scope scope = ctx.makeCurrent();
    return scope::close;
  }
}
