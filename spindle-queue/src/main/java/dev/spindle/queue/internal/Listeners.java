package dev.spindle.queue.internal;

import dev.spindle.queue.JobEvent;
import dev.spindle.queue.JobListener;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** An immutable list of listeners, each call isolated from the others' exceptions. Thread-safe. */
public final class Listeners {
  private static final Logger LOG = LoggerFactory.getLogger(Listeners.class);
  private static final Listeners NONE = new Listeners(List.of());
  private final List<JobListener> listeners;

  private Listeners(List<JobListener> listeners) {
    this.listeners = listeners;
  }

  /** Wraps a list (copied). */
  public static Listeners of(List<JobListener> listeners) {
    return listeners.isEmpty() ? NONE : new Listeners(List.copyOf(listeners));
  }

  /** True if there is at least one listener (callers may skip building events otherwise). */
  public boolean active() {
    return !listeners.isEmpty();
  }

  /** The listeners. */
  public List<JobListener> list() {
    return listeners;
  }

  /** Delivers an event to every listener. */
  public void emit(JobEvent event) {
    for (JobListener l : listeners) {
      try {
        l.onEvent(event);
      } catch (RuntimeException e) {
        LOG.warn("job listener {} threw on {} of job {}; ignored", l, event.type(), event.jobId(), e);
      }
    }
  }
}
