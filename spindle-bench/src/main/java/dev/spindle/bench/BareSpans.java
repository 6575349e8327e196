package dev.spindle.bench;

import dev.spindle.queue.JobError;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobObserver;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A bench observer that makes, as each attempt's end is delivered, the span {@code spindle-metrics}
 * makes (CONSUMER {@code process {queue}}, a new root linked to the stored context, the same eight
 * attributes, the attempt's run time) straight through the OpenTelemetry API: no Observation, no
 * meters, no stand-in span while the task runs. What the SDK's span alone costs a drain, the floor
 * of any instrumentation that makes one span per attempt ({@code MetricsBench overhead --variants
 * off,spans,on}; {@code SpanFloorBenchmark} times the same span in a loop). Thread-safe.
 */
public final class BareSpans {
  private static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("messaging.system");
  private static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
  private static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");
  private static final AttributeKey<String> OPERATION_TYPE = AttributeKey.stringKey("messaging.operation.type");
  private static final AttributeKey<String> OPERATION_NAME = AttributeKey.stringKey("messaging.operation.name");
  private static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("spindle.job.attempt");
  private static final AttributeKey<String> TASK = AttributeKey.stringKey("spindle.task");
  /** The attempt's outcome, set as it ends. */
  public static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("spindle.outcome");
  /** The attributes of the link to the enqueue context. */
  public static final Attributes LINK = Attributes.of(AttributeKey.stringKey("spindle.link"), "enqueue");

  private BareSpans() {}

  /** A stored context and the span context it decodes to. */
  private record Decoded(String stored, SpanContext context) {}

  /** A builder of one attempt's span with the attributes spindle-metrics gives it at its start. */
  public static SpanBuilder processSpan(Tracer tracer, String queue, String jobId, long attempt, String task) {
    return tracer.spanBuilder("process " + queue).setSpanKind(SpanKind.CONSUMER).setNoParent()
        .setAttribute(SYSTEM, "spindle").setAttribute(DESTINATION, queue).setAttribute(MESSAGE_ID, jobId)
        .setAttribute(OPERATION_TYPE, "process").setAttribute(OPERATION_NAME, "process").setAttribute(ATTEMPT, attempt)
        .setAttribute(TASK, task);
  }

  /** The observer: one span per attempt, made on the thread its end is delivered on. */
  static JobObserver observer(Tracer tracer) {
    return new JobObserver() {
      /** The stored context decoded last, and its text: a drain's jobs share one. */
      private volatile @Nullable Decoded last;

      @Override
      public Attempt started(JobInfo job, Duration waited) {
        return new Attempt() {
          @Override
          public void finished(Outcome outcome, Duration runTime, @Nullable JobError error) {
            Instant now = Instant.now();
            long end = now.getEpochSecond() * 1_000_000_000L + now.getNano();
            Span s = processSpan(tracer, job.queue(), job.id(), job.attempt(), job.task())
                .setStartTimestamp(end - runTime.toNanos(), TimeUnit.NANOSECONDS).startSpan();
            SpanContext creation = creation(job.traceContext());
            if (creation.isValid()) {
              s.addLink(creation, LINK);
            }
            s.setAttribute(OUTCOME, outcome.label());
            s.end(end, TimeUnit.NANOSECONDS);
          }
        };
      }

      private SpanContext creation(@Nullable String stored) {
        if (stored == null || stored.length() < 55) {
          return SpanContext.getInvalid();
        }
        Decoded l = last;
        if (l != null && l.stored().equals(stored)) {
          return l.context();
        }
        // version-00 traceparent: 00-<32 hex trace id>-<16 hex span id>-<2 hex flags>
        SpanContext sc = SpanContext.createFromRemoteParent(stored.substring(3, 35), stored.substring(36, 52),
            TraceFlags.fromHex(stored, 53), TraceState.getDefault());
        last = new Decoded(stored, sc);
        return sc;
      }
    };
  }
}
