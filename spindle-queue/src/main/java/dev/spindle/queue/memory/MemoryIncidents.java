package dev.spindle.queue.memory;

import dev.spindle.queue.spi.Incident;
import dev.spindle.queue.spi.IncidentLog;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The {@link IncidentLog} of an {@link InMemoryJobStore}. Thread-safe: every method holds its lock. */
final class MemoryIncidents implements IncidentLog {
  private final TreeMap<Long, Incident> byId = new TreeMap<>();
  private final Map<String, Incident> open = new HashMap<>();
  private long lastId;

  @Override
  public synchronized Raised raise(Incident.Key key, Instant since, String details, Instant now) {
    Incident existing = open.get(key.openKey());
    if (existing != null) {
      return new Raised(existing, false);
    }
    Incident i = new Incident(++lastId, key.kind(), key.queue(), key.subject(), since, now, null, details);
    byId.put(i.id(), i);
    open.put(key.openKey(), i);
    trim();
    return new Raised(i, true);
  }

  /** Deletes the oldest resolved incidents beyond {@link #KEPT}. */
  private void trim() {
    var it = byId.values().iterator();
    while (byId.size() > KEPT && it.hasNext()) {
      if (!it.next().isOpen()) {
        it.remove();
      }
    }
  }

  @Override
  public synchronized Optional<Incident> resolve(Incident.Key key, Instant now) {
    Incident was = open.remove(key.openKey());
    if (was == null) {
      return Optional.empty();
    }
    Incident done = was.resolved(now);
    byId.put(was.id(), done);
    return Optional.of(done);
  }

  @Override
  public synchronized List<Incident> incidents(boolean openOnly, int limit) {
    IncidentLog.checkLimit(limit);
    List<Incident> out = new ArrayList<>();
    for (Incident i : byId.descendingMap().values()) {
      if (out.size() >= limit) {
        break;
      }
      if (!openOnly || i.isOpen()) {
        out.add(i);
      }
    }
    return out;
  }

  @Override
  public synchronized Optional<Incident> incident(long id) {
    return Optional.ofNullable(byId.get(id));
  }
}
