package dev.spindle.coordination.internal;

import dev.spindle.coordination.CoordinationException;
import dev.spindle.coordination.Holder;
import dev.spindle.coordination.Member;
import dev.spindle.coordination.RegisterValue;
import dev.spindle.coordination.spi.CoordinationBackend;
import dev.spindle.queue.StoreException;
import dev.spindle.store.sqlite.SqliteDatabase;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The SQLite backend: the processes of one host sharing a database file (WAL; every change one
 * {@code BEGIN IMMEDIATE} transaction, so the check and the change are atomic across processes).
 * Times are microseconds of the host kernel's real-time clock ({@link SqliteDatabase#hostClock}), read inside the
 * transaction, so every process judges leases on one clock. {@code synchronous=NORMAL}: a process
 * crash loses nothing; a power loss may lose the last transactions (and so reuse fencing tokens
 * handed out just before it). Thread-safe.
 */
public final class SqliteBackend implements CoordinationBackend {
  private static final Clock HOST_CLOCK = SqliteDatabase.hostClock();
  private final SqliteDatabase db;

  /**
   * Opens (creating the file, 0600, if needed, but not its directory) the database and its tables.
   *
   * @throws CoordinationException if the file cannot be opened or is refused (its cause, a
   *     {@link StoreException}, says why: NOT_FOUND if the directory is missing)
   */
  public SqliteBackend(Path file) {
    this(file, false);
  }

  /**
   * Opens the database and its tables; {@code existingOnly}: creates nothing, a missing file is
   * NOT_FOUND (for reads such as listing holders).
   *
   * @throws CoordinationException if the file is missing, cannot be opened or is refused (its
   *     cause, a {@link StoreException}, says why)
   */
  public SqliteBackend(Path file, boolean existingOnly) {
    try {
      this.db = SqliteDatabase.open(file, existingOnly, "coordination database");
      db.update("coordination schema", c -> {
        c.execute("CREATE TABLE IF NOT EXISTS coord_holder (name TEXT NOT NULL, holder TEXT NOT NULL,"
            + " token INTEGER NOT NULL, expires_us INTEGER NOT NULL, PRIMARY KEY (name, holder)) WITHOUT ROWID");
        c.execute("CREATE TABLE IF NOT EXISTS coord_sequence (name TEXT PRIMARY KEY, last INTEGER NOT NULL)"
            + " WITHOUT ROWID");
        c.execute("CREATE TABLE IF NOT EXISTS coord_member (grp TEXT NOT NULL, member TEXT NOT NULL,"
            + " caps TEXT NOT NULL, expires_us INTEGER NOT NULL, PRIMARY KEY (grp, member)) WITHOUT ROWID");
        // token: the highest token that wrote or read it fenced; value NULL until first written
        c.execute("CREATE TABLE IF NOT EXISTS coord_register (name TEXT PRIMARY KEY, value TEXT,"
            + " token INTEGER NOT NULL) WITHOUT ROWID");
      });
    } catch (StoreException e) {
      throw new CoordinationException(e.reason() == StoreException.Reason.NOT_FOUND ? String.valueOf(e.getMessage())
          : "cannot open the coordination database " + file + ": " + e.getMessage(), e);
    }
  }

  private static long nowMicros() {
    Instant t = HOST_CLOCK.instant();
    return t.getEpochSecond() * 1_000_000 + t.getNano() / 1000;
  }

  private static Instant instant(long micros) {
    return Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
  }

  private <T> T write(String op, SqliteDatabase.Work<T> work) {
    try {
      return db.write(op, work);
    } catch (StoreException e) {
      throw new CoordinationException("coordination " + op + " failed: " + e.getMessage(), e);
    }
  }

  private void update(String op, SqliteDatabase.Step step) {
    try {
      db.update(op, step);
    } catch (StoreException e) {
      throw new CoordinationException("coordination " + op + " failed: " + e.getMessage(), e);
    }
  }

  private <T> T read(String op, SqliteDatabase.Work<T> work) {
    try {
      return db.read(op, work);
    } catch (StoreException e) {
      throw new CoordinationException("coordination " + op + " failed: " + e.getMessage(), e);
    }
  }

  @Override
  public Grant tryAcquire(String name, int permits, String holder, Duration lease) {
    return write("acquire", c -> {
      long now = nowMicros();
      PreparedStatement del = c.prepare("DELETE FROM coord_holder WHERE name = ? AND expires_us <= ?");
      del.setString(1, name);
      del.setLong(2, now);
      del.executeUpdate();
      PreparedStatement count = c.prepare("SELECT count(*), min(expires_us) FROM coord_holder WHERE name = ?");
      count.setString(1, name);
      long held;
      long first;
      try (ResultSet rs = count.executeQuery()) {
        rs.next();
        held = rs.getLong(1);
        first = rs.getLong(2);
      }
      if (held >= permits) {
        return Grant.refused(Duration.of(Math.max(0, first - now), ChronoUnit.MICROS));
      }
      PreparedStatement seq = c.prepare("INSERT INTO coord_sequence (name, last) VALUES (?, 1)"
          + " ON CONFLICT (name) DO UPDATE SET last = last + 1 RETURNING last");
      seq.setString(1, name);
      long token;
      try (ResultSet rs = seq.executeQuery()) {
        rs.next();
        token = rs.getLong(1);
      }
      PreparedStatement ins = c.prepare("INSERT OR REPLACE INTO coord_holder (name, holder, token, expires_us)"
          + " VALUES (?, ?, ?, ?)");
      ins.setString(1, name);
      ins.setString(2, holder);
      ins.setLong(3, token);
      ins.setLong(4, now + lease.toNanos() / 1000);
      ins.executeUpdate();
      return Grant.of(token);
    });
  }

