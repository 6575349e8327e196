package dev.spindle.store.redis.internal;

import dev.spindle.spi.JsonCodec;
import io.lettuce.core.KeyValue;
import io.lettuce.core.SetArgs;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices that Redis lost a namespace's data (a restart without persistence, a flush, eviction),
 * which would otherwise go unseen: job ids would silently start at 1 again and every job would be
 * gone without a word.
 *
 * <p>The first client of a namespace writes a marker {@code {ns}:epoch} ({@code <random>@<first
 * use>}); every store instance remembers the marker it saw and the highest job id it handed out or
 * claimed. Enqueues carry the remembered marker and are refused by the script if it changed;
 * heartbeats compare it too. A changed or missing marker is an incident: it is logged as an error,
 * recorded once per lost epoch in {@code {ns}:incidents} (shown by {@code spindle status}), and the
 * id counter is raised above every id this instance knew, so new ids never reuse them. A process
 * that starts after the loss cannot know what was there: only instances that lived through it
 * notice (every running worker does, at its next heartbeat). Thread-safe.
 */
public final class NamespaceEpoch {
  private static final Logger LOG = LoggerFactory.getLogger(NamespaceEpoch.class);

  private final RedisLink link;
  private final String key;
  private final String incidentsKey;
  private final String idKey;
  private final JsonCodec json = JsonCodec.defaults();
  private final AtomicLong highestId = new AtomicLong();
  private final Set<String> reported = ConcurrentHashMap.newKeySet();
  /** The marker this instance works under, or "" while none could be read or written. */
  private volatile String known = "";

  public NamespaceEpoch(RedisLink link) {
    this.link = link;
    this.key = link.config().keyPrefix() + "epoch";
    this.incidentsKey = link.config().keyPrefix() + "incidents";
    this.idKey = link.config().keyPrefix() + "id";
  }

