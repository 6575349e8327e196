package dev.spindle.spi;

import java.util.ServiceLoader;
import org.jspecify.annotations.Nullable;

/**
 * Makes a W3C trace context current on a thread, for a tracing library the core does not know. A
 * child JVM of the PROCESSES model loads every implementation on its class path with
 * {@link ServiceLoader} (the module {@code spindle-metrics} registers one for OpenTelemetry) and
 * binds the context an execution arrived with (see {@link dev.spindle.ExecutionLabel#traceContext()})
 * around the task, so spans the task makes there continue its trace. Implementations must be
 * thread-safe, quick, and never throw.
 */
public interface TraceContextBinder {
  /** Undoes a {@link #bind}. */
  @FunctionalInterface
  interface Binding extends AutoCloseable {
    /** Nothing to undo. */
    Binding NONE = () -> { };

    /** Restores the thread's previous context; never throws. */
    @Override
    void close();
  }

  /**
   * Makes the context current on the calling thread until the binding is closed (on the same thread).
   *
   * @param traceContext {@code traceparent}, then {@code ';'} and the {@code tracestate} if any
   * @return the binding to close; {@link Binding#NONE} if the context is unusable
   */
  Binding bind(String traceContext);

  /**
   * The binders installed on the class path, combined into one (binding none if there are none).
   * A binder that fails to load or throws is skipped.
   */
  static TraceContextBinder installed() {
    java.util.List<TraceContextBinder> found = new java.util.ArrayList<>();
    try {
      for (TraceContextBinder b : ServiceLoader.load(TraceContextBinder.class)) {
        found.add(b);
      }
    } catch (java.util.ServiceConfigurationError | LinkageError e) {
      System.err.println("[spindle] a trace context binder could not be loaded; tracing continues without it: " + e);
    }
    if (found.isEmpty()) {
      return ctx -> Binding.NONE;
    }
    return ctx -> {
      java.util.List<Binding> open = new java.util.ArrayList<>(found.size());
      for (TraceContextBinder b : found) {
        try {
          @Nullable Binding bound = b.bind(ctx);
          if (bound != null) {
            open.add(bound);
          }
        } catch (RuntimeException e) {
          // a broken binder must not fail the task
        }
      }
      return () -> {
        for (int i = open.size() - 1; i >= 0; i--) {
          try {
            open.get(i).close();
          } catch (RuntimeException e) {
            // ignored: see bind
          }
        }
      };
    };
  }
}
