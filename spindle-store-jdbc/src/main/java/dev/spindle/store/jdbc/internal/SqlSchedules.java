package dev.spindle.store.jdbc.internal;

import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.ScheduleRecord;
import dev.spindle.store.jdbc.JdbcConn;
import dev.spindle.store.jdbc.JdbcDialect;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The schedule table of a SQL store: saving, deleting and listing schedules, finding the due
 * ones, and firing one (its jobs added through the store's own insert, {@link SqlJobInserter}).
 * Thread-safe.
 *
 * @param <C> the store's connection type
 */
public final class SqlSchedules<C extends JdbcConn> {
  private final SqlDb<C> db;
  private final JdbcDialect dialect;
  private final SqlStoreHost<C> host;

  /** The schedules of the store {@code host} on {@code db}. */
  public SqlSchedules(SqlDb<C> db, JdbcDialect dialect, SqlStoreHost<C> host) {
    this.db = db;
    this.dialect = dialect;
    this.host = host;
  }

  /**
   * {@link dev.spindle.queue.spi.JobStore#fireSchedule}: in one transaction the schedule moves on,
   * only if it is still at {@code expectedVersion}, and its jobs are added by {@code inserter}; then
   * the policy rows it created are known to {@code policies} and the store's listeners are told.
   *
   * @return false if the schedule was not at {@code expectedVersion} (another process fired it)
   */
  public boolean fire(String name, long expectedVersion, Instant nextFireAt, @Nullable Instant firedTick,
      List<NewJob> jobs, SqlPolicies policies, SqlJobInserter<C> inserter) {
    Map<JobPolicy, Long> created = new HashMap<>();
    boolean fired = db.write("fire schedule " + name, c -> {
      created.clear();
      PreparedStatement ps = c.ps("UPDATE spindle_schedules SET next_fire_at = ?, last_fire_at = ?,"
          + " version = version + 1 WHERE name = ? AND version = ?");
      ps.setLong(1, SqlJobRows.micros(nextFireAt));
      if (firedTick == null) {
        ps.setNull(2, Types.INTEGER);
      } else {
        ps.setLong(2, SqlJobRows.micros(firedTick));
      }
      ps.setString(3, name);
      ps.setLong(4, expectedVersion);
      if (ps.executeUpdate() == 0) {
        return false;
      }
      if (!jobs.isEmpty()) {
        inserter.insert(c, jobs, created);
      }
      return true;
    });
    if (fired) {
      policies.committed(created);
      host.changed();
    }
    return fired;
  }
  /** {@link dev.spindle.queue.spi.JobStore#saveSchedule}. */
  public ScheduleRecord saveSchedule(ScheduleRecord s) {
    ScheduleRecord[] changed = new ScheduleRecord[1];
    ScheduleRecord r = db.write("save schedule " + s.name(), c -> {
      changed[0] = null;
      Optional<ScheduleRecord> existing = schedule(c, s.name());
      if (existing.isPresent() && existing.get().definition().equals(s.definition())) {
        return existing.get();
      }
      PreparedStatement ps = c.ps("INSERT INTO spindle_schedules (name, definition, next_fire_at, last_fire_at,"
          + " version, created_at) VALUES (?, ?, ?, NULL, 1, ?)" + dialect.onConflictUpdate("name")
          + "definition = " + dialect.proposed("definition") + ", next_fire_at = " + dialect.proposed("next_fire_at")
          + ", version = spindle_schedules.version + 1");
      ps.setString(1, s.name());
      ps.setString(2, s.definition());
      ps.setLong(3, SqlJobRows.micros(s.nextFireAt()));
      ps.setLong(4, SqlJobRows.micros(s.createdAt()));
      ps.executeUpdate();
      changed[0] = schedule(c, s.name()).orElseThrow();
      return changed[0];
    });
    if (changed[0] != null) {
      host.changed();
    }
    return r;
  }

  /** The schedule named {@code name}, inside the caller's transaction. */
  public static Optional<ScheduleRecord> schedule(JdbcConn c, String name) throws SQLException {
    PreparedStatement ps = c.ps("SELECT name, definition, next_fire_at, last_fire_at, version, created_at"
        + " FROM spindle_schedules WHERE name = ?");
    ps.setString(1, name);
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? Optional.of(scheduleRow(rs)) : Optional.empty();
    }
  }

  /** The schedule at the current row (name, definition, next, last, version, created). */
  public static ScheduleRecord scheduleRow(ResultSet rs) throws SQLException {
    long last = rs.getLong(4);
    Instant lastAt = rs.wasNull() ? null : SqlJobRows.instant(last);
    return new ScheduleRecord(rs.getString(1), rs.getString(2), SqlJobRows.instant(rs.getLong(3)), lastAt,
        rs.getLong(5), SqlJobRows.instant(rs.getLong(6)));
  }

  /** {@link dev.spindle.queue.spi.JobStore#deleteSchedule}. */
  public boolean deleteSchedule(String name) {
    boolean removed = db.write("delete schedule " + name, c -> {
      PreparedStatement ps = c.ps("DELETE FROM spindle_schedules WHERE name = ?");
      ps.setString(1, name);
      boolean gone = ps.executeUpdate() > 0;
      PreparedStatement mark = c.ps("DELETE FROM spindle_paused_schedules WHERE name = ?");
      mark.setString(1, name);
      mark.executeUpdate();
      return gone;
    });
    if (removed) {
      host.changed();
    }
    return removed;
  }

  /** {@link dev.spindle.queue.spi.JobStore#schedules}. */
  public List<ScheduleRecord> schedules() {
    return db.read("list schedules", c -> {
      List<ScheduleRecord> out = new ArrayList<>();
      try (ResultSet rs = c.ps("SELECT name, definition, next_fire_at, last_fire_at, version, created_at"
          + " FROM spindle_schedules ORDER BY name").executeQuery()) {
        while (rs.next()) {
          out.add(scheduleRow(rs));
        }
      }
      return out;
    });
  }

  /** {@link dev.spindle.queue.spi.JobStore#dueSchedules}. */
  public List<ScheduleRecord> dueSchedules(Instant now, int limit) {
    return db.read("list due schedules", c -> {
      PreparedStatement ps = c.ps("SELECT name, definition, next_fire_at, last_fire_at, version, created_at"
          + " FROM spindle_schedules WHERE next_fire_at <= ? AND name NOT IN (SELECT name FROM"
          + " spindle_paused_schedules) ORDER BY next_fire_at, name LIMIT ?");
      ps.setLong(1, SqlJobRows.micros(now));
      ps.setInt(2, limit);
      List<ScheduleRecord> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(scheduleRow(rs));
        }
      }
      return out;
    });
  }
}
