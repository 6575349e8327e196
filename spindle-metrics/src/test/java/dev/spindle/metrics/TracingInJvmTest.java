package dev.spindle.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.ExecutionModel;
import dev.spindle.Spindle;
import dev.spindle.Task;
import dev.spindle.TaskExecutor;
import dev.spindle.queue.DistributedOptions;
import dev.spindle.store.sqlite.SqliteJobStore;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code process} span of a job run in this JVM, which is made only when something asks for it
 * (the task, or the attempt's end): the task's own spans are its children, and a span made after the
 * task returned still carries the task's start and end.
 */
class TracingInJvmTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static volatile Tracer tracer;
  /** Makes a child span of the current one and answers the current span's id as the task saw it. */
  private static final Task<Integer, String> NESTED = Task.of("m.nested", Integer.class, String.class, x -> {
    Span current = Span.current();
    Span inner = tracer.spanBuilder("inner").startSpan();
    inner.end();
    current.setAttribute("app.seen", x);
    return current.getSpanContext().getTraceId() + " " + current.getSpanContext().getSpanId();
  });
  /** Returns its input without looking at any span. */
  private static final Task<Integer, Integer> PLAIN = Task.of("m.plain", Integer.class, Integer.class, x -> x);

  @TempDir Path dir;
  private InMemorySpanExporter spans;
  private OpenTelemetrySdk otel;

  @BeforeEach
  void tracing() {
    spans = InMemorySpanExporter.create();
    otel = OpenTelemetrySdk.builder().setTracerProvider(
        SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build()).build();
    tracer = otel.getTracer("test");
  }

  @AfterEach
  void closeTracing() {
    otel.close();
  }

  private TaskExecutor executor(SqliteJobStore store) {
    SpindleMetrics metrics = SpindleMetrics.builder().tracing(otel).build();
    return Spindle.executor(ExecutionModel.DISTRIBUTED).workers(1)
        .with(DistributedOptions.builder().store(store).observer(metrics.observer()).build()).start();
  }

  private SpanData processSpan() {
    await().atMost(WAIT).until(() -> spans.getFinishedSpanItems().stream()
        .anyMatch(s -> s.getName().equals("process default")));
    return spans.getFinishedSpanItems().stream().filter(s -> s.getName().equals("process default"))
        .findFirst().orElseThrow();
  }

  @Test
  void aTaskThatUsesItsSpanParentsItsOwnSpansToTheProcessSpan() throws Exception {
    String seen;
    try (SqliteJobStore store = SqliteJobStore.open(dir.resolve("nested.db")); TaskExecutor pool = executor(store)) {
      seen = pool.submit(NESTED, 7).result(WAIT);
    }
    SpanData process = processSpan();
    await().atMost(WAIT).until(() -> spans.getFinishedSpanItems().stream().anyMatch(s -> s.getName().equals("inner")));
    SpanData inner = spans.getFinishedSpanItems().stream().filter(s -> s.getName().equals("inner")).findFirst()
        .orElseThrow();
    assertThat(seen).as("the span current in the task is the process span")
        .isEqualTo(process.getTraceId() + " " + process.getSpanId());
    assertThat(inner.getParentSpanId()).isEqualTo(process.getSpanId());
    assertThat(inner.getTraceId()).isEqualTo(process.getTraceId());
    assertThat(process.getAttributes().asMap()).containsEntry(
        io.opentelemetry.api.common.AttributeKey.longKey("app.seen"), 7L);
    assertThat(process.getStartEpochNanos()).isLessThanOrEqualTo(inner.getStartEpochNanos());
    assertThat(process.getEndEpochNanos()).isGreaterThanOrEqualTo(inner.getEndEpochNanos());
  }

  @Test
  void aSpanMadeAfterTheTaskReturnedCarriesTheTasksOwnTimes() throws Exception {
    Instant before = Instant.now();
    int out;
    Instant answered;
    try (SqliteJobStore store = SqliteJobStore.open(dir.resolve("plain.db")); TaskExecutor pool = executor(store)) {
      out = pool.submit(PLAIN, 5).result(WAIT);
      answered = Instant.now();
    }
    assertThat(out).isEqualTo(5);
    SpanData process = processSpan();
    long beforeNanos = before.getEpochSecond() * 1_000_000_000L + before.getNano();
    long answeredNanos = answered.getEpochSecond() * 1_000_000_000L + answered.getNano();
    assertThat(process.getStartEpochNanos()).as("started as the task began").isGreaterThanOrEqualTo(beforeNanos);
    assertThat(process.getEndEpochNanos()).as("ended as the task returned, before its result came back")
        .isLessThanOrEqualTo(answeredNanos).isGreaterThanOrEqualTo(process.getStartEpochNanos());
    assertThat(spans.getFinishedSpanItems()).extracting(SpanData::getName).containsOnly("process default");
    assertThat(List.of(process.getAttributes().get(io.opentelemetry.api.common.AttributeKey.stringKey(
        "spindle.outcome")))).containsExactly("succeeded");
  }
}
