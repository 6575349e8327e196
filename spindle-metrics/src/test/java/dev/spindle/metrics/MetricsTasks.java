package dev.spindle.metrics;

import dev.spindle.Task;
import dev.spindle.TaskCatalog;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import java.util.Collection;
import java.util.List;

/** Tasks of the metrics tests; portable (child JVMs rebuild them from this catalog). Thread-safe. */
public final class MetricsTasks implements TaskCatalog {
  /** Returns its input. */
  public static final Task<Integer, Integer> ECHO = Task.of("m.echo", Integer.class, Integer.class, x -> x);

  /** Fails with IllegalStateException on its first attempt; no-op afterwards. */
  public static final Task<Integer, Integer> FLAKY = Task.withContext("m.flaky", Integer.class, Integer.class,
      (x, ctx) -> {
        if (ctx.attempt() == 1) {
          throw new IllegalStateException("planned failure of attempt 1");
        }
        return x;
      });

  /**
   * Fails on its first attempt; then reports what it sees where it runs (a child JVM on the
   * PROCESSES model): {@code <context's trace context> <current span's trace id> <span id> <pid>}.
   */
  public static final Task<Integer, String> TRACED = Task.withContext("m.traced", Integer.class, String.class,
      (x, ctx) -> {
        if (ctx.attempt() == 1) {
          throw new IllegalStateException("planned failure of attempt 1");
        }
        SpanContext sc = Span.current().getSpanContext();
        return ctx.traceContext() + " " + sc.getTraceId() + " " + sc.getSpanId() + " " + ProcessHandle.current().pid();
      });

  @Override
  public Collection<Task<?, ?>> tasks() {
    return List.of(ECHO, FLAKY, TRACED);
  }
}
