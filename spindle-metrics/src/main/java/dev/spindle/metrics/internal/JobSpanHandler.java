package dev.spindle.metrics.internal;

import dev.spindle.queue.JobError;
import dev.spindle.queue.JobObserver;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import java.util.concurrent.TimeUnit;

/**
 * The span half of the {@code spindle.job.process} observation: one CONSUMER span
 * {@code process {queue}} per attempt, the root of its own trace, LINKED to the context stored at
 * enqueue (so fan-out and recurring jobs never grow one trace without bound), with OpenTelemetry's
 * messaging attributes. The span starts when the task began and ends when it returned on an
 * in-JVM model (times the attempt records, {@link JobObservation#startAt} and
 * {@link JobObservation#endNanoTime}), else it starts when made and lasts the worker's measured run
 * time; it is made when first asked for or when the attempt's end is delivered, which may be
 * milliseconds after the task returned. Thread-safe.
 */
public final class JobSpanHandler implements ObservationHandler<JobObservation> {
  static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("messaging.system");
  static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
  static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");
  static final AttributeKey<String> OPERATION_TYPE = AttributeKey.stringKey("messaging.operation.type");
  static final AttributeKey<String> OPERATION_NAME = AttributeKey.stringKey("messaging.operation.name");
  /** The attempt (1 for the first run): semantic conventions have no system-neutral delivery count. */
  static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("spindle.job.attempt");
  static final AttributeKey<String> TASK = AttributeKey.stringKey("spindle.task");
  static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("spindle.outcome");
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  private static final Attributes LINK = Attributes.of(AttributeKey.stringKey("spindle.link"), "enqueue");

  private final Tracer tracer;

  /** A handler making spans with this tracer. */
  public JobSpanHandler(Tracer tracer) {
    this.tracer = tracer;
  }

  @Override
  public void onStart(JobObservation c) {
    SpanBuilder b = tracer.spanBuilder(c.meters.spanName).setSpanKind(SpanKind.CONSUMER).setNoParent()
        .setAttribute(SYSTEM, "spindle").setAttribute(DESTINATION, c.queue).setAttribute(MESSAGE_ID, c.jobId)
        .setAttribute(OPERATION_TYPE, "process").setAttribute(OPERATION_NAME, "process")
        .setAttribute(ATTEMPT, (long) c.attempt).setAttribute(TASK, c.task);
    if (c.startEpochNanos == 0) { // not begun in this JVM: it starts now
      c.startAt(System.nanoTime(), JobObservation.epochNanosNow());
    }
    Span s = b.setStartTimestamp(c.startEpochNanos, TimeUnit.NANOSECONDS).startSpan();
    if (c.creation.isValid()) {
      // linked on the span, not the builder: the SDK's builder sizes its link list by the link limit
      // (128 slots, 528 B per span), the span by its one link; samplers do not see the link
      s.addLink(c.creation, LINK);
    }
    c.span = s;
  }

  @Override
  public void onStop(JobObservation c) {
    Span s = c.span;
    if (s == null) {
      return;
    }
    JobObserver.Outcome o = c.outcome;
    if (o != null) {
      s.setAttribute(OUTCOME, o.label());
    }
    JobError e = c.failure;
    if (e != null) {
      s.setAttribute(ERROR_TYPE, e.type());
      s.addEvent("exception", Attributes.of(AttributeKey.stringKey("exception.type"), e.type(),
          AttributeKey.stringKey("exception.message"), e.message() == null ? "" : e.message()));
    }
    if (o == JobObserver.Outcome.FAILED || o == JobObserver.Outcome.RETRIED || o == JobObserver.Outcome.DEAD
        || o == JobObserver.Outcome.LOST) {
      s.setStatus(StatusCode.ERROR, o.label());
    }
    long end = c.endNanoTime;
    if (end == 0) {
      end = c.startNanoTime + Math.max(0, c.runTime.toNanos()); // no scope here (a child JVM ran it)
    }
    s.end(c.startEpochNanos + Math.max(0, end - c.startNanoTime), TimeUnit.NANOSECONDS);
  }

  @Override
  public boolean supportsContext(Observation.Context context) {
    return context instanceof JobObservation;
  }
}
