package dev.spindle.store.postgres;

import dev.spindle.store.postgres.internal.Db;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Properties;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The settings of an open {@link PostgresJobStore}: an immutable copy of its {@link
 * PostgresJobStore.Builder}, and how they become a pgjdbc connection (properties, the schema
 * created if missing). Credentials never appear in {@link #describe()}. {@code nanoTime}: the
 * monotonic clock of claim positions and retention (tests move their own).
 *
 * @param location the location without secrets and without the schema
 * @param url the pgjdbc URL, without credentials
 * @param driverProperties the user, password and options given
 */
record PostgresSettings(String location, String url, Properties driverProperties, @Nullable String schema,
    int maxConnections, boolean notifyOn, @Nullable Duration pollInterval, int maxPayloadBytes, @Nullable Clock clock,
    @Nullable Duration archiveAfter, LongSupplier nanoTime) {

  /** The location without secrets. */
  String describe() {
    return location + (schema == null ? "" : "?schema=" + schema);
  }

  /** The pgjdbc connection properties: the options given over the store's defaults. */
  Properties properties() {
    Properties props = new Properties();
    props.putAll(driverProperties);
    props.putIfAbsent("reWriteBatchedInserts", "true");
    props.putIfAbsent("ApplicationName", "spindle");
    props.putIfAbsent("tcpKeepAlive", "true");
    if (schema != null) {
      props.putIfAbsent("currentSchema", schema);
    }
    // custom plans for every execution: a generic plan of the array joins (sized by the table's
    // statistics, not by the arrays) can turn into a nested loop over every running job per element
    props.setProperty("options", (driverProperties.getProperty("options", "") + " -c plan_cache_mode=force_custom_plan")
        .strip());
    return props;
  }

  /** Creates the {@link #schema} if one is set and it is missing (on a connection of its own). */
  void createSchema() {
    String name = schema;
    if (name == null) {
      return;
    }
    Properties p = properties();
    p.remove("currentSchema");
    try (Connection c = DriverManager.getConnection(url, p);
         Statement st = c.createStatement()) {
      st.execute("CREATE SCHEMA IF NOT EXISTS \"" + name.replace("\"", "\"\"") + "\"");
    } catch (SQLException e) {
      if (!"42P06".equals(e.getSQLState()) && !"23505".equals(e.getSQLState())) {
        throw Db.translate(e, "create schema " + name, location);
      }
    }
  }
}
