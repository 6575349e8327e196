package dev.spindle.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.StoreException;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.store.sqlite.internal.Schema;
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

/** A job database of a newer schema than this code knows is refused as CANNOT_OPEN and left unchanged. */
class SqliteNewerSchemaTest {
  @TempDir
  Path dir;

  @Test
  void aNewerSchemaIsRefusedAndLeftUnchanged() throws Exception {
    Path file = dir.resolve("newer.db");
    try (SqliteJobStore store = SqliteJobStore.open(file)) {
      Instant now = store.storeTime();
      store.enqueue(List.of(new NewJob("t.x", "{}", "q", 0, now, null, JobPolicy.defaults(), now)));
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
      st.execute("UPDATE spindle_meta SET value = " + (Schema.VERSION + 1) + " WHERE key = 'schema_version'");
      st.execute("ALTER TABLE spindle_jobs DROP COLUMN wait_for"); // as a newer schema might
    }

    assertThatThrownBy(() -> SqliteJobStore.open(file)).isInstanceOfSatisfying(StoreException.class,
        e -> assertThat(e.reason()).isEqualTo(StoreException.Reason.CANNOT_OPEN))
        .hasMessageContaining("newer Spindle").hasMessageContaining(file.toString());
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT (SELECT value FROM spindle_meta WHERE key = 'schema_version'),"
            + " (SELECT count(*) FROM spindle_jobs), (SELECT count(*) FROM pragma_table_info('spindle_jobs')"
            + " WHERE name = 'wait_for')")) {
      rs.next();
      assertThat(List.of(rs.getInt(1), rs.getInt(2), rs.getInt(3))).containsExactly(Schema.VERSION + 1, 1, 0);
    }
  }

  @Test
  void theRefusalNamesBothVersions() throws SQLException {
    Path file = dir.resolve("newer2.db");
    SqliteJobStore.open(file).close();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
      st.execute("UPDATE spindle_meta SET value = 99 WHERE key = 'schema_version'");
    }
    assertThatThrownBy(() -> SqliteJobStore.open(file)).isInstanceOf(StoreException.class)
        .hasMessageContaining("schema 99").hasMessageContaining("understands " + Schema.VERSION);
  }
}
