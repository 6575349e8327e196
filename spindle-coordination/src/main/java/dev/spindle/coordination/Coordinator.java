package dev.spindle.coordination;

import dev.spindle.coordination.internal.MemoryBackend;
import dev.spindle.coordination.internal.PostgresBackend;
import dev.spindle.coordination.internal.RedisBackend;
import dev.spindle.coordination.internal.SqliteBackend;
import dev.spindle.coordination.spi.CoordinationBackend;
import dev.spindle.spi.MonotonicClock;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The entry point: a coordination backend plus the scheduler that renews leases, sends heartbeats
 * and polls groups for watchers. Backends and what they guarantee:
 * <ul>
 *   <li>{@link Builder#memory()}: threads of one JVM; the clock monotonic (the wall clock read
 *       once, then {@link System#nanoTime()}), or injected (tests).</li>
 *   <li>{@link Builder#sqlite(Path)}: processes of <em>one host</em> sharing a database file; the
 *       store's clock is the host kernel's real-time clock.</li>
 *   <li>{@link Builder#redis(String)}: processes on many hosts; the store's clock is Redis
 *       {@code TIME}, read inside each Lua script, so client clocks never matter. One Redis node
 *       (no Redlock): if it fails over and loses writes, leases may be granted twice; fencing
 *       tokens still only grow if the node's data (AOF) survives.</li>
 *   <li>{@link Builder#postgres(String, String, String)}: processes on many hosts; the clock is the
 *       server's {@code clock_timestamp()}; as durable as the database.</li>
 * </ul>
 * Every backend is timeout-based: a holder that stops renewing (crash, pause) loses its lease after
 * the lease duration, and only fencing turns its late writes away.
 *
 * <p>Thread-safe. {@link #close()} leaves the groups joined, stops watchers and elections, stops
 * renewing leases (those not released expire by themselves) and closes the backend.
 */
public final class Coordinator implements AutoCloseable {
  /**
   * Timings of a coordinator (immutable).
   *
   * @param leaseDuration lease of a lock acquisition unless the lock sets its own (default 10 s)
   * @param heartbeatInterval how often a member refreshes its membership (default 1 s)
   * @param memberTtl how long a member stays in a group after its last heartbeat (default 1.5 ×
   *     heartbeat interval: a member that dies is gone within that, plus one watch interval)
   * @param watchInterval how often watchers and partitioners poll a group (default heartbeat / 4)
   */
  public record Settings(Duration leaseDuration, Duration heartbeatInterval, Duration memberTtl,
      Duration watchInterval) {}

  private final CoordinationBackend backend;
  private final Settings settings;
  private final ScheduledExecutorService scheduler;
  private final String processTag;
  private final AtomicLong holders = new AtomicLong();
  private final Set<AutoCloseable> open = ConcurrentHashMap.newKeySet();
  /**
   * Threads in {@link FencedLock#acquire(Duration)}, by lock name: woken when a release is heard of.
   * A name's set is changed only inside the map's compute functions and removed once empty, so a
   * thread is never added to a set that has left the map.
   */
  private final ConcurrentHashMap<String, Set<Thread>> waiters = new ConcurrentHashMap<>();
  private volatile boolean closed;

  private Coordinator(CoordinationBackend backend, Settings settings) {
    this.backend = backend;
    this.settings = settings;
    ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(2,
        Thread.ofPlatform().daemon().name("spindle-coordination-", 0).factory());
    s.setRemoveOnCancelPolicy(true); // a released lease's renewal leaves the queue at once
    this.scheduler = s;
    byte[] r = new byte[4];
    ThreadLocalRandom.current().nextBytes(r);
    this.processTag = ProcessHandle.current().pid() + "-" + HexFormat.of().formatHex(r);
    backend.onReleased(this::released);
  }

  /** A builder (no backend chosen yet). */
  public static Builder builder() {
    return new Builder();
  }

  /** The backend. */
  public CoordinationBackend backend() {
    return backend;
  }

  /** The timings. */
  public Settings settings() {
    return settings;
  }

  /** What the backend guarantees. */
  public String guarantees() {
    return backend.guarantees();
  }

  /** A lock (one permit) with the default lease duration. */
  public FencedLock lock(String name) {
    return semaphore(name, 1, settings.leaseDuration());
  }

  /** A lock (one permit) with its own lease duration. */
  public FencedLock lock(String name, Duration lease) {
    return semaphore(name, 1, lease);
  }

  /** A semaphore of {@code permits} with the default lease duration. */
  public FencedLock semaphore(String name, int permits) {
    return semaphore(name, permits, settings.leaseDuration());
  }

  /**
   * A semaphore of {@code permits} permits.
   *
   * @throws IllegalArgumentException if the name is blank, permits not in 1..100,000 or the lease
   *     shorter than 10 ms
   */
  public FencedLock semaphore(String name, int permits, Duration lease) {
    checkName(name);
    if (permits < 1 || permits > 100_000) {
      throw new IllegalArgumentException("permits must be in 1..100000, got " + permits);
    }
    checkDuration("lease", lease);
    return new FencedLock(this, name, permits, lease);
  }

  /** The fenced register {@code name} (see {@link FencedRegister}). */
  public FencedRegister register(String name) {
    checkName(name);
    return new FencedRegister(backend, name);
  }

  /**
   * Joins {@code group} as {@code memberId} with capabilities (a JSON object, e.g.
   * {@code {"weight":2}}), heartbeating every {@link Settings#heartbeatInterval()} until the
   * membership is closed.
   *
   * @throws IllegalArgumentException if the capabilities are not a JSON object
   */
  public Membership join(String group, String memberId, String capabilitiesJson) {
    checkName(group);
    checkName(memberId);
    Membership m = new Membership(this, group, memberId, Member.validJson(capabilitiesJson));
    register(m);
    m.start(scheduler);
    return m;
  }

  /** The current members of {@code group}. */
  public List<Member> members(String group) {
    return backend.members(group);
  }

  /**
   * Calls {@code listener} on the coordinator's scheduler thread for every join and leave seen in
   * {@code group} (first with every current member as a join), polling every
   * {@link Settings#watchInterval()}, until the watch is closed.
   */
  public GroupWatch watch(String group, GroupListener listener) {
    checkName(group);
    GroupWatch w = new GroupWatch(this, group, Objects.requireNonNull(listener, "listener"));
    register(w);
    w.start(scheduler, settings.watchInterval());
    return w;
  }

  /**
   * A partitioner over {@code group}: which member owns a key, by a {@link HashRing} of the
   * current members weighted by their capability {@code weight}; {@code listener} is called when
   * the ring changes.
   */
  public Partitioner partitioner(String group, String selfId, Partitioner.OwnershipListener listener) {
    Partitioner p = new Partitioner(selfId, listener);
    p.attach(watch(group, p.listener()));
    return p;
  }

  /**
   * Takes part in the election of {@code group}'s leader as {@code candidateId}: leadership is a
   * fenced lease ({@code election/<group>}) that the candidate tries to take every heartbeat
   * interval; {@code listener} hears when it is elected (with the lease and its token) and when
   * the lease is lost.
   */
  public LeaderElection election(String group, String candidateId, LeaderElection.Listener listener) {
    checkName(group);
    checkName(candidateId);
    LeaderElection e = new LeaderElection(this, lock("election/" + group), candidateId, listener);
    register(e);
    e.start(scheduler, settings.heartbeatInterval());
    return e;
  }

  /** The holders of {@code name} as the store sees them. */
  public List<Holder> holders(String name) {
    return backend.holders(name);
  }

  String newHolderId() {
    return processTag + "-" + holders.incrementAndGet();
  }

  /**
   * The calling thread starts ({@code in}) or stops waiting for {@code name}: while it waits,
   * {@link #released} wakes it. It starts before its first attempt, so a release after any failed
   * attempt wakes it.
   */
  void waiting(String name, boolean in) {
    Thread self = Thread.currentThread();
    if (in) {
      // added inside compute: a waiter that leaves meanwhile cannot remove the set (emptied) first
      waiters.compute(name, (n, set) -> {
        Set<Thread> s = set != null ? set : ConcurrentHashMap.newKeySet();
        s.add(self);
        return s;
      });
    } else {
      waiters.computeIfPresent(name, (n, set) -> {
        set.remove(self);
        return set.isEmpty() ? null : set;
      });
    }
  }

  /**
   * A holder of {@code name} released it: its waiters here retry now (every thread between its
   * {@link #waiting} in and out: each is in the set the map holds).
   */
  void released(String name) {
    Set<Thread> w = waiters.get(name);
    if (w != null) {
      for (Thread t : w) {
        LockSupport.unpark(t);
      }
    }
  }

  Lease track(Lease lease) {
    long every = Math.max(1, lease.duration().toNanos() / 3);
    if (!closed) {
      lease.renewal(scheduler.scheduleWithFixedDelay(lease::renew, every, every, TimeUnit.NANOSECONDS));
    }
    return lease;
  }

  void register(AutoCloseable c) {
    if (closed) {
      throw new IllegalStateException("the coordinator is closed");
    }
    open.add(c);
  }

  void forget(AutoCloseable c) {
    open.remove(c);
  }

  /** Stops heartbeats, watchers and elections opened here, then closes the backend. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (AutoCloseable c : List.copyOf(open)) {
      try {
        c.close();
      } catch (Exception e) {
        // closing anyway
      }
    }
    scheduler.shutdownNow();
    backend.close();
  }

  private static void checkName(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isBlank() || name.length() > 200) {
      throw new IllegalArgumentException("a name must be 1..200 characters and not blank: '" + name + "'");
    }
  }

  private static void checkDuration(String what, Duration d) {
    Objects.requireNonNull(d, what);
    if (d.compareTo(Duration.ofMillis(10)) < 0) {
      throw new IllegalArgumentException(what + " must be at least 10ms, got " + d);
    }
  }

  /** Chooses a backend and timings; validates each setting. Not thread-safe. */
  public static final class Builder {
    private @Nullable Supplier<CoordinationBackend> backend;
    private @Nullable Clock clock;
    private String namespace = "spindle";
    private String schema = "public";
    private Duration leaseDuration = Duration.ofSeconds(10);
    private Duration heartbeatInterval = Duration.ofSeconds(1);
    private @Nullable Duration memberTtl;
    private @Nullable Duration watchInterval;

    private Builder() {}

    /**
     * The in-memory backend: threads of this JVM only; the store's clock is {@link #clock}, if set,
     * else a {@link MonotonicClock}.
     */
    public Builder memory() {
      this.backend = () -> clock != null ? new MemoryBackend(clock) : new MemoryBackend();
      return this;
    }

    /**
     * The SQLite backend on {@code file} (created 0600 if absent; its directory must exist):
     * processes of one host only (SQLite over a network file system is not safe); the clock is the
     * host kernel's. A file or directory another user owns or can write is refused.
     */
    public Builder sqlite(Path file) {
      Objects.requireNonNull(file, "file");
      this.backend = () -> new SqliteBackend(file);
      return this;
    }

    /**
     * Like {@link #sqlite(Path)}, but the file must exist and nothing is created: for code that only
     * reads (listing holders); a missing file fails {@link #build()} with a
     * {@link CoordinationException} whose cause is a {@code StoreException} NOT_FOUND.
     */
    public Builder sqliteExisting(Path file) {
      Objects.requireNonNull(file, "file");
      this.backend = () -> new SqliteBackend(file, true);
      return this;
    }

    /**
     * The Redis backend at {@code url} ({@code redis://host:port[/db]}, {@code rediss://} for TLS):
     * processes on many hosts; the clock is Redis {@code TIME}; keys under {@link #namespace}.
     */
    public Builder redis(String url) {
      Objects.requireNonNull(url, "url");
      this.backend = () -> new RedisBackend(url, namespace);
      return this;
    }

    /**
     * The PostgreSQL backend: processes on many hosts; the clock is the server's
     * {@code clock_timestamp()}; tables in {@link #schema} (created if missing); a pool of 4
     * connections (and one more listening for releases).
     */
    public Builder postgres(String jdbcUrl, String user, @Nullable String password) {
      Objects.requireNonNull(jdbcUrl, "jdbcUrl");
      Objects.requireNonNull(user, "user");
      this.backend = () -> PostgresBackend.open(jdbcUrl, user, password, schema);
      return this;
    }

    /** The PostgreSQL backend on your data source (not closed by the coordinator). */
    public Builder postgres(DataSource dataSource) {
      Objects.requireNonNull(dataSource, "dataSource");
      this.backend = () -> new PostgresBackend(dataSource, schema);
      return this;
    }

    /** The PostgreSQL schema of the coordination tables (default {@code public}); a plain identifier. */
    public Builder schema(String s) {
      Objects.requireNonNull(s, "schema");
      if (!s.matches("[a-z_][a-z0-9_]{0,62}")) {
        throw new IllegalArgumentException("schema must be a lower-case identifier, got '" + s + "'");
      }
      this.schema = s;
      return this;
    }

    /** A backend of your own (see the SPI). */
    public Builder backend(CoordinationBackend b) {
      Objects.requireNonNull(b, "backend");
      this.backend = () -> b;
      return this;
    }

    /**
     * The memory backend's clock (default: the system's wall clock read once, then the monotonic
     * clock, so that a step of the wall clock neither ends leases early nor makes them last longer);
     * other backends use the store's clock.
     */
    public Builder clock(Clock c) {
      this.clock = Objects.requireNonNull(c, "clock");
      return this;
    }

    /** The Redis key prefix (default {@code spindle}): {@code <namespace>:coord:...}. */
    public Builder namespace(String ns) {
      Objects.requireNonNull(ns, "namespace");
      if (!ns.matches("[A-Za-z0-9_.-]{1,64}")) {
        throw new IllegalArgumentException("namespace must be 1..64 of [A-Za-z0-9_.-], got '" + ns + "'");
      }
      this.namespace = ns;
      return this;
    }

    /** Default lease duration of locks (default 10 s, at least 10 ms). */
    public Builder leaseDuration(Duration d) {
      checkDuration("leaseDuration", d);
      this.leaseDuration = d;
      return this;
    }

    /** How often members heartbeat (default 1 s, at least 10 ms). */
    public Builder heartbeatInterval(Duration d) {
      checkDuration("heartbeatInterval", d);
      this.heartbeatInterval = d;
      return this;
    }

    /** How long a silent member stays in its group (default 1.5 × heartbeat interval); must exceed the interval. */
    public Builder memberTtl(Duration d) {
      checkDuration("memberTtl", d);
      this.memberTtl = d;
      return this;
    }

    /** How often watchers poll (default heartbeat interval / 4, at least 10 ms). */
    public Builder watchInterval(Duration d) {
      checkDuration("watchInterval", d);
      this.watchInterval = d;
      return this;
    }

    /**
     * Opens the coordinator.
     *
     * @throws IllegalStateException if no backend was chosen or the member TTL does not exceed the
     *     heartbeat interval
     * @throws CoordinationException if the store cannot be opened
     */
    public Coordinator build() {
      if (backend == null) {
        throw new IllegalStateException("choose a backend: memory(), sqlite(path), redis(url) or backend(b)");
      }
      Duration ttl = memberTtl != null ? memberTtl : heartbeatInterval.multipliedBy(3).dividedBy(2);
      if (ttl.compareTo(heartbeatInterval) <= 0) {
        throw new IllegalStateException("memberTtl (" + ttl + ") must exceed heartbeatInterval (" + heartbeatInterval + ")");
      }
      Duration watch = watchInterval != null ? watchInterval
          : Duration.ofNanos(Math.max(Duration.ofMillis(10).toNanos(), heartbeatInterval.toNanos() / 4));
      return new Coordinator(backend.get(), new Settings(leaseDuration, heartbeatInterval, ttl, watch));
    }
  }
}
