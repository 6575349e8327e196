package dev.spindle.metrics.internal;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The current span while a job's task runs in this JVM, standing for the attempt's {@code process}
 * span until something asks for it: the first call (its context, an attribute, a child span
 * parented to it) makes the real span, with the attempt's own start time, and every call goes to
 * it from then on. A task that never looks at its span therefore makes none on its own thread:
 * the worker makes it when the attempt's end is delivered, off the path from one job to the next
 * (making it on the task's thread as the task began lengthened every job by the span's cost, and a
 * worker waits for a round's short jobs before its next store call). Thread-safe: the real span
 * is made once ({@code real} is the attempt's synchronized, memoizing factory).
 */
final class DeferredSpan implements Span {
  private final Supplier<Span> real;

  /** A stand-in for the span {@code real} makes, once, on first use. */
  DeferredSpan(Supplier<Span> real) {
    this.real = real;
  }

  @Override
  public <T> Span setAttribute(AttributeKey<T> key, T value) {
    real.get().setAttribute(key, value);
    return this;
  }

  @Override
  public Span addEvent(String name, Attributes attributes) {
    real.get().addEvent(name, attributes);
    return this;
  }

  @Override
  public Span addEvent(String name, Attributes attributes, long timestamp, TimeUnit unit) {
    real.get().addEvent(name, attributes, timestamp, unit);
    return this;
  }

  @Override
  public Span setStatus(StatusCode statusCode, String description) {
    real.get().setStatus(statusCode, description);
    return this;
  }

  @Override
  public Span recordException(Throwable exception, Attributes additionalAttributes) {
    real.get().recordException(exception, additionalAttributes);
    return this;
  }

  @Override
  public Span updateName(String name) {
    real.get().updateName(name);
    return this;
  }

  @Override
  public Span addLink(SpanContext spanContext, Attributes attributes) {
    real.get().addLink(spanContext, attributes);
    return this;
  }

  @Override
  public void end() {
    real.get().end();
  }

  @Override
  public void end(long timestamp, TimeUnit unit) {
    real.get().end(timestamp, unit);
  }

  @Override
  public SpanContext getSpanContext() {
    return real.get().getSpanContext();
  }

  @Override
  public boolean isRecording() {
    return real.get().isRecording();
  }
}
