package dev.spindle.coordination.internal;

import dev.spindle.coordination.Holder;
import dev.spindle.coordination.Member;
import dev.spindle.coordination.RegisterValue;
import dev.spindle.coordination.spi.CoordinationBackend;
import dev.spindle.spi.MonotonicClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The in-memory backend: threads of one JVM, on a {@link MonotonicClock} by default (its instants
 * are only compared in this JVM, so a step of the wall clock neither expires leases early nor makes
 * them outlast their holders), or on an injected clock (tests move a manual clock to expire leases).
 * One monitor guards everything; each operation is O(holders of the name).
 */
public final class MemoryBackend implements CoordinationBackend {
  private record Entry(long token, Instant expiresAt, String capabilities) {}

  private final Clock clock;
  private final Map<String, Map<String, Entry>> holders = new HashMap<>();
  private final Map<String, Long> sequences = new HashMap<>();
  private final Map<String, TreeMap<String, Entry>> groups = new HashMap<>();
  private final Map<String, RegisterValue> registers = new HashMap<>();
  /** Per register, the highest token that wrote or read it fenced. */
  private final Map<String, Long> fences = new HashMap<>();
  private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

  /** A backend on a new {@link MonotonicClock}. */
  public MemoryBackend() {
    this(new MonotonicClock());
  }

  /** A backend on {@code clock}. */
  public MemoryBackend(Clock clock) {
    this.clock = clock;
  }

  private Map<String, Entry> live(String name, Instant now) {
    Map<String, Entry> h = holders.computeIfAbsent(name, n -> new HashMap<>());
    h.values().removeIf(e -> !e.expiresAt().isAfter(now));
    return h;
  }

  @Override
  public synchronized Grant tryAcquire(String name, int permits, String holder, Duration lease) {
    Instant now = clock.instant();
    Map<String, Entry> h = live(name, now);
    if (h.size() >= permits) {
      Instant first = h.values().stream().map(Entry::expiresAt).min(Comparator.naturalOrder()).orElse(now);
      return Grant.refused(Duration.between(now, first));
    }
    long token = sequences.merge(name, 1L, Long::sum);
    h.put(holder, new Entry(token, now.plus(lease), ""));
    return Grant.of(token);
  }

  @Override
  public synchronized boolean renew(String name, String holder, long token, Duration lease) {
    Instant now = clock.instant();
    Map<String, Entry> h = live(name, now);
    Entry e = h.get(holder);
    if (e == null || e.token() != token) {
      return false;
    }
    h.put(holder, new Entry(token, now.plus(lease), ""));
    return true;
  }

  @Override
  public boolean release(String name, String holder, long token) {
    synchronized (this) {
      Map<String, Entry> h = live(name, clock.instant());
      Entry e = h.get(holder);
      if (e == null || e.token() != token) {
        return false;
      }
      h.remove(holder);
    }
    for (Consumer<String> l : listeners) {
      l.accept(name);
    }
    return true;
  }

  @Override
  public void onReleased(Consumer<String> listener) {
    listeners.add(listener);
  }

  @Override
  public synchronized List<Holder> holders(String name) {
    List<Holder> out = new ArrayList<>();
    for (Map.Entry<String, Entry> e : live(name, clock.instant()).entrySet()) {
      out.add(new Holder(e.getKey(), e.getValue().token(), e.getValue().expiresAt()));
    }
    out.sort(Comparator.comparingLong(Holder::token));
    return out;
  }

  private TreeMap<String, Entry> liveGroup(String group, Instant now) {
    TreeMap<String, Entry> g = groups.computeIfAbsent(group, n -> new TreeMap<>());
    g.values().removeIf(e -> !e.expiresAt().isAfter(now));
    return g;
  }

  @Override
  public synchronized boolean heartbeat(String group, String member, String capabilitiesJson, Duration ttl) {
    Instant now = clock.instant();
    return liveGroup(group, now).put(member, new Entry(0, now.plus(ttl), capabilitiesJson)) == null;
  }

  @Override
  public synchronized void leave(String group, String member) {
    liveGroup(group, clock.instant()).remove(member);
  }

  @Override
  public synchronized List<Member> members(String group) {
    List<Member> out = new ArrayList<>();
    for (Map.Entry<String, Entry> e : liveGroup(group, clock.instant()).entrySet()) {
      out.add(new Member(e.getKey(), e.getValue().capabilities()));
    }
    return out;
  }

  @Override
  public synchronized boolean writeFenced(String name, long token, String value) {
    if (fences.getOrDefault(name, Long.MIN_VALUE) > token) {
      return false;
    }
    fences.put(name, token);
    registers.put(name, new RegisterValue(value, token));
    return true;
  }

  @Override
  public synchronized Optional<RegisterValue> readFenced(String name, long token) {
    fences.merge(name, token, Math::max);
    RegisterValue r = registers.get(name);
    return r == null ? Optional.empty() : Optional.of(new RegisterValue(r.value(), fences.getOrDefault(name, r.token())));
  }

  @Override
  public synchronized Optional<RegisterValue> read(String name) {
    RegisterValue r = registers.get(name);
    return r == null ? Optional.empty() : Optional.of(new RegisterValue(r.value(), fences.getOrDefault(name, r.token())));
  }

  @Override
  public Instant now() {
    return clock.instant();
  }

  @Override
  public String guarantees() {
    return "memory: threads of one JVM; leases on "
        + (clock instanceof MonotonicClock ? "the monotonic clock" : "the injected clock");
  }

  @Override
  public void close() {}
}
