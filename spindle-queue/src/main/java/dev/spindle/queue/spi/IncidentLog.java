package dev.spindle.queue.spi;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The incidents of a store ({@link Incident}): raised and resolved by stall detectors in any number
 * of workers and dashboards, kept in the store so every dashboard shows the same ones and an incident
 * is raised (and alerted) once however many processes watch. Reached with {@link
 * StoreAdmin#incidents()}; the contract suite is {@code dev.spindle.testkit.store.IncidentLogContract}.
 *
 * <p>Rules every implementation follows:
 * <ul>
 *   <li>{@link #raise} and {@link #resolve} are atomic: of several callers racing on one key, exactly
 *       one creates the incident and exactly one resolves it.
 *   <li>At most one open incident per {@link Incident.Key}.
 *   <li>The newest {@value #KEPT} incidents are kept; older resolved ones are deleted as new ones
 *       arrive. Open incidents are never deleted.
 *   <li>Times are the caller's (the detector passes the store's clock); the store keeps them as given.
 *   <li>Thread-safe; a failure throws {@link dev.spindle.queue.StoreException} and changes nothing.
 * </ul>
 */
public interface IncidentLog {
  /** Incidents kept. */
  int KEPT = 10_000;

  /**
   * The result of {@link #raise}.
   *
   * @param incident the open incident of the key: the new one, or the one already open
   * @param created true if this call opened it (the caller alerts), false if it was open already
   */
  record Raised(Incident incident, boolean created) {}

  /**
   * Opens an incident for {@code key} unless one is open: then returns that one unchanged.
   *
   * @param since when the condition began
   * @param details a description, cut to {@link Incident#MAX_DETAILS}
   * @param now when it is raised (its {@code openedAt})
   */
  Raised raise(Incident.Key key, Instant since, String details, Instant now);

  /**
   * Resolves the open incident of {@code key} at {@code now}.
   *
   * @return the incident as resolved, or empty if none was open (another caller resolved it first)
   */
  Optional<Incident> resolve(Incident.Key key, Instant now);

  /**
   * Incidents newest first (highest id), at most {@code limit}; only open ones if {@code openOnly}.
   *
   * @throws IllegalArgumentException if {@code limit} is not positive
   */
  List<Incident> incidents(boolean openOnly, int limit);

  /** The incident with this id, if it is kept. */
  Optional<Incident> incident(long id);

  /** Checks a listing's limit. */
  static int checkLimit(int limit) {
    if (limit <= 0) {
      throw new IllegalArgumentException("a limit of incidents must be positive: " + limit);
    }
    return limit;
  }
}
