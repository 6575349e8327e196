package dev.spindle.metrics;

import dev.spindle.TaskRegistry;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.RetryPolicy;
import dev.spindle.store.sqlite.SqliteJobStore;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The producer process of the tracing test: inside a span {@code checkout} it enqueues one
 * {@code m.traced} job (retried once) into a SQLite file, then prints
 * {@code ENQUEUED <job id> <trace id> <span id>} and exits.
 */
public final class ProducerMain {
  private ProducerMain() {}

  /** Arguments: the database file. */
  public static void main(String[] args) throws Exception {
    // (an SDK without a span processor makes only no-op spans)
    try (SdkTracerProvider tracer = SdkTracerProvider.builder()
             .addSpanProcessor(SimpleSpanProcessor.create(InMemorySpanExporter.create())).build();
         OpenTelemetrySdk otel = OpenTelemetrySdk.builder().setTracerProvider(tracer).build();
         SqliteJobStore store = SqliteJobStore.open(Path.of(args[0]))) {
      SpindleMetrics metrics = SpindleMetrics.builder().tracing(otel).build();
      TaskRegistry registry = TaskRegistry.builder().addCatalog(MetricsTasks.class).build();
      try (JobQueue queue = JobQueue.builder(store).registry(registry).observer(metrics.observer()).build()) {
        Span span = otel.getTracer("producer").spanBuilder("checkout").startSpan();
        String id;
        try (Scope s = span.makeCurrent()) {
          id = queue.enqueue(MetricsTasks.TRACED, 7, JobOptions.builder()
              .retry(RetryPolicy.builder().maxAttempts(2).initialDelay(Duration.ofMillis(20)).jitter(0).build())
              .build()).id();
        } finally {
          span.end();
        }
        System.out.println("ENQUEUED " + id + " " + span.getSpanContext().getTraceId() + " "
            + span.getSpanContext().getSpanId());
      }
    }
  }
}
