/**
 * Metrics and tracing for Spindle: {@link dev.spindle.metrics.SpindleMetrics} implements the queue's
 * {@link dev.spindle.queue.JobObserver} with Micrometer's Observation API (one instrumentation gives
 * a timer and an OpenTelemetry span) and exposes Prometheus text through
 * {@link dev.spindle.metrics.MetricsServer}.
 */
@NullMarked
package dev.spindle.metrics;

import org.jspecify.annotations.NullMarked;
