package dev.spindle.store.sqlite;

import dev.spindle.queue.FlowLimit;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.ChangeListeners;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.FlowControl;
import dev.spindle.queue.spi.FlowHold;
import dev.spindle.queue.spi.MinuteStats;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.StoreClock;
import dev.spindle.store.sqlite.internal.Db;
import dev.spindle.store.sqlite.internal.JobRows;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Flow control of {@link SqliteJobStore} (issue 16): the limits, the per-key state, and the keyed
 * part of the claim, run inside the claim's write transaction so an over-limit job is never
 * fetched. Tables (schema 6): {@code spindle_flow_limits} (name, text form), {@code
 * spindle_flow_state} (per key: GCRA arrival time, pause), {@code spindle_flow_starts} (starts
 * inside sliding windows), {@code spindle_flow_ready} (per queue and key: ready jobs, kept by
 * triggers, and the rotation order). A concurrency permit is a RUNNING row with the key, counted
 * through a partial index. Thread-safe.
 */
final class SqliteFlow implements FlowControl {
  /** Keys a claim considers per queue, in rotation order. */
  private static final int KEYS_PER_CLAIM = 1000;

  /** Claims one ready job of a queue: of {@code key}, or without a key if {@code null}; null if none. */
  interface TakeOne {
    dev.spindle.queue.JobInfo take(String key) throws SQLException;
  }

  private final Db db;
  private final Clock clock;
  private final ChangeListeners listeners;
  private final ConcurrentHashMap<String, FlowLimit> parsed = new ConcurrentHashMap<>();
  /**
   * Keys held by a rate, window or pause until a known time (us), so a claim skips them without a
   * query: such a hold only lengthens (starts and pauses add to it) until a limit changes, which
   * clears this cache here; a change made by another process applies here once the hold ends.
   */
  private final ConcurrentHashMap<String, Long> heldUntil = new ConcurrentHashMap<>();
  private static final long LIMITS_TTL_MS = 1000;
  private volatile @Nullable Map<String, FlowLimit> limitsCache;
  private volatile long limitsReadAt;

  SqliteFlow(Db db, Clock clock, ChangeListeners listeners) {
    this.db = db;
    this.clock = clock;
    this.listeners = listeners;
  }

  @Override
  public void putLimit(FlowLimit limit) {
    Objects.requireNonNull(limit, "limit");
    db.write("put flow limit " + limit.name(), c -> {
      PreparedStatement ps = c.ps("INSERT OR REPLACE INTO spindle_flow_limits (name, spec) VALUES (?, ?)");
      ps.setString(1, limit.name());
      ps.setString(2, limit.toSpec());
      return ps.executeUpdate();
    });
    heldUntil.clear();
    limitsCache = null;
    listeners.fire();
  }

