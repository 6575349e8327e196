package dev.spindle.store.postgres;

import dev.spindle.queue.JobPolicy;
import dev.spindle.store.postgres.internal.Db;
import dev.spindle.store.postgres.internal.JobRows;
import dev.spindle.store.postgres.internal.Schema;
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
 * known to exist, created under an advisory lock in their own transaction. A completion moves a
 * success into the history only when its expiry falls in a known day at least {@link #MARGIN_US}
 * before its end, so no partition is dropped under a completion in flight; otherwise the success
 * stays in the hot table (archived later) and its day is created after the commit. Thread-safe.
 */
final class HistoryPartitions {
  /** A day partition's table name; group 1 is the day (microseconds since the epoch / {@link Schema#PARTITION_US}). */
  static final Pattern DAY = Pattern.compile("spindle_history_d(\\d+)");
  /**
   * How long before its day's end a moved success must expire (us): a day is dropped only after it
   * ended, so a completion would have to last this long (or the clocks differ as much) to meet a drop.
   */
  static final long MARGIN_US = Duration.ofMinutes(10).toNanos() / 1000;

  private final Db db;
  private final Clock clock;
  private volatile long[] known = new long[0];

  HistoryPartitions(Db db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  /** The days whose partitions exist, as last read, ascending (a copy). */
  long[] known() {
    return known.clone();
  }

  /** The days whose partitions exist, read in the caller's transaction, ascending. */
  static long[] days(Db.Conn c) throws SQLException {
    List<Long> out = new ArrayList<>();
    try (ResultSet rs = c.ps("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
        + " WHERE i.inhparent = 'spindle_history'::regclass").executeQuery()) {
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
    known = db.read("list history partitions", HistoryPartitions::days);
  }

  /** Creates the partitions of these days that do not exist yet, then reads which exist. */
  void create(Collection<Long> days) {
    if (!days.isEmpty()) {
      db.update("create history partitions", c -> {
        lock(c);
        for (long day : new TreeSet<>(days)) {
          c.execOnce("CREATE TABLE IF NOT EXISTS " + name(day) + " PARTITION OF spindle_history FOR VALUES"
              + " FROM (" + day * Schema.PARTITION_US + ") TO (" + (day + 1) * Schema.PARTITION_US + ")");
        }
      });
    }
    refresh();
  }

  /** Creates the partitions successes finishing within a day need, by every stored policy's result retention and the default's. */
  void prepare() {
    long now = JobRows.micros(clock.instant());
    List<Long> ttls = db.read("read result retentions", c -> {
      List<Long> out = new ArrayList<>(List.of(JobRows.micros(JobPolicy.defaults().resultTtl())));
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
      for (long at : new long[] {now, now + Schema.PARTITION_US}) {
        long expires = at + ttl;
        if (expires < Schema.FOREVER_US) {
          days.add(expires / Schema.PARTITION_US);
        }
      }
    }
    long[] have = known;
    days.removeIf(d -> Arrays.binarySearch(have, d) >= 0);
    create(days);
  }

  /** The days of these expiry times that lack a known partition and whose jobs a completion would have moved. */
  static TreeSet<Long> missing(long[] known, List<Long> expiries) {
    TreeSet<Long> out = new TreeSet<>();
    for (long e : expiries) {
      if (e < Schema.FOREVER_US && e % Schema.PARTITION_US < Schema.PARTITION_US - MARGIN_US
          && Arrays.binarySearch(known, e / Schema.PARTITION_US) < 0) {
        out.add(e / Schema.PARTITION_US);
      }
    }
    return out;
  }

  /** The advisory lock under which partitions are created and dropped (the caller's transaction). */
  static void lock(Db.Conn c) throws SQLException {
    PreparedStatement ps = c.ps("SELECT pg_advisory_xact_lock(hashtext('spindle-history:' || current_schema()))");
    ps.execute();
  }
}
