package dev.spindle.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.ExecutionModel;
import dev.spindle.Spindle;
import dev.spindle.TaskExecutor;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.DistributedOptions;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobState;
import dev.spindle.queue.Worker;
import dev.spindle.store.sqlite.SqliteJobStore;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OpenTelemetry through the queue: a job enqueued in one process (a child JVM producer) is run by a
 * worker in another (this JVM) whose task runs in a third (a PROCESSES child JVM), and retried once.
 */
class TracingAcrossProcessesTest {
  private static final Duration WAIT = Duration.ofSeconds(90);
  @TempDir Path dir;
  private InMemorySpanExporter spans;
  private SdkTracerProvider tracerProvider;
  private OpenTelemetrySdk otel;

  @BeforeEach
  void tracing() {
    spans = InMemorySpanExporter.create();
    tracerProvider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build();
    otel = OpenTelemetrySdk.builder().setTracerProvider(tracerProvider).build();
  }

  @AfterEach
  void closeTracing() {
    otel.close();
  }

  @Test
  void eachAttemptsProcessSpanLinksToTheProducersContextAndContinuesInTheChildJvm() throws Exception {
    Path db = dir.resolve("jobs.db");
    SqliteJobStore.open(db).close(); // created by this JVM (0600), then shared
    String[] produced = produce(db);
    String jobId = produced[1];
    String producerTrace = produced[2];
    String producerSpan = produced[3];

    SpindleMetrics metrics = SpindleMetrics.builder().tracing(otel).build();
    TaskRegistry registry = TaskRegistry.builder().addCatalog(MetricsTasks.class).build();
    JobInfo done;
    try (SqliteJobStore store = SqliteJobStore.open(db);
         Worker worker = Worker.builder(store).registry(registry).model(ExecutionModel.PROCESSES).concurrency(1)
             .observer(metrics.observer()).start()) {
      assertThat(store.find(jobId)).get().extracting(JobInfo::traceContext).asString()
          .startsWith("00-" + producerTrace + "-" + producerSpan + "-");
      await().atMost(WAIT).until(() -> store.find(jobId).orElseThrow().state().isTerminal());
      done = store.find(jobId).orElseThrow();
      assertThat(worker.stats().retried()).isEqualTo(1);
    }
    assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(done.attempt()).isEqualTo(2);

    List<SpanData> process = spans.getFinishedSpanItems().stream().filter(s -> s.getName().equals("process default"))
        .sorted(Comparator.comparing(SpanData::getStartEpochNanos)).toList();
    assertThat(process).as("one process span per attempt").hasSize(2);
    for (SpanData s : process) {
      assertThat(s.getKind()).isEqualTo(SpanKind.CONSUMER);
      assertThat(s.getParentSpanContext().isValid()).as("a new trace per attempt, not a child").isFalse();
      assertThat(s.getTraceId()).isNotEqualTo(producerTrace);
      assertThat(s.getLinks()).singleElement().satisfies(l -> {
        assertThat(l.getSpanContext().getTraceId()).isEqualTo(producerTrace);
        assertThat(l.getSpanContext().getSpanId()).isEqualTo(producerSpan);
        assertThat(l.getAttributes().get(AttributeKey.stringKey("spindle.link"))).isEqualTo("enqueue");
      });
      assertThat(s.getAttributes().get(AttributeKey.stringKey("messaging.system"))).isEqualTo("spindle");
      assertThat(s.getAttributes().get(AttributeKey.stringKey("messaging.destination.name"))).isEqualTo("default");
      assertThat(s.getAttributes().get(AttributeKey.stringKey("messaging.message.id"))).isEqualTo(jobId);
      assertThat(s.getAttributes().get(AttributeKey.stringKey("messaging.operation.type"))).isEqualTo("process");
      assertThat(s.getAttributes().get(AttributeKey.stringKey("spindle.task"))).isEqualTo("m.traced");
    }
    SpanData first = process.get(0);
    SpanData second = process.get(1);
    assertThat(first.getAttributes().get(AttributeKey.longKey("spindle.job.attempt"))).isEqualTo(1L);
    assertThat(first.getAttributes().get(AttributeKey.stringKey("spindle.outcome"))).isEqualTo("retried");
    assertThat(first.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(first.getAttributes().get(AttributeKey.stringKey("error.type")))
        .isEqualTo("java.lang.IllegalStateException");
    assertThat(second.getAttributes().get(AttributeKey.longKey("spindle.job.attempt"))).isEqualTo(2L);
    assertThat(second.getAttributes().get(AttributeKey.stringKey("spindle.outcome"))).isEqualTo("succeeded");
    assertThat(second.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);

    // the task ran in a child JVM and saw the second attempt's span as its current context
    String[] seen = tools.jackson.databind.json.JsonMapper.shared().readValue(done.resultJson(), String.class)
        .split(" ");
    assertThat(seen[0]).startsWith("00-" + second.getTraceId() + "-" + second.getSpanId() + "-");
    assertThat(seen[1]).isEqualTo(second.getTraceId());
    assertThat(seen[2]).isEqualTo(second.getSpanId());
    assertThat(Long.parseLong(seen[3])).as("ran in a child JVM").isNotEqualTo(ProcessHandle.current().pid());
  }

  @Test
  void aDistributedSubmissionLinksTheWorkersSpanToTheSubmitter() throws Exception {
    SpindleMetrics metrics = SpindleMetrics.builder().tracing(otel).build();
    try (SqliteJobStore store = SqliteJobStore.open(dir.resolve("dist.db"));
         TaskExecutor pool = Spindle.executor(ExecutionModel.DISTRIBUTED).workers(1)
             .with(DistributedOptions.builder().store(store).observer(metrics.observer()).build()).start()) {
      Span submit = otel.getTracer("test").spanBuilder("submit").startSpan();
      int out;
      try (Scope s = submit.makeCurrent()) {
        out = pool.submit(MetricsTasks.ECHO, 41).result(WAIT);
      } finally {
        submit.end();
      }
      assertThat(out).isEqualTo(41);
      await().atMost(WAIT).until(() -> spans.getFinishedSpanItems().stream()
          .anyMatch(x -> x.getName().equals("process default")));
      SpanData process = spans.getFinishedSpanItems().stream().filter(x -> x.getName().equals("process default"))
          .findFirst().orElseThrow();
      assertThat(process.getLinks()).singleElement().satisfies(l ->
          assertThat(l.getSpanContext().getSpanId()).isEqualTo(submit.getSpanContext().getSpanId()));
    }
  }

  private String[] produce(Path db) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), ProducerMain.class.getName(),
        db.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String line;
    try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      line = out.readLine();
    }
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
    assertThat(line).startsWith("ENQUEUED ");
    String[] parts = line.split(" ");
    assertThat(Long.parseLong(parts[0].isEmpty() ? "0" : "1")).isOne();
    return parts;
  }
}
