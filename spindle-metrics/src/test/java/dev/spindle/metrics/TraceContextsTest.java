package dev.spindle.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.metrics.internal.TraceContexts;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.junit.jupiter.api.Test;

/** The stored form of trace contexts, and what the observer captures at enqueue. */
class TraceContextsTest {
  @Test
  void roundTripsTraceparentAndTracestate() {
    SpanContext sc = SpanContext.create("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331",
        TraceFlags.getSampled(), TraceState.builder().put("vendor", "a;b").put("other", "x").build());
    String stored = TraceContexts.encode(Context.root().with(Span.wrap(sc)));
    assertThat(stored).startsWith("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01;");
    SpanContext back = TraceContexts.decode(stored);
    assertThat(back.getTraceId()).isEqualTo(sc.getTraceId());
    assertThat(back.getSpanId()).isEqualTo(sc.getSpanId());
    assertThat(back.isRemote()).isTrue();
    assertThat(back.getTraceState().get("vendor")).isEqualTo("a;b");
    assertThat(TraceContexts.encode(Context.root())).isNull();
    assertThat(TraceContexts.decode("garbage").isValid()).isFalse();
    assertThat(TraceContexts.decode(null).isValid()).isFalse();
  }

  @Test
  void aContextWithoutTracestateIsWrittenAsTheW3cPropagatorWritesIt() {
    for (TraceFlags flags : new TraceFlags[] {TraceFlags.getSampled(), TraceFlags.getDefault()}) {
      Context ctx = Context.root().with(Span.wrap(SpanContext.create("0af7651916cd43dd8448eb211c80319c",
          "b7ad6b7169203331", flags, TraceState.getDefault())));
      java.util.Map<String, String> carrier = new java.util.HashMap<>();
      io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator.getInstance().inject(ctx, carrier,
          java.util.Map::put);
      assertThat(TraceContexts.encode(ctx)).isEqualTo(carrier.get("traceparent")).hasSize(55);
      assertThat(carrier).doesNotContainKey("tracestate");
    }
  }

  @Test
  void theObserverCapturesTheCurrentSpanOnlyWithTracingOn() {
    // (an SDK without a span processor makes only no-op spans)
    try (Traced on = new Traced()) {
      SpindleMetrics off = SpindleMetrics.builder().build();
      assertThat(on.observer.captureContext("q", "t")).as("no current span").isNull();
      Span span = on.otel.getTracer("t").spanBuilder("s").startSpan();
      try (Scope s = span.makeCurrent()) {
        assertThat(on.observer.captureContext("q", "t"))
            .startsWith("00-" + span.getSpanContext().getTraceId() + "-" + span.getSpanContext().getSpanId() + "-")
            .hasSize(55);
        assertThat(off.observer().captureContext("q", "t")).isNull();
      } finally {
        span.end();
      }
    }
  }

