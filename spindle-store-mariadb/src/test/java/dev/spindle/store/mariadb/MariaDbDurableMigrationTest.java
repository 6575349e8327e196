package dev.spindle.store.mariadb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.testkit.mariadb.MariaDbServer;
import dev.spindle.testkit.store.MigratedDurableJob;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A database of schema 1 (before durable execution: no step, signal or cache tables, no wait
 * columns) is migrated on open: its jobs stay, and a job enqueued before the migration records
 * steps, suspends on a signal and is woken by it.
 */
class MariaDbDurableMigrationTest {
  private static final MariaDbServer DB = MariaDbServer.shared();

  @Test
  void aSchemaOneDatabaseGainsDurableExecutionAndKeepsItsJobs() throws SQLException {
    String database = DB.newDatabase("durable_migration");
    String id;
    try (MariaDbJobStore store = open(database)) {
      Instant now = store.storeTime();
      id = store.enqueue(List.of(new NewJob("t.old", "{}", "q", 0, now, "old-1", JobPolicy.defaults(), now)))
          .get(0).jobId();
    }
    try (Connection c = connect(database)) {
      exec(c, "DROP TRIGGER spindle_jobs_durable_deleted");
      exec(c, "DROP TABLE spindle_job_steps, spindle_job_signals, spindle_durable_cache");
      exec(c, "ALTER TABLE spindle_jobs DROP COLUMN wait_kind, DROP COLUMN wait_for");
      exec(c, "UPDATE spindle_meta SET value = 1 WHERE `key` = 'schema_version'");
      assertThat(MariaDbSchema.version(c)).isEqualTo(1);
    }

    try (MariaDbJobStore store = open(database)) {
      try (Connection c = connect(database)) {
        assertThat(MariaDbSchema.version(c)).isEqualTo(MariaDbSchema.VERSION);
      }
      MigratedDurableJob.runsDurably(store, id, "old-1");
    }
  }

  private static MariaDbJobStore open(String database) {
    return MariaDbJobStore.builder(DB.host(), DB.port(), database, DB.user()).password(DB.password())
        .option("sslMode", "disable").open();
  }

  /** A connection reading SQL as the store writes it ({@code ANSI_QUOTES}). */
  private static Connection connect(String database) throws SQLException {
    Connection c = DriverManager.getConnection(DB.jdbcUrl(database), DB.user(), DB.password());
    exec(c, "SET SESSION sql_mode = CONCAT(@@sql_mode, ',ANSI_QUOTES')");
    return c;
  }

  private static void exec(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }
}
