package dev.spindle.queue.health;

import dev.spindle.queue.spi.Incident;

/**
 * Told when a {@link StallDetector} opens or resolves an incident: once per incident across every
 * detector on the store (the store decides which detector opened or resolved it). Called on the
 * detector's thread: implementations must be quick and must not throw (what they throw is logged).
 */
public interface IncidentListener {
  /** A listener that does nothing. */
  IncidentListener NONE = new IncidentListener() {
    @Override
    public void opened(Incident incident) {}
  };

  /** The incident was opened. */
  void opened(Incident incident);

  /** The incident was resolved; by default nothing. */
  default void resolved(Incident incident) {}
}
