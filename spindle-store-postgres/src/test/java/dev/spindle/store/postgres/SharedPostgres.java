package dev.spindle.store.postgres;

import dev.spindle.testkit.postgres.PostgresServer;
import java.time.Clock;

/**
 * The PostgreSQL server shared by this module's tests ({@link PostgresServer#shared()}), and stores
 * on it in schemas of their own, so tests never see each other's jobs. Thread-safe.
 */
final class SharedPostgres {
  private SharedPostgres() {}

  /** A builder for a store in a fresh schema {@code prefix_N} of the shared server. */
  static PostgresJobStore.Builder builder(String prefix) {
    PostgresServer pg = PostgresServer.shared();
    return PostgresJobStore.builder(pg.host(), pg.port(), "postgres", pg.user()).password(pg.password())
        .schema(PostgresServer.newSchema(prefix));
  }

  /**
   * Runs SQL in {@code schema} through {@link PostgresServer#psql} (as the superuser; several
   * statements run in one transaction) and returns its output without the search path's SET line.
   */
  static String psql(String schema, String sql) {
    String out = PostgresServer.shared().psql("SET search_path TO " + schema + "; " + sql);
    return out.startsWith("SET\n") ? out.substring(4).strip() : out;
  }

  /** A store in a fresh schema, on {@code clock} (null: the server's clock). */
  static PostgresJobStore open(String prefix, Clock clock) {
    PostgresJobStore.Builder b = builder(prefix);
    if (clock != null) {
      b.clock(clock);
    }
    return b.open();
  }
}
