package dev.spindle.store.jdbc.internal;

import dev.spindle.queue.StoreException;
import dev.spindle.store.jdbc.JdbcDialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Brings a SQL store's schema up to the version its code writes: under the schema's lock, the
 * version found is read; a newer one is refused with {@link StoreException.Reason#CANNOT_OPEN} and
 * nothing changed; else each migration from the found version + 1 runs in order and the version is
 * recorded (after each migration where DDL commits on its own, once at the end where the caller's
 * transaction holds it all); then the lock is released. The statements and the hooks are the
 * dialect module's ({@link Schema}). Stateless.
 */
public final class SqlMigrations {
  private SqlMigrations() {}

  /**
   * A database's versioned schema: its migrations (data) and how it reads, locks and records its
   * version (hooks). Immutable.
   *
   * @param <C> the connection the migrations run on
   */
  public abstract static class Schema<C> {
    private final List<List<String>> migrations;
    private final boolean transactionalDdl;

    /**
     * @param migrations the statements of each version in order: element {@code v - 1} takes the
     *     schema from version {@code v - 1} to {@code v}, so the current version is their number
     * @param transactionalDdl whether DDL takes part in the caller's transaction (then the version
     *     is recorded once, at the end); false where each statement commits on its own (then after
     *     each migration, so that a failed run resumes where it stopped)
     */
    protected Schema(List<List<String>> migrations, boolean transactionalDdl) {
      this.migrations = List.copyOf(migrations);
      this.transactionalDdl = transactionalDdl;
    }

    /** The schema version this code writes and understands: the number of migrations. */
    public final int version() {
      return migrations.size();
    }

    /** The statements that take the schema from version {@code version - 1} to {@code version}. */
    public final List<String> migration(int version) {
      return migrations.get(version - 1);
    }

    /** The schema version the database holds, 0 if it has none. */
    public abstract int found(C c) throws SQLException;

    /** Runs one statement of a migration. */
    protected abstract void execute(C c, String sql) throws SQLException;

    /** Records {@code version} as the database's schema version. */
    protected abstract void record(C c, int version) throws SQLException;

    /**
     * Takes the lock that keeps other processes from migrating at the same time: by default none
     * (the caller's transaction serializes them).
     *
     * @param where the store's location, for messages
     */
    protected void lock(C c, String where) throws SQLException {}

    /** Releases {@link #lock}'s lock, if it outlives the transaction. Default: nothing. */
    protected void unlock(C c) throws SQLException {}

    /** The message refusing schema version {@code found}, newer than {@link #version()}, of the store at {@code where}. */
    public String newer(String where, int found) {
      return "the job store " + where + " has schema version " + found + ", newer than this Spindle understands ("
          + version() + "); it was left unchanged: upgrade Spindle";
    }
  }

  /**
   * A schema that keeps its version in the row {@code schema_version} of {@code spindle_meta} (the
   * table every SQL store has), migrated on a plain JDBC connection: the version is read and
   * recorded in standard SQL with the dialect's upsert, statements run one by one. A database adds
   * only its migrations, how it tells whether {@code spindle_meta} exists, and its lock. Immutable.
   */
  public abstract static class MetaSchema extends Schema<Connection> {
    private final String metaExists;
    private final String recordVersion;

    /**
     * @param migrations as {@link Schema#Schema}
     * @param transactionalDdl as {@link Schema#Schema}
     * @param dialect the database's dialect, for its upsert
     * @param metaExists a query of one row whose first column is true if {@code spindle_meta} exists
     */
    protected MetaSchema(List<List<String>> migrations, boolean transactionalDdl, JdbcDialect dialect,
        String metaExists) {
      super(migrations, transactionalDdl);
      this.metaExists = metaExists;
      this.recordVersion = "INSERT INTO spindle_meta (\"key\", value) VALUES ('schema_version', ?)"
          + dialect.onConflictUpdate("\"key\"") + "value = " + dialect.proposed("value");
    }

    /** Every statement of every migration, in order: the whole schema for an empty database. */
    public final List<String> statements() {
      List<String> out = new ArrayList<>();
      for (int v = 1; v <= version(); v++) {
        out.addAll(migration(v));
      }
      return List.copyOf(out);
    }

    /** The version in {@code spindle_meta}, 0 if the table or the row is missing. */
    @Override
    public final int found(Connection c) throws SQLException {
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(metaExists)) {
        if (!rs.next() || !rs.getBoolean(1)) {
          return 0;
        }
      }
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT value FROM spindle_meta WHERE \"key\" = 'schema_version'")) {
        return rs.next() ? (int) rs.getLong(1) : 0;
      }
    }

    @Override
    protected final void execute(Connection c, String sql) throws SQLException {
      try (Statement st = c.createStatement()) {
        st.execute(sql);
      }
    }

    @Override
    protected final void record(Connection c, int version) throws SQLException {
      try (PreparedStatement ps = c.prepareStatement(recordVersion)) {
        ps.setLong(1, version);
        ps.executeUpdate();
      }
    }
  }

  /**
   * The statements that take a schema from version {@code found} to its current version, each
   * version's preceded by a comment line {@code -- version N}; empty if {@code found} is current or
   * newer.
   */
  public static List<String> pending(Schema<?> schema, int found) {
    List<String> out = new ArrayList<>();
    for (int v = Math.max(found, 0) + 1; v <= schema.version(); v++) {
      out.add("-- version " + v);
      out.addAll(schema.migration(v));
    }
    return out;
  }

  /**
   * Migrates the schema on {@code c} to its current version.
   *
   * @param where the store's location, for messages
   * @return the version found before migrating
   * @throws StoreException CANNOT_OPEN if the schema is newer than this code knows (nothing is changed)
   * @throws SQLException if a statement fails
   */
  public static <C> int migrate(C c, Schema<C> schema, String where) throws SQLException {
    schema.lock(c, where);
    try {
      int found = schema.found(c);
      if (found > schema.version()) {
        throw new StoreException(StoreException.Reason.CANNOT_OPEN, schema.newer(where, found));
      }
      for (int v = found + 1; v <= schema.version(); v++) {
        for (String sql : schema.migration(v)) {
          schema.execute(c, sql);
        }
        if (!schema.transactionalDdl || v == schema.version()) {
          schema.record(c, v);
        }
      }
      return found;
    } finally {
      schema.unlock(c);
    }
  }
}
