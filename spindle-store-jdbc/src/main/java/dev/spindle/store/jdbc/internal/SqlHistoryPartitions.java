package dev.spindle.store.jdbc.internal;

import dev.spindle.queue.JobPolicy;
import dev.spindle.store.jdbc.JdbcHistory;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The day partitions of {@code spindle_history} ({@code spindle_history_d<day>}, by expiry day)
 * known to exist, created under the dialect's lock ({@link JdbcHistory}) in their own transaction.
 * A completion moves a success into the history only when its expiry falls in a known day at least
 * {@link #MARGIN_US} before its end, so no partition is dropped under a completion in flight;
 * otherwise the success stays in the hot table (archived later) and its day is created after the
 * commit. Thread-safe.
 *
 * @param <C> the store's connection type
 */
public final class SqlHistoryPartitions<C extends SqlConn> implements SqlArrayCompletions.DirectHistory {
  /** The length of a partition's day, in microseconds. */
  public static final long DAY_US = 86_400_000_000L;
  /** The expiry time (us) of jobs kept forever: such jobs are in no day. */
  public static final long FOREVER_US = 1L << 53;
  /** A day partition's table name; group 1 is the day (microseconds since the epoch / {@link #DAY_US}). */
  static final Pattern DAY = Pattern.compile("spindle_history_d(\\d+)");
  /**
   * How long before its day's end a moved success must expire (us): a day is dropped only after it
   * ended, so a completion would have to last this long (or the clocks differ as much) to meet a drop.
   */
  public static final long MARGIN_US = Duration.ofMinutes(10).toNanos() / 1000;

  private final SqlDb<C> db;
  private final Clock clock;
  private final JdbcHistory sql;
  private volatile long[] known = new long[0];

  /** The partitions of the history on {@code db}, whose statements {@code sql} supplies. */
  public SqlHistoryPartitions(SqlDb<C> db, Clock clock, JdbcHistory sql) {
    this.db = db;
    this.clock = clock;
    this.sql = sql;
  }

  /** The days whose partitions exist, as last read, ascending (a copy). */
  @Override
  public long[] known() {
    return known.clone();
  }

  /** The days whose partitions exist, read in the caller's transaction, ascending. */
  long[] days(C c) throws SQLException {
    List<Long> out = new ArrayList<>();
    try (ResultSet rs = c.ps(sql.listPartitions()).executeQuery()) {
      while (rs.next()) {
        Matcher m = DAY.matcher(rs.getString(1));
        if (m.matches()) {
          out.add(Long.parseLong(m.group(1)));
        }
      }
    }
    return out.stream().mapToLong(Long::longValue).sorted().toArray();
  }

  /** The table name of a day's partition. */
  static String name(long day) {
    return "spindle_history_d" + day;
  }

  /** Reads which day partitions exist. */
  void refresh() {
    known = db.read("list history partitions", this::days);
  }

  /** Creates the partitions of these days that do not exist yet, then reads which exist. */
  @Override
  public void create(Collection<Long> days) {
    if (!days.isEmpty()) {
      db.update("create history partitions", c -> {
        lock(c);
        for (long day : new TreeSet<>(days)) {
          c.execOnce(sql.createPartition(name(day), day * DAY_US, (day + 1) * DAY_US));
        }
      });
    }
    refresh();
  }

  /** Creates the partitions successes finishing within a day need, by every stored policy's result retention and the default's. */
  public void prepare() {
    long now = SqlJobRows.micros(clock.instant());
    List<Long> ttls = db.read("read result retentions", c -> {
      List<Long> out = new ArrayList<>(List.of(SqlJobRows.micros(JobPolicy.defaults().resultTtl())));
      try (ResultSet rs = c.ps("SELECT DISTINCT result_ttl_us FROM spindle_policies WHERE result_ttl_us > 0")
          .executeQuery()) {
        while (rs.next()) {
          out.add(rs.getLong(1));
        }
      }
      return out;
    });
    TreeSet<Long> days = new TreeSet<>();
    for (long ttl : ttls) {
      for (long at : new long[] {now, now + DAY_US}) {
        long expires = at + ttl;
        if (expires < FOREVER_US) {
          days.add(expires / DAY_US);
        }
      }
    }
    long[] have = known;
    days.removeIf(d -> Arrays.binarySearch(have, d) >= 0);
    create(days);
  }

  /** The dialect's statement moving successes in their completing statement ({@link JdbcHistory#moveSuccesses}). */
  @Override
  public String moveSql(String finishLock) {
    return sql.moveSuccesses(finishLock);
  }

  @Override
  public TreeSet<Long> missing(long[] known, List<Long> expiries) {
    return missingDays(known, expiries);
  }

  /** The days of these expiry times that lack a known partition and whose jobs a completion would have moved. */
  public static TreeSet<Long> missingDays(long[] known, List<Long> expiries) {
    TreeSet<Long> out = new TreeSet<>();
    for (long e : expiries) {
      if (e < FOREVER_US && e % DAY_US < DAY_US - MARGIN_US && Arrays.binarySearch(known, e / DAY_US) < 0) {
        out.add(e / DAY_US);
      }
    }
    return out;
  }

  /** Takes the lock under which partitions are created and dropped (the caller's transaction). */
  void lock(C c) throws SQLException {
    PreparedStatement ps = c.ps(sql.lock());
    ps.execute();
  }
}
