package dev.spindle.store.postgres;

import dev.spindle.store.postgres.internal.PgErrors;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The settings of an open {@link PostgresJobStore}: an immutable copy of its {@link
 * PostgresJobStore.Builder}, and how they become a pgjdbc connection (URL, properties, the schema
 * created if missing). Credentials never appear in {@link #describe()}. {@code nanoTime} is the
 * monotonic clock of in-process intervals ({@link ClaimPositions}, {@link PostgresRetention};
 * tests move their own).
 */
record PostgresSettings(String host, int port, String database, String user, @Nullable String password,
    @Nullable String schema, int maxConnections, boolean notifyOn, @Nullable Duration pollInterval,
    int maxPayloadBytes, @Nullable Clock clock, Map<String, String> options, @Nullable Duration archiveAfter,
    LongSupplier nanoTime) {

  /** The location without secrets. */
  String describe() {
    return "postgres://" + host + ":" + port + "/" + database + (schema == null ? "" : "?schema=" + schema);
  }

  /** The pgjdbc URL. */
  String url() {
    return "jdbc:postgresql://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/" + database;
  }

  /** The pgjdbc connection properties. */
  Properties properties() {
    Properties props = new Properties();
    props.setProperty("user", user);
    if (password != null) {
      props.setProperty("password", password);
    }
    props.setProperty("reWriteBatchedInserts", "true");
    props.setProperty("ApplicationName", "spindle");
    props.setProperty("tcpKeepAlive", "true");
    if (schema != null) {
      props.setProperty("currentSchema", schema);
    }
    props.putAll(options);
    // custom plans for every execution: a generic plan of the array joins (sized by the table's
    // statistics, not by the arrays) can turn into a nested loop over every running job per element
    props.setProperty("options", (options.getOrDefault("options", "") + " -c plan_cache_mode=force_custom_plan")
        .strip());
    return props;
  }

  /** Creates the {@link #schema} if one is set and it is missing (on a connection of its own). */
  void createSchema() {
    String name = schema;
    if (name == null) {
      return;
    }
    String url = url();
    Properties p = properties();
    p.remove("currentSchema");
    try (Connection c = DriverManager.getConnection(url, p);
         Statement st = c.createStatement()) {
      st.execute("CREATE SCHEMA IF NOT EXISTS \"" + name.replace("\"", "\"\"") + "\"");
    } catch (SQLException e) {
      if (!"42P06".equals(e.getSQLState()) && !"23505".equals(e.getSQLState())) {
        throw PgErrors.translate(e, "create schema " + name,
            "postgres://" + url.substring("jdbc:postgresql://".length()));
      }
    }
  }
}
