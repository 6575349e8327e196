package dev.spindle.store.redis;

import dev.spindle.queue.spi.Incident;
import dev.spindle.queue.spi.IncidentLog;
import dev.spindle.store.redis.internal.RedisLink;
import dev.spindle.store.redis.internal.Script;
import dev.spindle.store.redis.internal.TabText;
import dev.spindle.store.redis.internal.Times;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@link IncidentLog} of {@link RedisJobStore}: each incident a tab-separated record in the hash
 * {@code inc} (by id), its id in the sorted set {@code inc:ids}, and while it is open its id in the
 * hash {@code inc:open} under its {@link Incident.Key#openKey()}; raising and resolving are one
 * script each ({@code incident_raise.lua}, {@code incident_resolve.lua}), so racing callers open and
 * resolve it once. Every key is in the namespace's slot. Thread-safe.
 */
final class RedisIncidents implements IncidentLog {
  private final RedisLink link;
  private final String prefix;

  RedisIncidents(RedisLink link, String prefix) {
    this.link = link;
    this.prefix = prefix;
  }

  @Override
  public Raised raise(Incident.Key key, Instant since, String details, Instant now) {
    String rec = String.join("\t", key.kind().name(), TabText.esc(key.queue()), TabText.esc(key.subject()), Times.encode(since),
        Times.encode(now), "", TabText.esc(Incident.cut(details)));
    List<Object> r = link.script(Script.INCIDENT_RAISE, true, key.openKey(), rec, Integer.toString(KEPT));
    return new Raised(decode((String) r.get(1)), ((Long) r.get(0)) == 1L);
  }

  @Override
  public Optional<Incident> resolve(Incident.Key key, Instant now) {
    String rec = link.script(Script.INCIDENT_RESOLVE, true, key.openKey(), Times.encode(now));
    return rec == null ? Optional.empty() : Optional.of(decode(rec));
  }

  @Override
  public List<Incident> incidents(boolean openOnly, int limit) {
    IncidentLog.checkLimit(limit);
    List<String> ids = openOnly
        ? link.call("open incidents", true, c -> c.hvals(prefix + "inc:open"))
        : link.call("incidents", true, c -> c.zrevrange(prefix + "inc:ids", 0, limit - 1));
    if (ids.isEmpty()) {
      return List.of();
    }
    String[] fields = ids.toArray(String[]::new);
    var values = link.call("read incidents", true, c -> c.hmget(prefix + "inc", fields));
    List<Incident> out = new ArrayList<>();
    for (var v : values) {
      if (v.hasValue()) {
        out.add(decode(v.getValue()));
      }
    }
    out.sort(Comparator.comparingLong(Incident::id).reversed());
    return out.size() > limit ? List.copyOf(out.subList(0, limit)) : out;
  }

  @Override
  public Optional<Incident> incident(long id) {
    String rec = link.call("read incident", true, c -> c.hget(prefix + "inc", Long.toString(id)));
    return rec == null ? Optional.empty() : Optional.of(decode(rec));
  }

  private static Incident decode(String rec) {
    String[] p = Objects.requireNonNull(rec, "incident record").split("\t", -1);
    return new Incident(Long.parseLong(p[0]), Incident.Kind.valueOf(p[1]), TabText.unesc(p[2]), TabText.unesc(p[3]),
        Times.instant(p[4]), Times.instant(p[5]), p[6].isEmpty() ? null : Times.instant(p[6]), TabText.unesc(p[7]));
  }
}
