package dev.spindle.coordination.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.spindle.coordination.CoordinationException;
import dev.spindle.coordination.Holder;
import dev.spindle.coordination.Member;
import dev.spindle.coordination.RegisterValue;
import dev.spindle.coordination.spi.CoordinationBackend;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * The PostgreSQL backend: processes on many hosts sharing one database. Times are microseconds of
 * the server's {@code clock_timestamp()}, read inside each statement, so client clocks never
 * matter. An acquisition locks the name's sequence row ({@code SELECT ... FOR UPDATE}) for the rest
 * of its transaction, so acquirers of one name are serialized; every other step is one statement.
 * A release notifies channel {@code <schema>_coord_released} ({@code pg_notify}), which every
 * coordinator listens to on a connection of its own, so waiters in other processes retry at once.
 *
 * <p>Guarantees: as durable as the database (a committed grant survives a crash; with synchronous
 * replication, a failover too). Tables {@code coord_holder}, {@code coord_sequence},
 * {@code coord_member}, {@code coord_register} in the given schema, created if missing.
 * Thread-safe.
 */
public final class PostgresBackend implements CoordinationBackend {
  private static final String NOW = "(extract(epoch FROM clock_timestamp()) * 1000000)::bigint";

  @FunctionalInterface
  private interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private final DataSource dataSource;
  private final @Nullable HikariDataSource owned;
  private final String schema;
  private final String channel;
  private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
  private volatile @Nullable Thread listener;
  private volatile boolean closed;

  /**
   * Opens a small pool (4 connections) on {@code jdbcUrl} and creates the tables if missing.
   *
   * @throws CoordinationException if the database cannot be reached
   */
  public static PostgresBackend open(String jdbcUrl, String user, @Nullable String password, String schema) {
    HikariConfig cfg = new HikariConfig();
    cfg.setJdbcUrl(jdbcUrl);
    cfg.setUsername(user);
    if (password != null) {
      cfg.setPassword(password);
    }
    cfg.setMaximumPoolSize(4);
    cfg.setPoolName("spindle-coordination");
    HikariDataSource ds;
    try {
      ds = new HikariDataSource(cfg);
    } catch (RuntimeException e) {
      throw new CoordinationException("cannot connect to PostgreSQL at " + jdbcUrl + ": " + e.getMessage(), e);
    }
    try {
      return new PostgresBackend(ds, ds, schema);
    } catch (RuntimeException e) {
      ds.close();
      throw e;
    }
  }

  /** On the caller's data source (not closed by {@link #close()}); creates the tables if missing. */
  public PostgresBackend(DataSource dataSource, String schema) {
    this(dataSource, null, schema);
  }

  private PostgresBackend(DataSource dataSource, @Nullable HikariDataSource owned, String schema) {
    this.dataSource = dataSource;
    this.owned = owned;
    this.schema = schema;
    this.channel = schema + "_coord_released";
    tx("schema", c -> {
      try (Statement st = c.createStatement()) {
        st.execute("SELECT pg_advisory_xact_lock(hashtext('" + schema + ".spindle_coordination_schema'))");
        st.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
        st.execute("CREATE TABLE IF NOT EXISTS " + t("coord_holder") + " (name text NOT NULL, holder text NOT NULL,"
            + " token bigint NOT NULL, expires_us bigint NOT NULL, PRIMARY KEY (name, holder))");
        st.execute("CREATE TABLE IF NOT EXISTS " + t("coord_sequence") + " (name text PRIMARY KEY, last bigint NOT NULL)");
        st.execute("CREATE TABLE IF NOT EXISTS " + t("coord_member") + " (grp text NOT NULL, member text NOT NULL,"
            + " caps text NOT NULL, expires_us bigint NOT NULL, PRIMARY KEY (grp, member))");
        st.execute("CREATE TABLE IF NOT EXISTS " + t("coord_register") + " (name text PRIMARY KEY, value text,"
            + " token bigint NOT NULL)");
      }
      return Boolean.TRUE;
    });
  }

  private String t(String table) {
    return schema + "." + table;
  }

