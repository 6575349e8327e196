package dev.spindle.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.store.sqlite.internal.Schema;
import dev.spindle.testkit.store.MigratedDurableJob;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job database of schema 8 (before durable execution: no step, signal or cache tables, no wait
 * columns) is migrated on open: its jobs stay, and a job enqueued before the migration records steps,
 * suspends on a signal and is woken by it.
 */
class SqliteDurableMigrationTest {
  @TempDir
  Path dir;

  @Test
  void aSchemaEightDatabaseGainsDurableExecutionAndKeepsItsJobs() throws SQLException {
    Path file = dir.resolve("old.db");
    String id;
    try (SqliteJobStore store = SqliteJobStore.open(file)) {
      Instant now = store.storeTime();
      id = store.enqueue(List.of(new NewJob("t.old", "{}", "q", 0, now, "old-1", JobPolicy.defaults(), now)))
          .get(0).jobId();
    }
    downgradeToSchemaEight(file);
    assertThat(version(file)).isEqualTo(8);

    try (SqliteJobStore store = SqliteJobStore.open(file)) {
      assertThat(version(file)).isEqualTo(Schema.VERSION);
      MigratedDurableJob.runsDurably(store, id, "old-1");
    }
  }

  /** Takes away what schema 9 added, leaving the schema today's release creates. */
  private static void downgradeToSchemaEight(Path file) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
      st.execute("DROP TRIGGER spindle_jobs_durable_del");
      st.execute("DROP TABLE spindle_job_steps");
      st.execute("DROP TABLE spindle_job_signals");
      st.execute("DROP TABLE spindle_durable_cache");
      st.execute("ALTER TABLE spindle_jobs DROP COLUMN wait_kind");
      st.execute("ALTER TABLE spindle_jobs DROP COLUMN wait_for");
      st.execute("UPDATE spindle_meta SET value = 8 WHERE key = 'schema_version'");
    }
  }

  private static int version(Path file) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT value FROM spindle_meta WHERE key = 'schema_version'")) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
