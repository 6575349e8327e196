package dev.spindle.bench.jmh;

import dev.spindle.bench.BareSpans;
import dev.spindle.bench.DiscardingSpanExporter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceId;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The floor under {@link ObserverBenchmark}'s {@code tracing} mode: the OpenTelemetry SDK alone
 * making the span that tracing asks of every attempt (a CONSUMER {@code process {queue}} span, no
 * parent, OpenTelemetry's messaging attributes and the task, a link to the enqueue context, made
 * current, an outcome attribute, ended; {@link BareSpans#processSpan}) with no Spindle code around
 * it, exported on the calling thread to an exporter that discards it, as in {@link
 * ObserverBenchmark}. {@code attributes=no} leaves out the attributes and the link (the SDK's cost
 * of a bare span). One JMH thread. Not thread-safe (JMH state).
 */
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SpanFloorBenchmark {

  /** {@code yes}: the attributes and the link Spindle's span carries; {@code no}: a bare span. */
  @Param({"yes", "no"})
  public String attributes;

  private boolean full;
  private SdkTracerProvider provider;
  private Tracer tracer;
  private final SpanContext creation = SpanContext.create(TraceId.fromLongs(0x0af7651916cd43ddL, 0x8448eb211c80319cL),
      SpanId.fromLong(0xb7ad6b7169203331L), TraceFlags.getSampled(), TraceState.getDefault());

  /** Builds the SDK. */
  @Setup(Level.Trial)
  public void start() {
    full = attributes.equals("yes");
    provider = SdkTracerProvider.builder().setSampler(Sampler.alwaysOn())
        .addSpanProcessor(SimpleSpanProcessor.create(new DiscardingSpanExporter())).build();
    tracer = provider.get("dev.spindle.queue");
  }

  /** Closes the SDK. */
  @TearDown(Level.Trial)
  public void stop() {
    provider.close();
  }

  /** One attempt's span, as the SDK makes it. */
  @Benchmark
  public Span span() {
    SpanBuilder b = full ? BareSpans.processSpan(tracer, "default", "01JD0000000000000000000000", 1L, "bench.noop")
        : tracer.spanBuilder("process default").setSpanKind(SpanKind.CONSUMER).setNoParent();
    Span s = b.startSpan();
    if (full) {
      s.addLink(creation, BareSpans.LINK); // on the span, as spindle-metrics adds it
    }
    try (Scope ignored = s.makeCurrent()) {
      // the task would run here
    }
    if (full) {
      s.setAttribute(BareSpans.OUTCOME, "succeeded");
    }
    s.end();
    return s;
  }
}