  private static String fresh() {
    return HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()) + "@"
        + Instant.now().truncatedTo(ChronoUnit.SECONDS);
  }

  /**
   * Reads the marker, writing one first if the namespace has none. Failures (a read-only replica,
   * out of memory) leave it unknown; a later {@link #check} tries again.
   */
  public void establish() {
    try {
      link.call("writing the namespace epoch", false,
          c -> c.set(key, fresh(), SetArgs.Builder.nx()));
    } catch (RuntimeException e) {
      LOG.debug("cannot write the namespace epoch of {} now", link.where(), e);
    }
    try {
      String v = link.call("reading the namespace epoch", false, c -> c.get(key));
      known = v == null ? "" : v;
    } catch (RuntimeException e) {
      LOG.debug("cannot read the namespace epoch of {} now", link.where(), e);
    }
  }

  /** The marker enqueues must find, or "" for no check. */
  public String expected() {
    return known;
  }

  /** Notes a job id this instance handed out or saw. */
  public void saw(String id) {
    try {
      long v = Long.parseLong(id);
      if (v > highestId.get()) {
        highestId.accumulateAndGet(v, Math::max);
      }
    } catch (NumberFormatException e) {
      // not a job id of this store
    }
  }

  /**
   * Compares the marker with the one this instance knows (or establishes one if it knows none), and
   * the id counter with the highest id this instance saw; handles a changed marker or a counter
   * that went back as an incident.
   *
   * @param during what noticed it, for the record ("heartbeat", ...)
   */
  public void check(String during) {
    // Snapshots before the read: the marker compared, and only ids known before the counter is read
    // (each was handed out before the read, so a counter below one of them went back; an id another
    // thread of this instance is handed out meanwhile may be above the value read, and is no loss).
    String expected = known;
    if (expected.isEmpty()) {
      establish();
      return;
    }
    long high = highestId.get();
    List<KeyValue<String, String>> v =
        link.call("reading the namespace epoch", true, c -> c.mget(key, idKey));
    String cur = v.get(0).getValueOrElse(null);
    if (!expected.equals(cur)) {
      changed(expected, cur == null ? "" : cur, during);
      return;
    }
    long counter = Long.parseLong(v.get(1).getValueOrElse("0"));
    if (counter < high) {
      record(expected + "#id<" + high, "the job id counter went back from at least " + high + " to "
          + counter + " (keys deleted or evicted)", during);
    }
  }

  /**
   * Handles a marker found missing ({@code ""}) or different from the one the caller expected:
   * records the incident (once per lost marker, however many threads saw it), raises the id counter
   * above the ids this instance knew, and adopts the marker in force. The caller retries what it was
   * doing.
   *
   * @param expected the marker the caller's request was checked against ({@link #expected()} when it
   *     was sent, not now: another thread may have recorded the loss and adopted a new marker since)
   * @param observed the marker Redis had, or "" for none
   */
  public void changed(String expected, String observed, String during) {
    if (expected.isEmpty() || expected.equals(observed)) {
      return;
    }
    record(expected, "the namespace epoch " + expected.replace("@", " since ") + " is gone (found "
        + (observed.isEmpty() ? "no marker" : observed.replace("@", " since ")) + ")", during);
  }

  /** Records an incident under {@code id} (once per id), raises the id counter. */
  private void record(String id, String what, String during) {
    long high = highestId.get();
    Map<String, Object> incident = new LinkedHashMap<>();
    incident.put("what", what);
    incident.put("noticedAt", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    incident.put("noticedBy", ProcessHandle.current().pid() + "@" + host());
    incident.put("during", during);
    incident.put("highestIdKnown", high);
    String now = link.script(Script.RESEED, true, id, fresh(), Long.toString(high),
        json.toJson(incident, "incident"));
    known = now;
    if (reported.add(id)) {
      LOG.error("Redis at {} LOST THE DATA of this namespace (a restart without persistence, "
          + "a flush or eviction): {}, noticed during {}. Jobs enqueued before may be gone; job "
          + "ids continue above {}. Turn on persistence (appendonly yes) and maxmemory-policy "
          + "noeviction. Recorded for 'spindle status'.", link.where(), what, during, high);
    }
  }

  private static String host() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return "?";
    }
  }

  /** Lines for {@code spindle status}: the epoch in force and every recorded incident. */
  public List<String> report() {
    List<String> out = new ArrayList<>();
    try {
      String cur = link.call("reading the namespace epoch", false, c -> c.get(key));
      out.add("redis: namespace epoch "
          + (cur == null ? "(none yet)" : cur.replace("@", " since ")));
      Map<String, String> all = link.call("reading incidents", false, c -> c.hgetall(incidentsKey));
      TreeMap<String, String> byTime = new TreeMap<>();
      for (Map.Entry<String, String> e : all.entrySet()) {
        byTime.put(noticedAt(e.getValue()) + " " + e.getKey(), e.getValue());
      }
      for (String v : byTime.values()) {
        out.add("redis: DATA LOST: " + describe(v));
      }
    } catch (RuntimeException e) {
      out.add("redis: cannot read the namespace epoch ("
          + String.valueOf(e.getMessage()).lines().findFirst().orElse("") + ")");
    }
    return out;
  }

  private String noticedAt(String incidentJson) {
    try {
      Map<?, ?> m = json.fromJson(incidentJson, Map.class, "incident");
      return String.valueOf(m.get("noticedAt"));
    } catch (RuntimeException e) {
      return "";
    }
  }

  private String describe(String incidentJson) {
    try {
      Map<?, ?> m = json.fromJson(incidentJson, Map.class, "incident");
      return "Redis lost this namespace's data: " + m.get("what") + "; noticed at "
          + m.get("noticedAt") + " by " + m.get("noticedBy") + " during " + m.get("during")
          + "; jobs enqueued before may be gone; ids continue above " + m.get("highestIdKnown");
    } catch (RuntimeException e) {
      return "Redis lost this namespace's data (unreadable record: " + e.getMessage() + ")";
    }
  }
}
