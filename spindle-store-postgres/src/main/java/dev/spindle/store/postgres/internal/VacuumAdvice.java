package dev.spindle.store.postgres.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Advice on the server's autovacuum settings, read when a store opens. Every job leaves dead row
 * versions, and autovacuum visits a database once per {@code autovacuum_naptime} (default 1 min):
 * drain rates fell about 25 % from the second minute with 1 min, not with 10 s (docs/POSTGRES.md).
 * The store never changes these server-wide settings. Stateless, thread-safe.
 */
public final class VacuumAdvice {
  /** The longest naptime that passes without advice, in seconds. */
  public static final int MAX_NAPTIME_SECONDS = 15;

  private VacuumAdvice() {}

  /**
   * One piece of advice.
   *
   * @param serious the tables are never cleaned up (a warning), not merely late (information)
   * @param text what is set, what it does and what to change
   */
  public record Advice(boolean serious, String text) {}

  /** The advice for this server's settings, empty when they suit a busy job table. */
  public static Optional<Advice> read(Db.Conn c) throws SQLException {
    try (ResultSet rs = c.ps("SELECT current_setting('autovacuum')::boolean,"
        + " (SELECT setting::integer FROM pg_settings WHERE name = 'autovacuum_naptime')").executeQuery()) {
      rs.next();
      return advise(rs.getBoolean(1), rs.getInt(2));
    }
  }

  /** The advice for these settings ({@code naptime} in seconds), empty when they suit a busy job table. */
  public static Optional<Advice> advise(boolean autovacuum, int naptime) {
    if (!autovacuum) {
      return Optional.of(new Advice(true, "autovacuum is off on this PostgreSQL server: the job tables' dead rows are never"
          + " cleaned up unless something runs VACUUM, and claims slow down as they pile up"));
    }
    if (naptime > MAX_NAPTIME_SECONDS) {
      return Optional.of(new Advice(false, "autovacuum_naptime is " + naptime + " s on this PostgreSQL server: a busy job table"
          + " collects dead rows for that long between autovacuum visits, which slows claims by about a quarter"
          + " (docs/POSTGRES.md); consider ALTER SYSTEM SET autovacuum_naptime = '10s' and a reload"));
    }
    return Optional.empty();
  }
}