  private <T> T tx(String op, Work<T> work) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        T r = work.run(c);
        c.commit();
        return r;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new CoordinationException("coordination " + op + " failed on PostgreSQL: " + e.getMessage(), e);
    }
  }

  @Override
  public Grant tryAcquire(String name, int permits, String holder, Duration lease) {
    return tx("acquire", c -> {
      try (PreparedStatement seed = c.prepareStatement("INSERT INTO " + t("coord_sequence")
          + " (name, last) VALUES (?, 0) ON CONFLICT (name) DO NOTHING")) {
        seed.setString(1, name);
        seed.executeUpdate();
      }
      try (PreparedStatement lock = c.prepareStatement("SELECT last FROM " + t("coord_sequence")
          + " WHERE name = ? FOR UPDATE")) {
        lock.setString(1, name);
        lock.executeQuery().close();
      }
      long now;
      long held;
      long first;
      try (PreparedStatement st = c.prepareStatement("WITH gone AS (DELETE FROM " + t("coord_holder")
          + " WHERE name = ? AND expires_us <= " + NOW + ") SELECT " + NOW + ", count(*), coalesce(min(expires_us), 0)"
          + " FROM " + t("coord_holder") + " WHERE name = ? AND expires_us > " + NOW)) {
        st.setString(1, name);
        st.setString(2, name);
        try (ResultSet rs = st.executeQuery()) {
          rs.next();
          now = rs.getLong(1);
          held = rs.getLong(2);
          first = rs.getLong(3);
        }
      }
      if (held >= permits) {
        return Grant.refused(Duration.of(Math.max(0, first - now), ChronoUnit.MICROS));
      }
      long token;
      try (PreparedStatement next = c.prepareStatement("UPDATE " + t("coord_sequence")
          + " SET last = last + 1 WHERE name = ? RETURNING last")) {
        next.setString(1, name);
        try (ResultSet rs = next.executeQuery()) {
          rs.next();
          token = rs.getLong(1);
        }
      }
      try (PreparedStatement ins = c.prepareStatement("INSERT INTO " + t("coord_holder")
          + " (name, holder, token, expires_us) VALUES (?, ?, ?, " + NOW + " + ?)"
          + " ON CONFLICT (name, holder) DO UPDATE SET token = excluded.token, expires_us = excluded.expires_us")) {
        ins.setString(1, name);
        ins.setString(2, holder);
        ins.setLong(3, token);
        ins.setLong(4, lease.toNanos() / 1000);
        ins.executeUpdate();
      }
      return Grant.of(token);
    });
  }

  @Override
  public boolean renew(String name, String holder, long token, Duration lease) {
    return tx("renew", c -> {
      try (PreparedStatement up = c.prepareStatement("UPDATE " + t("coord_holder") + " SET expires_us = " + NOW
          + " + ? WHERE name = ? AND holder = ? AND token = ? AND expires_us > " + NOW)) {
        up.setLong(1, lease.toNanos() / 1000);
        up.setString(2, name);
        up.setString(3, holder);
        up.setLong(4, token);
        return up.executeUpdate() == 1;
      }
    });
  }

  @Override
  public boolean release(String name, String holder, long token) {
    return tx("release", c -> {
      boolean live;
      try (PreparedStatement del = c.prepareStatement("DELETE FROM " + t("coord_holder")
          + " WHERE name = ? AND holder = ? AND token = ? RETURNING expires_us > " + NOW)) {
        del.setString(1, name);
        del.setString(2, holder);
        del.setLong(3, token);
        try (ResultSet rs = del.executeQuery()) {
          if (!rs.next()) {
            return false;
          }
          live = rs.getBoolean(1);
        }
      }
      try (PreparedStatement n = c.prepareStatement("SELECT pg_notify(?, ?)")) {
        n.setString(1, channel);
        n.setString(2, name);
        n.executeQuery().close();
      }
      return live;
    });
  }

  @Override
  public List<Holder> holders(String name) {
    return tx("holders", c -> {
      try (PreparedStatement q = c.prepareStatement("SELECT holder, token, expires_us FROM " + t("coord_holder")
          + " WHERE name = ? AND expires_us > " + NOW + " ORDER BY token")) {
        q.setString(1, name);
        List<Holder> out = new ArrayList<>();
        try (ResultSet rs = q.executeQuery()) {
          while (rs.next()) {
            out.add(new Holder(rs.getString(1), rs.getLong(2), Instant.EPOCH.plus(rs.getLong(3), ChronoUnit.MICROS)));
          }
        }
        return out;
      }
    });
  }

  @Override
  public boolean heartbeat(String group, String member, String capabilitiesJson, Duration ttl) {
    return tx("heartbeat", c -> {
      try (PreparedStatement del = c.prepareStatement("DELETE FROM " + t("coord_member")
          + " WHERE grp = ? AND expires_us <= " + NOW)) {
        del.setString(1, group);
        del.executeUpdate();
      }
      try (PreparedStatement up = c.prepareStatement("INSERT INTO " + t("coord_member")
          + " (grp, member, caps, expires_us) VALUES (?, ?, ?, " + NOW + " + ?) ON CONFLICT (grp, member)"
          + " DO UPDATE SET caps = excluded.caps, expires_us = excluded.expires_us RETURNING (xmax = 0)")) {
        up.setString(1, group);
        up.setString(2, member);
        up.setString(3, capabilitiesJson);
        up.setLong(4, ttl.toNanos() / 1000);
        try (ResultSet rs = up.executeQuery()) {
          rs.next();
          return rs.getBoolean(1);
        }
      }
    });
  }

  @Override
  public void leave(String group, String member) {
    tx("leave", c -> {
      try (PreparedStatement del = c.prepareStatement("DELETE FROM " + t("coord_member")
          + " WHERE grp = ? AND member = ?")) {
        del.setString(1, group);
        del.setString(2, member);
        return del.executeUpdate();
      }
    });
  }

  @Override
  public List<Member> members(String group) {
    return tx("members", c -> {
      try (PreparedStatement q = c.prepareStatement("SELECT member, caps FROM " + t("coord_member")
          + " WHERE grp = ? AND expires_us > " + NOW + " ORDER BY member")) {
        q.setString(1, group);
        List<Member> out = new ArrayList<>();
        try (ResultSet rs = q.executeQuery()) {
          while (rs.next()) {
            out.add(new Member(rs.getString(1), rs.getString(2)));
          }
        }
        return out;
      }
    });
  }

  @Override
  public boolean writeFenced(String name, long token, String value) {
    return tx("fenced write", c -> {
      try (PreparedStatement up = c.prepareStatement("INSERT INTO " + t("coord_register")
          + " AS r (name, value, token) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE"
          + " SET value = excluded.value, token = excluded.token WHERE r.token <= excluded.token")) {
        up.setString(1, name);
        up.setString(2, value);
        up.setLong(3, token);
        return up.executeUpdate() == 1;
      }
    });
  }

  @Override
  public Optional<RegisterValue> read(String name) {
    return tx("register read", c -> {
      try (PreparedStatement q = c.prepareStatement("SELECT value, token FROM " + t("coord_register")
          + " WHERE name = ? AND value IS NOT NULL")) {
        q.setString(1, name);
        try (ResultSet rs = q.executeQuery()) {
          return rs.next() ? Optional.of(new RegisterValue(rs.getString(1), rs.getLong(2))) : Optional.empty();
        }
      }
    });
  }

  @Override
  public Optional<RegisterValue> readFenced(String name, long token) {
    return tx("fenced read", c -> {
      try (PreparedStatement up = c.prepareStatement("INSERT INTO " + t("coord_register")
          + " AS r (name, value, token) VALUES (?, NULL, ?) ON CONFLICT (name) DO UPDATE"
          + " SET token = GREATEST(r.token, excluded.token) RETURNING value, token")) {
        up.setString(1, name);
        up.setLong(2, token);
        try (ResultSet rs = up.executeQuery()) {
          rs.next();
          String v = rs.getString(1);
          return v == null ? Optional.<RegisterValue>empty() : Optional.of(new RegisterValue(v, rs.getLong(2)));
        }
      }
    });
  }

  @Override
  public Instant now() {
    return tx("clock", c -> {
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT " + NOW)) {
        rs.next();
        return Instant.EPOCH.plus(rs.getLong(1), ChronoUnit.MICROS);
      }
    });
  }

  /** Listens (once, on a connection of its own held by a daemon thread) for releases. */
  @Override
  public synchronized void onReleased(Consumer<String> l) {
    listeners.add(l);
    if (listener != null) {
      return;
    }
    Thread t = Thread.ofPlatform().daemon().name("spindle-coordination-listen").unstarted(this::listen);
    listener = t;
    t.start();
  }

  private void listen() {
    while (!closed) {
      try (Connection c = dataSource.getConnection()) {
        c.setAutoCommit(true);
        try (Statement st = c.createStatement()) {
          st.execute("LISTEN " + channel);
        }
        PGConnection pg = c.unwrap(PGConnection.class);
        while (!closed) {
          PGNotification[] ns = pg.getNotifications(500);
          if (ns != null) {
            for (PGNotification n : ns) {
              for (Consumer<String> l : listeners) {
                l.accept(n.getParameter());
              }
            }
          }
        }
      } catch (SQLException e) {
        if (!closed) {
          java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofSeconds(1).toNanos());
        }
      }
    }
  }

  @Override
  public String guarantees() {
    return "postgresql schema " + schema + ": processes on many hosts; leases on the server's clock_timestamp();"
        + " timeout-based; fencing tokens per name, as durable as the database";
  }

  @Override
  public void close() {
    closed = true;
    Thread t = listener;
    if (t != null) {
      try {
        t.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (owned != null) {
      owned.close();
    }
  }
}
