package dev.spindle.store.jdbc.internal;

import dev.spindle.queue.FlowLimit;
import dev.spindle.queue.spi.FlowAdmin;
import dev.spindle.queue.spi.FlowControl;
import dev.spindle.queue.spi.FlowHold;
import dev.spindle.queue.spi.StoreClock;
import dev.spindle.store.jdbc.JdbcConn;
import dev.spindle.store.jdbc.JdbcDialect;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Flow control of the SQL stores: the limits, the per-key state, and the keyed part of
 * the claim, run inside the claim's transaction so an over-limit job is never fetched. Tables:
 * {@code spindle_flow_limits} (name, text form), {@code
 * spindle_flow_state} (per key: GCRA arrival time, pause), {@code spindle_flow_starts} (starts
 * inside sliding windows), {@code spindle_flow_ready} (per queue and key: ready jobs, kept by
 * triggers, and the rotation order). A concurrency permit is a RUNNING row with the key, counted
 * through a partial index. Where claims run concurrently (PostgreSQL, MariaDB) a claim tries a
 * transaction lock per key ({@code keyLockSql}, else {@link JdbcDialect#tryLockFlowKey}: across
 * queues) and the key's rotation row ({@code FOR UPDATE SKIP LOCKED})
 * before it checks and counts the key, and skips the key if another transaction holds either: a
 * claim never waits for a flow lock, so claims and enqueues (which lock their keys' rows in one
 * order) cannot deadlock. Thread-safe.
 *
 * @param <C> the store's connection type
 */
public final class SqlFlow<C extends JdbcConn> implements FlowControl, FlowAdmin {
  /** Keys a claim considers per queue, in rotation order. */
  private static final int KEYS_PER_CLAIM = 1000;
  /**
   * A key's {@code served} value is {@code turn * TURN + claims taken in that turn}: a key keeps its
   * place at the head of the round until it has taken its weight's claims ({@link FlowLimit#weightOf},
   * at most {@link FlowLimit#MAX_WEIGHT}), then moves behind every other key.
   */
  static final long TURN = 128;
  /** The longest a queue found held by time rules is skipped without a query (us). */
  static final long QUEUE_HOLD_MAX_US = 100_000;
  /** How long a queue found held by concurrency permits is skipped without a query (us). */
  static final long QUEUE_CONCURRENCY_RECHECK_US = 20_000;

  /** Claims one ready job of a queue: of {@code key}, or without a key if {@code null}; null if none. */
  public interface TakeOne {
    dev.spindle.queue.@Nullable JobInfo take(@Nullable String key) throws SQLException;
  }

  private final SqlDb<C> db;
  private final JdbcDialect dialect;
  private final Clock clock;
  private final Runnable changed;
  private final @Nullable String keyLockSql;
  private final boolean concurrentClaims;
  private final ConcurrentHashMap<String, FlowLimit> parsed = new ConcurrentHashMap<>();
  /**
   * Keys held by a rate, window or pause until a known time (us), so a claim skips them without a
   * query: such a hold only lengthens (starts and pauses add to it) until a limit changes, which
   * clears this cache here; a change made by another process applies here once the hold ends.
   */
  private final ConcurrentHashMap<String, Long> heldUntil = new ConcurrentHashMap<>();
  /**
   * Queues whose last keyed claim found nothing to take (no unkeyed ready job, every key held): a
   * claim skips them without a query until this time (us), at most {@value #QUEUE_HOLD_MAX_US} us
   * ahead ({@value #QUEUE_CONCURRENCY_RECHECK_US} us for a concurrency hold). Cleared by a limit
   * change, by jobs this process enqueues or promotes ({@link #readied}), and per queue when a job
   * this process claimed under a concurrency limit ends here ({@link #ended}); what another process
   * does applies here once the entry lapses. An entry further ahead than it was ever set is stale
   * (the store clock stepped back since) and lapses too, so a step back skips no queue for longer.
   */
  private final ConcurrentHashMap<String, QueueHold> queueHeldUntil = new ConcurrentHashMap<>();

  /**
   * A queue skipped until {@code until} (us); {@code wake} is the earliest end of a rate, window or
   * pause hold among its keys (us; {@code Long.MAX_VALUE} if only concurrency held them), what an
   * idle worker is told to wake at.
   */
  private record QueueHold(long until, long wake) {}
  /** Jobs this process claimed under a concurrency limit, and their queues (see {@link #ended}). */
  private final ConcurrentHashMap<String, String> permitHolders = new ConcurrentHashMap<>();
  private static final int MAX_PERMIT_HOLDERS = 100_000;
  private static final long LIMITS_TTL_MS = 1000;
  private volatile @Nullable Map<String, FlowLimit> limitsCache;
  private volatile long limitsReadAt;

  /**
   * @param changed called after a change other workers should see (a limit changed)
   * @param keyLockSql a query with one parameter (the key) that tries a transaction lock on the key
   *     without waiting and returns whether it got it (a boolean), or {@code null}: the dialect's
   *     {@link JdbcDialect#tryLockFlowKey} where claims run concurrently, no lock where they do not
   *     (SQLite's single writer)
   */
  public SqlFlow(SqlDb<C> db, JdbcDialect dialect, Clock clock, Runnable changed, @Nullable String keyLockSql) {
    this.db = db;
    this.dialect = dialect;
    this.clock = clock;
    this.changed = changed;
    this.keyLockSql = keyLockSql;
    this.concurrentClaims = dialect.writers() == JdbcDialect.Writers.POOL;
  }

  @Override
  public void putLimit(FlowLimit limit) {
    Objects.requireNonNull(limit, "limit");
    db.write("put flow limit " + limit.name(), c -> {
      PreparedStatement ps = c.ps("INSERT INTO spindle_flow_limits (name, spec) VALUES (?, ?)"
          + dialect.onConflictUpdate("name") + "spec = " + dialect.proposed("spec"));
      ps.setString(1, limit.name());
      ps.setString(2, limit.toSpec());
      return ps.executeUpdate();
    });
    heldUntil.clear();
    queueHeldUntil.clear();
    limitsCache = null;
    changed.run();
  }

  @Override
  public boolean defineLimit(FlowLimit limit) {
    Objects.requireNonNull(limit, "limit");
    return db.write("define flow limit " + limit.name(), c -> {
      PreparedStatement ps = c.ps(dialect.insertIgnoring("spindle_flow_limits", "name, spec", "(?, ?)", "name"));
      ps.setString(1, limit.name());
      ps.setString(2, limit.toSpec());
      return ps.executeUpdate() == 1;
    });
  }

  @Override
  public boolean removeLimit(String name) {
    boolean removed = db.write("remove flow limit " + name, c -> {
      PreparedStatement ps = c.ps("DELETE FROM spindle_flow_limits WHERE name = ?");
      ps.setString(1, name);
      return ps.executeUpdate() == 1;
    });
    heldUntil.clear();
    queueHeldUntil.clear();
    limitsCache = null;
    changed.run();
    return removed;
  }

  /**
   * Jobs became ready through this process (enqueued, promoted, released): queues skipped as held
   * are looked at again by the next claim.
   */
  public void readied() {
    if (!queueHeldUntil.isEmpty()) {
      queueHeldUntil.clear();
    }
  }

  /**
   * The job ended or left RUNNING through this process: if it held a concurrency permit its queue is
   * looked at again by the next claim.
   */
  public void ended(String jobId) {
    if (permitHolders.isEmpty()) {
      return;
    }
    String q = permitHolders.remove(jobId);
    if (q != null) {
      queueHeldUntil.remove(q);
    }
  }

  @Override
  public List<FlowLimit> limits() {
    return db.read("list flow limits", c -> List.copyOf(limits(c).values()));
  }

  @Override
  public boolean pauseKey(String jobId, long fence, Instant until, Instant now) {
    long id = parseId(jobId);
    if (id < 0) {
      return false;
    }
    return db.write("pause the flow key of job " + jobId, c -> {
      PreparedStatement ps = c.ps("SELECT flow_key FROM spindle_jobs WHERE id = ? AND state = " + SqlJobRows.RUNNING
          + " AND fence = ?");
      ps.setLong(1, id);
      ps.setLong(2, fence);
      String key;
      try (ResultSet rs = ps.executeQuery()) {
        key = rs.next() ? rs.getString(1) : null;
      }
      if (key == null) {
        return false;
      }
      long at = SqlJobRows.micros(StoreClock.read(clock, now).translate(until));
      PreparedStatement up = c.ps("INSERT INTO spindle_flow_state (\"key\", tat, paused_until) VALUES (?, NULL, ?)"
          + dialect.onConflictUpdate("\"key\"") + "paused_until = "
          + dialect.greatest("coalesce(spindle_flow_state.paused_until, 0)", dialect.proposed("paused_until")));
      up.setString(1, key);
      up.setLong(2, at);
      up.executeUpdate();
      return true;
    });
  }

  @Override
  public Optional<FlowHold> holdOf(String jobId) {
    long id = parseId(jobId);
    if (id < 0) {
      return Optional.empty();
    }
    return db.read("read why job " + jobId + " waits", c -> {
      PreparedStatement ps = c.ps("SELECT flow_key FROM spindle_jobs WHERE id = ? AND state = " + SqlJobRows.QUEUED);
      ps.setLong(1, id);
      String key;
      try (ResultSet rs = ps.executeQuery()) {
        key = rs.next() ? rs.getString(1) : null;
      }
      if (key == null) {
        return Optional.empty();
      }
      return Optional.ofNullable(hold(c, key, SqlJobRows.micros(clock.instant()), limits(c), false));
    });
  }

  @Override
  public List<dev.spindle.queue.spi.FlowKeyState> keys(String limit, int max) {
    int n = FlowAdmin.checkMax(max);
    String prefix = limit + ":";
    return db.read("read the keys of flow limit " + limit, c -> {
      Map<String, int[]> counts = new java.util.TreeMap<>();
      PreparedStatement jobs = c.ps("SELECT flow_key, state, count(*) FROM spindle_jobs WHERE state IN ("
          + SqlJobRows.QUEUED + ", " + SqlJobRows.RUNNING + ") AND substr(flow_key, 1, ?) = ?"
          + " GROUP BY flow_key, state");
      jobs.setInt(1, prefix.length());
      jobs.setString(2, prefix);
      try (ResultSet rs = jobs.executeQuery()) {
        while (rs.next()) {
          counts.computeIfAbsent(rs.getString(1), k -> new int[2])[rs.getInt(2) == SqlJobRows.RUNNING ? 0 : 1] =
              rs.getInt(3);
        }
      }
      for (String table : List.of("spindle_flow_state", "spindle_flow_starts")) {
        PreparedStatement ps = c.ps("SELECT DISTINCT \"key\" FROM " + table + " WHERE substr(\"key\", 1, ?) = ?");
        ps.setInt(1, prefix.length());
        ps.setString(2, prefix);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            counts.computeIfAbsent(rs.getString(1), k -> new int[2]);
          }
        }
      }
      long now = SqlJobRows.micros(clock.instant());
      Map<String, FlowLimit> limits = limits(c);
      List<dev.spindle.queue.spi.FlowKeyState> out = new ArrayList<>();
      for (Map.Entry<String, int[]> e : counts.entrySet()) {
        if (out.size() >= n) {
          break;
        }
        out.add(new dev.spindle.queue.spi.FlowKeyState(e.getKey(), e.getValue()[0], e.getValue()[1],
            hold(c, e.getKey(), now, limits, false)));
      }
      return out;
    });
  }

  private static long parseId(String jobId) {
    try {
      return Long.parseLong(jobId);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * The stored limits, read again at most every {@value #LIMITS_TTL_MS} ms (at once after a change
   * made through this store): a change made by another process applies within that time.
   */
  Map<String, FlowLimit> cachedLimits(C c) throws SQLException {
    Map<String, FlowLimit> m = limitsCache;
    long t = System.nanoTime();
    if (m == null || t - limitsReadAt > LIMITS_TTL_MS * 1_000_000L) {
      m = limits(c);
      limitsCache = m;
      limitsReadAt = t;
    }
    return m;
  }

  /** The stored limits, read now unless read in the last 20 ms. */
  Map<String, FlowLimit> freshLimits(C c) throws SQLException {
    Map<String, FlowLimit> m = limitsCache;
    long t = System.nanoTime();
    if (m == null || t - limitsReadAt > 20_000_000L) {
      m = limits(c);
      limitsCache = m;
      limitsReadAt = t;
    }
    return m;
  }

  /** The stored limits by name, parsed once per text form. */
  Map<String, FlowLimit> limits(C c) throws SQLException {
    Map<String, FlowLimit> out = new java.util.TreeMap<>();
    try (ResultSet rs = c.ps("SELECT name, spec FROM spindle_flow_limits").executeQuery()) {
      while (rs.next()) {
        out.put(rs.getString(1), parsed.computeIfAbsent(rs.getString(2), FlowLimit::parse));
      }
    }
    return out;
  }

  /** What holds {@code key} at {@code now} (micros), or null; {@code prune} drops starts that left windows. */
  private static <C extends JdbcConn> @Nullable FlowHold hold(C c, String key, long now, Map<String, FlowLimit> limits, boolean prune)
      throws SQLException {
    String name = FlowLimit.limitOf(key);
    long tat = Long.MIN_VALUE;
    PreparedStatement st = c.ps("SELECT tat, paused_until FROM spindle_flow_state WHERE \"key\" = ?");
    st.setString(1, key);
    try (ResultSet rs = st.executeQuery()) {
      if (rs.next()) {
        long t = rs.getLong(1);
        if (!rs.wasNull()) {
          tat = t;
        }
        long paused = rs.getLong(2);
        if (!rs.wasNull() && paused > now) {
          return new FlowHold(name, key, FlowHold.Rule.PAUSED, SqlJobRows.instant(paused),
              "the task reported a rate limit");
        }
      }
    }
    FlowLimit l = limits.get(name);
    if (l == null) {
      return null;
    }
    if (l.concurrency() > 0) {
      PreparedStatement ps = c.ps("SELECT count(*) FROM spindle_jobs WHERE flow_key = ? AND state = "
          + SqlJobRows.RUNNING + " AND flow_key IS NOT NULL");
      ps.setString(1, key);
      int running;
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        running = rs.getInt(1);
      }
      if (running >= l.concurrency()) {
        return new FlowHold(name, key, FlowHold.Rule.CONCURRENCY, null, running + " of " + l.concurrency()
            + " running");
      }
    }
    if (l.ratePermits() > 0 && tat != Long.MIN_VALUE) {
      long allowedAt = tat - (l.burst() - 1) * l.intervalMicros();
      if (allowedAt > now) {
        return new FlowHold(name, key, FlowHold.Rule.RATE, SqlJobRows.instant(allowedAt), l.ratePermits() + " per "
            + l.ratePeriod() + ", burst " + l.burst());
      }
    }
    if (l.windowMax() > 0) {
      long from = now - l.windowMicros();
      if (prune) {
        PreparedStatement del = c.ps("DELETE FROM spindle_flow_starts WHERE \"key\" = ? AND at <= ?");
        del.setString(1, key);
        del.setLong(2, from);
        del.executeUpdate();
      }
      PreparedStatement ps = c.ps("SELECT count(*), min(at) FROM spindle_flow_starts WHERE \"key\" = ? AND at > ?");
      ps.setString(1, key);
      ps.setLong(2, from);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        int n = rs.getInt(1);
        if (n >= l.windowMax()) {
          return new FlowHold(name, key, FlowHold.Rule.WINDOW, SqlJobRows.instant(rs.getLong(2) + l.windowMicros()),
              n + " of " + l.windowMax() + " starts in " + l.window());
        }
      }
    }
    return null;
  }

  /** Counts a start of {@code key} at {@code now} against its rate and window. */
  private void started(C c, String key, long now, @Nullable FlowLimit l) throws SQLException {
    if (l == null) {
      return;
    }
    if (l.ratePermits() > 0) {
      PreparedStatement ps = c.ps("INSERT INTO spindle_flow_state (\"key\", tat, paused_until) VALUES (?, ?, NULL)"
          + dialect.onConflictUpdate("\"key\"") + "tat = " + dialect.greatest("coalesce(spindle_flow_state.tat, ?)", "?")
          + " + ?");
      ps.setString(1, key);
      ps.setLong(2, now + l.intervalMicros());
      ps.setLong(3, now);
      ps.setLong(4, now);
      ps.setLong(5, l.intervalMicros());
      ps.executeUpdate();
    }
    if (l.windowMax() > 0) {
      PreparedStatement ps = c.ps("INSERT INTO spindle_flow_starts (\"key\", at) VALUES (?, ?)");
      ps.setString(1, key);
      ps.setLong(2, now);
      ps.executeUpdate();
    }
  }

  /** Tries the key's transaction lock and its rotation row, without waiting; true if both were taken. */
  private boolean lockKey(C c, String queue, String key) throws SQLException {
    if (keyLockSql == null) {
      if (!dialect.tryLockFlowKey(c, key)) {
        return false;
      }
    } else {
      PreparedStatement lock = c.ps(keyLockSql);
      lock.setString(1, key);
      try (ResultSet rs = lock.executeQuery()) {
        if (!rs.next() || !rs.getBoolean(1)) {
          return false;
        }
      }
    }
    PreparedStatement row = c.ps("SELECT 1 FROM spindle_flow_ready WHERE queue = ? AND \"key\" = ? FOR UPDATE SKIP LOCKED");
    row.setString(1, queue);
    row.setString(2, key);
    try (ResultSet rs = row.executeQuery()) {
      return rs.next();
    }
  }

  /**
   * The keyed claim of one queue: round-robin over the jobs without a key and the keys with ready
   * jobs (least recently served first; a key of weight w takes w claims in a row per turn, across
   * claims), skipping keys a rule holds, until {@code available} jobs are taken or no group can give
   * one. A queue found held entirely is skipped without a query for a while (see {@code
   * queueHeldUntil}).
   *
   * @param nextUs its first element is lowered to the earliest time a rule that held a key lifts (us)
   * @return the number taken, or -1 if the queue has no keyed ready jobs (the caller's plain claim applies)
   */
  public static <C extends JdbcConn> int claimKeyed(C c, SqlFlow<C> flow, String queue, int available, long now, TakeOne take,
      long[] nextUs) throws SQLException {
    QueueHold queueHeld = flow.queueHeldUntil.get(queue);
    if (queueHeld != null) {
      if (queueHeld.until() > now && queueHeld.until() - now <= QUEUE_HOLD_MAX_US) {
        nextUs[0] = Math.min(nextUs[0], queueHeld.wake());
        return 0;
      }
      flow.queueHeldUntil.remove(queue, queueHeld);
    }
    PreparedStatement ks = c.ps("SELECT \"key\", served FROM spindle_flow_ready WHERE queue = ?"
        + " AND ready > 0 ORDER BY served, \"key\" LIMIT " + KEYS_PER_CLAIM);
    ks.setString(1, queue);
    ArrayDeque<String> round = new ArrayDeque<>();
    Map<String, Long> servedOf = new java.util.HashMap<>();
    try (ResultSet rs = ks.executeQuery()) {
      while (rs.next()) {
        round.add(rs.getString(1));
        servedOf.put(rs.getString(1), rs.getLong(2));
      }
    }
    if (round.isEmpty()) {
      return -1;
    }
    long turn = -1; // the last turn given, read when a key's turn first ends
    Map<String, FlowLimit> limits = flow.cachedLimits(c);
    for (String key : round) {
      if (!limits.containsKey(FlowLimit.limitOf(key))) {
        limits = flow.freshLimits(c); // a limit defined since the last read must apply at once
        break;
      }
    }
    PreparedStatement serve = c.ps("UPDATE spindle_flow_ready SET served = ? WHERE queue = ? AND \"key\" = ?");
    Set<String> blocked = new HashSet<>();
    boolean unkeyed = true;
    boolean anyUnkeyed = false;
    // when nothing can be taken: the earliest time a key's hold may lift, or -1 if unknown
    long queueFree = Long.MAX_VALUE;
    long timeFree = Long.MAX_VALUE; // the earliest end of a rate, window or pause hold met

    int took = 0;
    while (took < available) {
      boolean progress = false;
      if (unkeyed) {
        if (take.take(null) == null) {
          unkeyed = false;
        } else {
          took++;
          anyUnkeyed = true;
          progress = true;
        }
      }
      List<String> order = new ArrayList<>(round);
      for (String key : order) {
        if (took >= available) {
          break;
        }
        if (blocked.contains(key)) {
          continue;
        }
        if (flow.concurrentClaims && !flow.lockKey(c, queue, key)) {
          blocked.add(key); // another claim serves it now, or an enqueue adds to it
          queueFree = -1;
          continue;
        }
        FlowLimit limit = limits.get(FlowLimit.limitOf(key));
        int weight = limit == null ? 1 : limit.weightOf(key);
        while (took < available) {
          Long cached = flow.heldUntil.get(key);
          if (cached != null && cached > now) {
            nextUs[0] = Math.min(nextUs[0], cached);
            queueFree = Math.min(queueFree, cached);
            timeFree = Math.min(timeFree, cached);
            blocked.add(key);
            break;
          }
          FlowHold h = hold(c, key, now, limits, true);
          if (h != null && h.until() != null) {
            long until = SqlJobRows.micros(h.until());
            nextUs[0] = Math.min(nextUs[0], until);
            queueFree = Math.min(queueFree, until);
            timeFree = Math.min(timeFree, until);
            flow.heldUntil.put(key, until);
          } else if (cached != null) {
            flow.heldUntil.remove(key, cached);
          }
          if (h != null && h.until() == null) {
            queueFree = Math.min(queueFree, now + QUEUE_CONCURRENCY_RECHECK_US);
          }
          dev.spindle.queue.JobInfo got = h == null ? take.take(key) : null;
          if (got == null) {
            if (h == null) {
              queueFree = -1; // the rotation listed a key without a ready job: do not guess
            }
            blocked.add(key);
            break;
          }
          flow.started(c, key, now, limit);
          if (limit != null && limit.concurrency() > 0) {
            if (flow.permitHolders.size() > MAX_PERMIT_HOLDERS) {
              flow.permitHolders.clear(); // holders another process ended: the entries only lapse
            }
            flow.permitHolders.put(got.id(), queue);
          }
          long was = servedOf.getOrDefault(key, 0L);
          boolean turnEnds = was % TURN + 1 >= weight;
          if (turnEnds && turn < 0) {
            // along the (queue, served) index, not over every key of the queue
            PreparedStatement ms = c.ps("SELECT max(served) FROM spindle_flow_ready WHERE queue = ?");
            ms.setString(1, queue);
            try (ResultSet rs = ms.executeQuery()) {
              rs.next();
              turn = rs.getLong(1) / TURN;
            }
          }
          long next = turnEnds ? ++turn * TURN : was + 1;
          servedOf.put(key, next);
          serve.setLong(1, next);
          serve.setString(2, queue);
          serve.setString(3, key);
          serve.executeUpdate();
          took++;
          progress = true;
          if (turnEnds) {
            round.remove(key);
            round.addLast(key);
            break;
          }
        }
      }
      if (!progress) {
        break;
      }
    }
    if (took == 0 && !anyUnkeyed && queueFree > now && queueFree != Long.MAX_VALUE
        && round.size() < KEYS_PER_CLAIM) {
      flow.queueHeldUntil.put(queue, new QueueHold(Math.min(queueFree, now + QUEUE_HOLD_MAX_US), timeFree));
    }
    return took;
  }
}
