package dev.spindle.bench;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.concurrent.atomic.LongAdder;

/**
 * A span exporter that counts the spans it is given and drops them: the tracing benchmarks count
 * what the SDK and Spindle pay to make and hand over a span, not a backend's cost. Thread-safe.
 */
public final class DiscardingSpanExporter implements SpanExporter {
  private final LongAdder spans = new LongAdder();

  /** How many spans were exported (and dropped) so far. */
  public long spans() {
    return spans.sum();
  }

  @Override
  public CompletableResultCode export(Collection<SpanData> batch) {
    spans.add(batch.size());
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public CompletableResultCode flush() {
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public CompletableResultCode shutdown() {
    return CompletableResultCode.ofSuccess();
  }
}
