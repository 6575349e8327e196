package dev.spindle.queue.spi.sql;

import dev.spindle.queue.FlowLimit;
import dev.spindle.queue.spi.FlowControl;
import dev.spindle.queue.spi.FlowHold;
import dev.spindle.queue.spi.SqlJobRows;
import dev.spindle.queue.spi.StoreClock;
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
 * Flow control of the SQL stores (issue 16): the limits, the per-key state, and the keyed part of
 * the claim, run inside the claim's transaction so an over-limit job is never fetched. Tables:
 * {@code spindle_flow_limits} (name, text form), {@code
 * spindle_flow_state} (per key: GCRA arrival time, pause), {@code spindle_flow_starts} (starts
 * inside sliding windows), {@code spindle_flow_ready} (per queue and key: ready jobs, kept by
 * triggers, and the rotation order). A concurrency permit is a RUNNING row with the key, counted
 * through a partial index. Where claims run concurrently (PostgreSQL) a claim takes a transaction
 * lock per key ({@code keyLockSql}) before it checks and counts the key. Thread-safe.
 *
 * @param <C> the store's connection type
 */
public final class SqlFlow<C extends SqlConn> implements FlowControl {
  /** Keys a claim considers per queue, in rotation order. */
  private static final int KEYS_PER_CLAIM = 1000;

  /** Claims one ready job of a queue: of {@code key}, or without a key if {@code null}; null if none. */
  public interface TakeOne {
    dev.spindle.queue.JobInfo take(String key) throws SQLException;
  }

  private final SqlDb<C> db;
  private final SqlDialect dialect;
  private final Clock clock;
  private final Runnable changed;
  private final @Nullable String keyLockSql;
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

  /**
   * @param changed called after a change other workers should see (a limit changed)
   * @param keyLockSql a statement with one parameter (the key) that takes a transaction lock on the
   *     key, or {@code null} where claims never run concurrently (SQLite's single writer)
   */
  public SqlFlow(SqlDb<C> db, SqlDialect dialect, Clock clock, Runnable changed, @Nullable String keyLockSql) {
    this.db = db;
    this.dialect = dialect;
    this.clock = clock;
    this.changed = changed;
    this.keyLockSql = keyLockSql;
  }

  @Override
  public void putLimit(FlowLimit limit) {
    Objects.requireNonNull(limit, "limit");
    db.write("put flow limit " + limit.name(), c -> {
      PreparedStatement ps = c.ps("INSERT INTO spindle_flow_limits (name, spec) VALUES (?, ?)"
          + " ON CONFLICT (name) DO UPDATE SET spec = excluded.spec");
      ps.setString(1, limit.name());
      ps.setString(2, limit.toSpec());
      return ps.executeUpdate();
    });
    heldUntil.clear();
    limitsCache = null;
    changed.run();
  }

  @Override
  public boolean defineLimit(FlowLimit limit) {
    Objects.requireNonNull(limit, "limit");
    return db.write("define flow limit " + limit.name(), c -> {
      PreparedStatement ps = c.ps("INSERT INTO spindle_flow_limits (name, spec) VALUES (?, ?)"
          + " ON CONFLICT (name) DO NOTHING");
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
    changed.run();
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
      PreparedStatement up = c.ps("INSERT INTO spindle_flow_state (key, tat, paused_until) VALUES (?, NULL, ?)"
          + " ON CONFLICT (key) DO UPDATE SET paused_until = "
          + dialect.greatest("coalesce(spindle_flow_state.paused_until, 0)", "excluded.paused_until"));
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
  private static <C extends SqlConn> FlowHold hold(C c, String key, long now, Map<String, FlowLimit> limits, boolean prune)
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
          return new FlowHold(name, key, FlowHold.Rule.WINDOW, SqlJobRows.instant(rs.getLong(2) + l.windowMicros()),
              n + " of " + l.windowMax() + " starts in " + l.window());
        }
      }
    }
    return null;
  }

  /** Counts a start of {@code key} at {@code now} against its rate and window. */
  private void started(C c, String key, long now, FlowLimit l) throws SQLException {
    if (l == null) {
      return;
    }
    if (l.ratePermits() > 0) {
      PreparedStatement ps = c.ps("INSERT INTO spindle_flow_state (key, tat, paused_until) VALUES (?, ?, NULL)"
          + " ON CONFLICT (key) DO UPDATE SET tat = " + dialect.greatest("coalesce(spindle_flow_state.tat, ?)", "?")
          + " + ?");
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
  public static <C extends SqlConn> int claimKeyed(C c, SqlFlow<C> flow, String queue, int available, long now, TakeOne take,
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
        if (flow.keyLockSql != null) {
          PreparedStatement lock = c.ps(flow.keyLockSql);
          lock.setString(1, key);
          lock.execute();
        }
        Long cached = flow.heldUntil.get(key);
        if (cached != null && cached > now) {
          nextUs[0] = Math.min(nextUs[0], cached);
          blocked.add(key);
          continue;
        }
        FlowHold h = hold(c, key, now, limits, true);
        if (h != null && h.until() != null) {
          long until = SqlJobRows.micros(h.until());
          nextUs[0] = Math.min(nextUs[0], until);
          flow.heldUntil.put(key, until);
        } else if (cached != null) {
          flow.heldUntil.remove(key, cached);
        }
        if (h != null || take.take(key) == null) {
          blocked.add(key);
          continue;
        }
        flow.started(c, key, now, limits.get(FlowLimit.limitOf(key)));
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
}