  /**
   * A worker delivers an attempt's end after the store took its outcome, possibly milliseconds
   * later: the span still ends when the task did (its scope closed), and a span whose task ran
   * elsewhere (no scope here) ends at its start plus the measured run time.
   */
  @Test
  void theSpanEndsWhenTheAttemptEndedNotWhenItsEndWasDelivered() {
    try (Traced traced = new Traced()) {
      InMemorySpanExporter spans = traced.spans;
      dev.spindle.queue.JobObserver observer = traced.observer;
      dev.spindle.queue.JobInfo job = runningJob("7", null);
      // Bracketed on System.nanoTime, the clock the span's length is measured on: comparing its end
      // with the wall clock would mix two clocks (their readings differ by tens of nanoseconds).
      long beforeStart = System.nanoTime();
      dev.spindle.queue.JobObserver.Attempt inJvm = observer.started(job, java.time.Duration.ZERO);
      try (dev.spindle.queue.JobObserver.Scope scope = inJvm.open()) {
        assertThat(Span.current().getSpanContext().isValid()).isTrue();
      }
      long closed = System.nanoTime();
      inJvm.finished(dev.spindle.queue.JobObserver.Outcome.SUCCEEDED, java.time.Duration.ofDays(1), null);
      assertThat(spans.getFinishedSpanItems()).singleElement()
          .satisfies(d -> assertThat(d.getEndEpochNanos() - d.getStartEpochNanos())
              .as("the span lasts from its start until the scope closed, not the reported day")
              .isBetween(0L, closed - beforeStart));
      spans.reset();
      dev.spindle.queue.JobObserver.Attempt elsewhere = observer.started(job, java.time.Duration.ZERO);
      assertThat(elsewhere.traceContext()).isNotNull(); // a child JVM's: the span starts, no scope opens here
      elsewhere.finished(dev.spindle.queue.JobObserver.Outcome.SUCCEEDED, java.time.Duration.ofSeconds(30), null);
      assertThat(spans.getFinishedSpanItems()).singleElement()
          .satisfies(d -> assertThat(d.getEndEpochNanos() - d.getStartEpochNanos())
              .isEqualTo(java.time.Duration.ofSeconds(30).toNanos()));
    }
  }

  /**
   * The worker decodes a stored context once for a run of jobs that carry the same one (a batch
   * enqueued in one span); jobs that carry other contexts, in any order, still link to their own.
   */
  @Test
  void eachAttemptLinksToItsOwnJobsContextWhenContextsAlternate() {
    try (Traced traced = new Traced()) {
      String a = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
      String b = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00";
      java.util.List<String> stored = java.util.Arrays.asList(a, a, b, null, a, "00-garbage", b);
      for (int i = 0; i < stored.size(); i++) {
        traced.observer.started(runningJob(Integer.toString(i), stored.get(i)), java.time.Duration.ZERO)
            .finished(dev.spindle.queue.JobObserver.Outcome.SUCCEEDED, java.time.Duration.ZERO, null);
      }
      java.util.List<String> linked = traced.spans.getFinishedSpanItems().stream()
          .sorted(java.util.Comparator.comparing(d -> d.getAttributes().get(
              io.opentelemetry.api.common.AttributeKey.stringKey("messaging.message.id"))))
          .map(d -> d.getLinks().isEmpty() ? "none" : d.getLinks().get(0).getSpanContext().getSpanId()
              + "/" + d.getLinks().get(0).getSpanContext().getTraceFlags().asHex())
          .toList();
      assertThat(linked).containsExactly("b7ad6b7169203331/01", "b7ad6b7169203331/01", "00f067aa0ba902b7/00", "none",
          "b7ad6b7169203331/01", "none", "00f067aa0ba902b7/00");
    }
  }

  /** A tracing observer whose spans are exported, as each ends, to {@link #spans}; closes its SDK. */
  private static final class Traced implements AutoCloseable {
    final InMemorySpanExporter spans = InMemorySpanExporter.create();
    final OpenTelemetrySdk otel = OpenTelemetrySdk.builder().setTracerProvider(
        SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build()).build();
    final dev.spindle.queue.JobObserver observer = SpindleMetrics.builder().tracing(otel).build().observer();

    @Override
    public void close() {
      otel.close(); // and its tracer provider
    }
  }

  /** A RUNNING job of task "t" on queue "q", first attempt, with this stored trace context (or none). */
  private static dev.spindle.queue.JobInfo runningJob(String id, @org.jspecify.annotations.Nullable String context) {
    java.time.Instant t0 = java.time.Instant.parse("2026-01-01T00:00:00Z");
    return new dev.spindle.queue.JobInfo(id, "t", "q", dev.spindle.queue.JobState.RUNNING, 0, "1", null, null, null,
        null, 1, 0, 0, 1, "w", false, t0, t0, t0, null, null, 0, dev.spindle.queue.JobPolicy.defaults(), context);
  }
}
