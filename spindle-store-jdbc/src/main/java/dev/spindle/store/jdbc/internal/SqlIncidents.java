package dev.spindle.store.jdbc.internal;

import dev.spindle.queue.spi.Incident;
import dev.spindle.queue.spi.IncidentLog;
import dev.spindle.store.jdbc.JdbcConn;
import dev.spindle.store.jdbc.JdbcDialect;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@link IncidentLog} of a SQL store, in {@code spindle_incidents}: an open incident holds its
 * {@link Incident.Key#openKey()} in the uniquely indexed {@code open_key} column (NULL once
 * resolved), so a raise is one insert that does nothing if the key is open, and a resolve is one
 * update that only the first resolver's finds open. Times are microseconds as given. Thread-safe.
 *
 * @param <C> the store's connection type
 */
public final class SqlIncidents<C extends JdbcConn> implements IncidentLog {
  private static final String COLUMNS = "id, kind, queue, subject, since, opened_at, resolved_at, details";
  /** Every this many new incidents, the resolved ones beyond {@link IncidentLog#KEPT} are deleted. */
  private static final int TRIM_EVERY = 100;

  private final SqlDb<C> db;
  private final JdbcDialect dialect;

  /** The incidents of the store on {@code db}. */
  public SqlIncidents(SqlDb<C> db, JdbcDialect dialect) {
    this.db = db;
    this.dialect = dialect;
  }

  @Override
  public Raised raise(Incident.Key key, Instant since, String details, Instant now) {
    return db.write("raise an incident " + key.kind() + " on " + key.queue(), c -> {
      PreparedStatement ins = c.ps(dialect.insertIgnoring("spindle_incidents",
          "kind, queue, subject, open_key, since, opened_at, details", "(?, ?, ?, ?, ?, ?, ?)", "open_key"));
      ins.setString(1, key.kind().name());
      ins.setString(2, key.queue());
      ins.setString(3, key.subject());
      ins.setString(4, key.openKey());
      ins.setLong(5, SqlJobRows.micros(since));
      ins.setLong(6, SqlJobRows.micros(now));
      ins.setString(7, Incident.cut(details));
      boolean created = ins.executeUpdate() == 1;
      PreparedStatement sel = c.ps("SELECT " + COLUMNS + " FROM spindle_incidents WHERE open_key = ?");
      sel.setString(1, key.openKey());
      Incident open = one(sel).orElseThrow(() -> new SQLException("the open incident " + key + " was not found"));
      if (created && open.id() % TRIM_EVERY == 0) {
        PreparedStatement trim = c.ps("DELETE FROM spindle_incidents WHERE id <= ? AND open_key IS NULL");
        trim.setLong(1, open.id() - KEPT);
        trim.executeUpdate();
      }
      return new Raised(open, created);
    });
  }

  @Override
  public Optional<Incident> resolve(Incident.Key key, Instant now) {
    return db.write("resolve an incident " + key.kind() + " on " + key.queue(), c -> {
      PreparedStatement sel = c.ps("SELECT " + COLUMNS + " FROM spindle_incidents WHERE open_key = ?");
      sel.setString(1, key.openKey());
      Optional<Incident> open = one(sel);
      if (open.isEmpty()) {
        return Optional.<Incident>empty();
      }
      PreparedStatement upd = c.ps("UPDATE spindle_incidents SET resolved_at = ?, open_key = NULL"
          + " WHERE id = ? AND open_key IS NOT NULL");
      upd.setLong(1, SqlJobRows.micros(now));
      upd.setLong(2, open.get().id());
      return upd.executeUpdate() == 1 ? Optional.of(open.get().resolved(now)) : Optional.<Incident>empty();
    });
  }

  @Override
  public List<Incident> incidents(boolean openOnly, int limit) {
    IncidentLog.checkLimit(limit);
    return db.read("read incidents", c -> {
      PreparedStatement ps = c.ps("SELECT " + COLUMNS + " FROM spindle_incidents"
          + (openOnly ? " WHERE open_key IS NOT NULL" : "") + " ORDER BY id DESC LIMIT ?");
      ps.setInt(1, limit);
      return all(ps);
    });
  }

  @Override
  public Optional<Incident> incident(long id) {
    return db.read("read incident " + id, c -> {
      PreparedStatement ps = c.ps("SELECT " + COLUMNS + " FROM spindle_incidents WHERE id = ?");
      ps.setLong(1, id);
      return one(ps);
    });
  }

  private static Optional<Incident> one(PreparedStatement ps) throws SQLException {
    List<Incident> all = all(ps);
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
  }

  private static List<Incident> all(PreparedStatement ps) throws SQLException {
    List<Incident> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        long resolved = rs.getLong(7);
        Instant resolvedAt = rs.wasNull() ? null : SqlJobRows.instant(resolved);
        out.add(new Incident(rs.getLong(1), Incident.Kind.valueOf(rs.getString(2)), rs.getString(3),
            rs.getString(4), SqlJobRows.instant(rs.getLong(5)), SqlJobRows.instant(rs.getLong(6)), resolvedAt,
            rs.getString(8)));
      }
    }
    return out;
  }
}