  @Override
  public boolean defineLimit(FlowLimit limit) {
    Objects.requireNonNull(limit, "limit");
    return db.write("define flow limit " + limit.name(), c -> {
      PreparedStatement ps = c.ps("INSERT OR IGNORE INTO spindle_flow_limits (name, spec) VALUES (?, ?)");
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
    limitsCache = null;
    listeners.fire();
    return removed;
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
      PreparedStatement ps = c.ps("SELECT flow_key FROM spindle_jobs WHERE id = ? AND state = " + JobRows.RUNNING
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
      long at = JobRows.micros(StoreClock.read(clock, now).translate(until));
      PreparedStatement up = c.ps("INSERT INTO spindle_flow_state (key, tat, paused_until) VALUES (?, NULL, ?)"
          + " ON CONFLICT (key) DO UPDATE SET paused_until = max(coalesce(paused_until, 0), excluded.paused_until)");
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
      PreparedStatement ps = c.ps("SELECT flow_key FROM spindle_jobs WHERE id = ? AND state = " + JobRows.QUEUED);
      ps.setLong(1, id);
      String key;
      try (ResultSet rs = ps.executeQuery()) {
        key = rs.next() ? rs.getString(1) : null;
      }
      if (key == null) {
        return Optional.empty();
      }
      return Optional.ofNullable(hold(c, key, JobRows.micros(clock.instant()), limits(c), false));
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
  Map<String, FlowLimit> cachedLimits(Db.Conn c) throws SQLException {
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
  Map<String, FlowLimit> freshLimits(Db.Conn c) throws SQLException {
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
  Map<String, FlowLimit> limits(Db.Conn c) throws SQLException {
    Map<String, FlowLimit> out = new java.util.TreeMap<>();
    try (ResultSet rs = c.ps("SELECT name, spec FROM spindle_flow_limits").executeQuery()) {
      while (rs.next()) {
        out.put(rs.getString(1), parsed.computeIfAbsent(rs.getString(2), FlowLimit::parse));
      }
    }
    return out;
  }

  /** What holds {@code key} at {@code now} (micros), or null; {@code prune} drops starts that left windows. */
  static FlowHold hold(Db.Conn c, String key, long now, Map<String, FlowLimit> limits, boolean prune)
      throws SQLException {
    String name = FlowLimit.limitOf(key);
    long tat = Long.MIN_VALUE;
    PreparedStatement st = c.ps("SELECT tat, paused_until FROM spindle_flow_state WHERE key = ?");
    st.setString(1, key);
    try (ResultSet rs = st.executeQuery()) {
      if (rs.next()) {
        long t = rs.getLong(1);
        if (!rs.wasNull()) {
          tat = t;
        }
        long paused = rs.getLong(2);
        if (!rs.wasNull() && paused > now) {
          return new FlowHold(name, key, FlowHold.Rule.PAUSED, JobRows.instant(paused),
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
          + JobRows.RUNNING + " AND flow_key IS NOT NULL");
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
        return new FlowHold(name, key, FlowHold.Rule.RATE, JobRows.instant(allowedAt), l.ratePermits() + " per "
            + l.ratePeriod() + ", burst " + l.burst());
      }
    }
    if (l.windowMax() > 0) {
      long from = now - l.windowMicros();
      if (prune) {
        PreparedStatement del = c.ps("DELETE FROM spindle_flow_starts WHERE key = ? AND at <= ?");
        del.setString(1, key);
        del.setLong(2, from);
        del.executeUpdate();
      }
      PreparedStatement ps = c.ps("SELECT count(*), min(at) FROM spindle_flow_starts WHERE key = ? AND at > ?");
      ps.setString(1, key);
      ps.setLong(2, from);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        int n = rs.getInt(1);
        if (n >= l.windowMax()) {
          return new FlowHold(name, key, FlowHold.Rule.WINDOW, JobRows.instant(rs.getLong(2) + l.windowMicros()),
              n + " of " + l.windowMax() + " starts in " + l.window());
        }
      }
    }
    return null;
  }

  /** Counts a start of {@code key} at {@code now} against its rate and window. */
  private static void started(Db.Conn c, String key, long now, FlowLimit l) throws SQLException {
    if (l == null) {
      return;
    }
    if (l.ratePermits() > 0) {
      PreparedStatement ps = c.ps("INSERT INTO spindle_flow_state (key, tat, paused_until) VALUES (?, ?, NULL)"
          + " ON CONFLICT (key) DO UPDATE SET tat = max(coalesce(tat, ?), ?) + ?");
      ps.setString(1, key);
      ps.setLong(2, now + l.intervalMicros());
      ps.setLong(3, now);
      ps.setLong(4, now);
      ps.setLong(5, l.intervalMicros());
      ps.executeUpdate();
    }
    if (l.windowMax() > 0) {
      PreparedStatement ps = c.ps("INSERT INTO spindle_flow_starts (key, at) VALUES (?, ?)");
      ps.setString(1, key);
      ps.setLong(2, now);
      ps.executeUpdate();
    }
  }

  /**
   * The keyed claim of one queue: round-robin over the jobs without a key and the keys with ready
   * jobs (least recently served first), skipping keys a rule holds, until {@code available} jobs
   * are taken or no group can give one.
   *
   * @param nextUs its first element is lowered to the earliest time a rule that held a key lifts (us)
   * @return the number taken, or -1 if the queue has no keyed ready jobs (the caller's plain claim applies)
   */
  static int claimKeyed(Db.Conn c, SqliteFlow flow, String queue, int available, long now, TakeOne take,
      long[] nextUs) throws SQLException {
    PreparedStatement ks = c.ps("SELECT key, max(served) OVER () FROM spindle_flow_ready WHERE queue = ?"
        + " AND ready > 0 ORDER BY served, key LIMIT " + KEYS_PER_CLAIM);
    ks.setString(1, queue);
    ArrayDeque<String> round = new ArrayDeque<>();
    long served = 0;
    try (ResultSet rs = ks.executeQuery()) {
      while (rs.next()) {
        round.add(rs.getString(1));
        served = rs.getLong(2);
      }
    }
    if (round.isEmpty()) {
      return -1;
    }
    Map<String, FlowLimit> limits = flow.cachedLimits(c);
    for (String key : round) {
      if (!limits.containsKey(FlowLimit.limitOf(key))) {
        limits = flow.freshLimits(c); // a limit defined since the last read must apply at once
        break;
      }
    }
    PreparedStatement serve = c.ps("UPDATE spindle_flow_ready SET served = ? WHERE queue = ? AND key = ?");
    Set<String> blocked = new HashSet<>();
    boolean unkeyed = true;
    int took = 0;
    while (took < available) {
      boolean progress = false;
      if (unkeyed) {
        if (take.take(null) == null) {
          unkeyed = false;
        } else {
          took++;
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
        Long cached = flow.heldUntil.get(key);
        if (cached != null && cached > now) {
          nextUs[0] = Math.min(nextUs[0], cached);
          blocked.add(key);
          continue;
        }
        FlowHold h = hold(c, key, now, limits, true);
        if (h != null && h.until() != null) {
          long until = JobRows.micros(h.until());
          nextUs[0] = Math.min(nextUs[0], until);
          flow.heldUntil.put(key, until);
        } else if (cached != null) {
          flow.heldUntil.remove(key, cached);
        }
        if (h != null || take.take(key) == null) {
          blocked.add(key);
          continue;
        }
        started(c, key, now, limits.get(FlowLimit.limitOf(key)));
        serve.setLong(1, ++served);
        serve.setString(2, queue);
        serve.setString(3, key);
        serve.executeUpdate();
        round.remove(key);
        round.addLast(key);
        took++;
        progress = true;
      }
      if (!progress) {
        break;
      }
    }
    return took;
  }

  /** Adds a job that is dead from the start: its flow key could not be computed. */
  EnqueueResult insertDead(Db.Conn c, NewJob j, long id, long policyId, StoreClock sc) throws SQLException {
    long now = JobRows.micros(sc.now());
    long seq = SqliteJobStore.meta(c, "finish_seq") + 1;
    PreparedStatement ps = c.ps("INSERT INTO spindle_jobs (id, task, queue, state, priority, args, unique_key,"
        + " created_at, run_at, policy_id, trace_context, error, dead_reason, finished_at, finish_seq, expires_at)"
        + " VALUES (?, ?, ?, " + JobRows.code(JobState.DEAD) + ", ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
        + " ? + (SELECT failure_ttl_us FROM spindle_policies WHERE id = ?))");
    ps.setLong(1, id);
    ps.setString(2, j.task());
    ps.setString(3, j.queue());
    ps.setInt(4, j.priority());
    ps.setString(5, j.argsJson());
    ps.setString(6, j.uniqueKey());
    ps.setLong(7, now);
    ps.setLong(8, JobRows.micros(sc.translate(j.runAt())));
    ps.setLong(9, policyId);
    ps.setString(10, j.traceContext());
    ps.setString(11, FlowControl.badKeyError(j.flowKey()));
    ps.setString(12, FlowControl.BAD_FLOW_KEY);
    ps.setLong(13, now);
    ps.setLong(14, seq);
    ps.setLong(15, now);
    ps.setLong(16, policyId);
    ps.executeUpdate();
    SqliteJobStore.setMeta(c, "finish_seq", seq);
    SqliteStatistics.addStats(c, sc.now(), new HashMap<>(Map.of(MinuteStats.DEAD, 1L)));
    return new EnqueueResult(Long.toString(id), true, JobState.DEAD);
  }
}
