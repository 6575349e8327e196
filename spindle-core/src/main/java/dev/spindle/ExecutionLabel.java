package dev.spindle;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Names an execution that is known outside the executor running it — typically one attempt of a
 * durable queue job — so that the task's {@link TaskContext} reports that identity instead of the
 * executor's own key: {@link TaskContext#executionId()} returns {@code executionId} and
 * {@link TaskContext#attempt()} returns {@code attempt}, on every model, child JVMs included.
 * Immutable.
 *
 * @param executionId the identifier to report (e.g. the job id); not blank
 * @param attempt the attempt number to report, 1 for the first
 * @param traceContext a W3C trace context ({@code traceparent}, then {@code ';'} and the
 *     {@code tracestate} if any) that the task's {@link TaskContext#traceContext()} reports and that
 *     a child JVM makes current around the task when a {@link dev.spindle.spi.TraceContextBinder} is
 *     installed there; {@code null} for none
 */
public record ExecutionLabel(String executionId, int attempt, @Nullable String traceContext) {
  /**
   * @throws NullPointerException if {@code executionId} is null
   * @throws IllegalArgumentException if it is blank or {@code attempt < 1}
   */
  public ExecutionLabel {
    Objects.requireNonNull(executionId, "executionId");
    if (executionId.isBlank()) {
      throw new IllegalArgumentException("executionId must not be blank");
    }
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt must be >= 1, was " + attempt);
    }
  }

  /** A label without a trace context. */
  public ExecutionLabel(String executionId, int attempt) {
    this(executionId, attempt, null);
  }
}
