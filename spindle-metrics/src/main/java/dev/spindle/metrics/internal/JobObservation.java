package dev.spindle.metrics.internal;

import dev.spindle.queue.JobError;
import dev.spindle.queue.JobObserver;
import io.micrometer.observation.Observation;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The Observation context of one job attempt ({@code spindle.job.process}): what the span and the
 * run-time timer need. Written by the worker's threads one after another (start, stop), with
 * the observation's own happens-before edges; not for concurrent use.
 */
final class JobObservation extends Observation.Context {
  /** The observation name. */
  public static final String NAME = "spindle.job.process";

  final String queue;
  final String task;
  final String jobId;
  final int attempt;
  final SpanContext creation;
  final Meters meters;
  volatile @Nullable Span span;
  /** The span's start: wall-clock time (ns since the epoch; 0 until set) and the same instant on System.nanoTime. */
  volatile long startEpochNanos;
  volatile long startNanoTime;
  /** When the task returned (System.nanoTime): the attempt's end on an in-JVM model; 0 if unknown. */
  volatile long endNanoTime;
  volatile JobObserver.@Nullable Outcome outcome;
  volatile Duration runTime = Duration.ZERO;
  volatile @Nullable JobError failure;

  /** The wall-clock time now, in ns since the epoch (a span's start timestamp). */
  static long epochNanosNow() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  /** Sets the span's start: the instant on System.nanoTime and in ns since the epoch. */
  void startAt(long nanoTime, long epochNanos) {
    startNanoTime = nanoTime;
    startEpochNanos = epochNanos;
  }

  JobObservation(String queue, String task, String jobId, int attempt, SpanContext creation, Meters meters) {
    this.queue = queue;
    this.task = task;
    this.jobId = jobId;
    this.attempt = attempt;
    this.creation = creation;
    this.meters = meters;
    setName(NAME);
    setContextualName(meters.spanName);
  }
}
