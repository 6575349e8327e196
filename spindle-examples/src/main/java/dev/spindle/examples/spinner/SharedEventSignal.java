package dev.spindle.examples.spinner;

import dev.spindle.process.SharedEvent;
import java.time.Duration;
import java.util.Objects;

/** A {@link StopSignal} over a cross-process {@link SharedEvent}. Thread-safe and process-safe. */
public final class SharedEventSignal implements StopSignal {
  private final SharedEvent event;

  /** Wraps the event (not closed by this signal). */
  public SharedEventSignal(SharedEvent event) {
    this.event = Objects.requireNonNull(event, "event");
  }

  @Override
  public boolean await(Duration timeout) throws InterruptedException {
    return event.await(timeout);
  }

  @Override
  public boolean isSet() {
    return event.isSet();
  }

  @Override
  public void set() {
    event.set();
  }

  @Override
  public String toString() {
    return "SharedEventSignal[" + event + "]";
  }
}
