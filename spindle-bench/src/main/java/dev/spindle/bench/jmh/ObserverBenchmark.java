package dev.spindle.bench.jmh;

import dev.spindle.bench.DiscardingSpanExporter;
import dev.spindle.metrics.SpindleMetrics;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobObserver;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobState;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanLimits;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The job observer's cost per attempt ({@code spindle-metrics}): what a worker's threads pay for one
 * job's {@code started}, {@code open}/{@code close} around the task and {@code finished}, with
 * metrics only and with metrics and tracing (an SDK that samples every span and exports it on the
 * calling thread to an exporter that discards it, so the export's cost is counted too). One JMH
 * thread. Not thread-safe (JMH state).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ObserverBenchmark {
  /**
   * {@code metrics}, {@code tracing} (metrics and tracing), {@code unlinked} (metrics and tracing,
   * a job without a stored trace context: no link) or {@code links1} (tracing with the SDK's span
   * limits at one link: the SDK sizes a span's link list by that limit, 128 by default).
   */
  @Param({"metrics", "tracing", "unlinked", "links1"})
  public String mode;

  private @Nullable OpenTelemetrySdk otel;
  private JobObserver observer;
  private JobInfo job;
  private final Duration waited = Duration.ofMillis(3);
  private final Duration ran = Duration.ofNanos(12_345);

  /** Builds the observer. */
  @Setup(Level.Trial)
  public void start() {
    SpindleMetrics.Builder b = SpindleMetrics.builder();
    if (!mode.equals("metrics")) {
      otel = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder().setSampler(Sampler.alwaysOn())
          .setSpanLimits(mode.equals("links1") ? SpanLimits.builder().setMaxNumberOfLinks(1).build()
              : SpanLimits.getDefault())
          .addSpanProcessor(SimpleSpanProcessor.create(new DiscardingSpanExporter())).build()).build();
      b.tracing(otel);
    }
    observer = b.build().observer();
    Instant now = Instant.parse("2026-11-23T12:00:00Z");
    job = new JobInfo("01JD0000000000000000000000", "bench.noop", "default", JobState.RUNNING, 0, "1", null, null,
        null, null, 1, 0, 0, 7, "w", false, now, now, now, null, null, 0, JobPolicy.defaults(),
        mode.equals("unlinked") ? null : "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
  }

  /** Closes the SDK. */
  @TearDown(Level.Trial)
  public void stop() {
    if (otel != null) {
      otel.close();
    }
  }

  /** One attempt's observer calls, as a worker makes them for a no-op job that succeeds. */
  @Benchmark
  public JobObserver.Attempt attempt() {
    JobObserver.Attempt a = observer.started(job, waited);
    try (JobObserver.Scope s = a.open()) {
      // the task would run here
    }
    a.finished(JobObserver.Outcome.SUCCEEDED, ran, null);
    return a;
  }
}