  @Override
  public boolean renew(String name, String holder, long token, Duration lease) {
    return write("renew", c -> {
      long now = nowMicros();
      PreparedStatement up = c.prepare("UPDATE coord_holder SET expires_us = ? WHERE name = ? AND holder = ?"
          + " AND token = ? AND expires_us > ?");
      up.setLong(1, now + lease.toNanos() / 1000);
      up.setString(2, name);
      up.setString(3, holder);
      up.setLong(4, token);
      up.setLong(5, now);
      return up.executeUpdate() == 1;
    });
  }

  @Override
  public boolean release(String name, String holder, long token) {
    return write("release", c -> {
      PreparedStatement del = c.prepare("DELETE FROM coord_holder WHERE name = ? AND holder = ? AND token = ?"
          + " AND expires_us > ?");
      del.setString(1, name);
      del.setString(2, holder);
      del.setLong(3, token);
      del.setLong(4, nowMicros());
      return del.executeUpdate() == 1;
    });
  }

  @Override
  public List<Holder> holders(String name) {
    return read("holders", c -> {
      PreparedStatement q = c.prepare("SELECT holder, token, expires_us FROM coord_holder WHERE name = ?"
          + " AND expires_us > ? ORDER BY token");
      q.setString(1, name);
      q.setLong(2, nowMicros());
      List<Holder> out = new ArrayList<>();
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          out.add(new Holder(rs.getString(1), rs.getLong(2), instant(rs.getLong(3))));
        }
      }
      return out;
    });
  }

  @Override
  public boolean heartbeat(String group, String member, String capabilitiesJson, Duration ttl) {
    return write("heartbeat", c -> {
      long now = nowMicros();
      PreparedStatement del = c.prepare("DELETE FROM coord_member WHERE grp = ? AND expires_us <= ?");
      del.setString(1, group);
      del.setLong(2, now);
      del.executeUpdate();
      PreparedStatement up = c.prepare("UPDATE coord_member SET expires_us = ?, caps = ? WHERE grp = ? AND member = ?");
      up.setLong(1, now + ttl.toNanos() / 1000);
      up.setString(2, capabilitiesJson);
      up.setString(3, group);
      up.setString(4, member);
      if (up.executeUpdate() == 1) {
        return false;
      }
      PreparedStatement ins = c.prepare("INSERT INTO coord_member (grp, member, caps, expires_us) VALUES (?, ?, ?, ?)");
      ins.setString(1, group);
      ins.setString(2, member);
      ins.setString(3, capabilitiesJson);
      ins.setLong(4, now + ttl.toNanos() / 1000);
      ins.executeUpdate();
      return true;
    });
  }

  @Override
  public void leave(String group, String member) {
    update("leave", c -> {
      PreparedStatement del = c.prepare("DELETE FROM coord_member WHERE grp = ? AND member = ?");
      del.setString(1, group);
      del.setString(2, member);
      del.executeUpdate();
    });
  }

  @Override
  public List<Member> members(String group) {
    return read("members", c -> {
      PreparedStatement q = c.prepare("SELECT member, caps FROM coord_member WHERE grp = ? AND expires_us > ?"
          + " ORDER BY member");
      q.setString(1, group);
      q.setLong(2, nowMicros());
      List<Member> out = new ArrayList<>();
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          out.add(new Member(rs.getString(1), rs.getString(2)));
        }
      }
      return out;
    });
  }

  @Override
  public boolean writeFenced(String name, long token, String value) {
    return write("fenced write", c -> {
      PreparedStatement up = c.prepare("INSERT INTO coord_register (name, value, token) VALUES (?, ?, ?)"
          + " ON CONFLICT (name) DO UPDATE SET value = excluded.value, token = excluded.token"
          + " WHERE coord_register.token <= excluded.token");
      up.setString(1, name);
      up.setString(2, value);
      up.setLong(3, token);
      return up.executeUpdate() == 1;
    });
  }

  @Override
  public Optional<RegisterValue> read(String name) {
    return read("register read", c -> {
      PreparedStatement q = c.prepare("SELECT value, token FROM coord_register WHERE name = ? AND value IS NOT NULL");
      q.setString(1, name);
      try (ResultSet rs = q.executeQuery()) {
        return rs.next() ? Optional.of(new RegisterValue(rs.getString(1), rs.getLong(2))) : Optional.empty();
      }
    });
  }

  @Override
  public Optional<RegisterValue> readFenced(String name, long token) {
    return write("fenced read", c -> {
      PreparedStatement up = c.prepare("INSERT INTO coord_register (name, value, token) VALUES (?, NULL, ?)"
          + " ON CONFLICT (name) DO UPDATE SET token = max(coord_register.token, excluded.token)"
          + " RETURNING value, token");
      up.setString(1, name);
      up.setLong(2, token);
      try (ResultSet rs = up.executeQuery()) {
        rs.next();
        String v = rs.getString(1);
        return v == null ? Optional.empty() : Optional.of(new RegisterValue(v, rs.getLong(2)));
      }
    });
  }

  @Override
  public Instant now() {
    return HOST_CLOCK.instant();
  }

  @Override
  public String guarantees() {
    return "sqlite: processes of one host sharing " + db.file() + "; leases on the host kernel's clock;"
        + " timeout-based; fencing tokens per name";
  }

  @Override
  public void close() {
    db.close();
  }
}
