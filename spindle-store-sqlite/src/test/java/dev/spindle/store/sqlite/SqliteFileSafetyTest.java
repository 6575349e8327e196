package dev.spindle.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.queue.DependencyPolicy;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobStores;
import dev.spindle.queue.StoreException;
import dev.spindle.queue.WorkflowInput;
import dev.spindle.queue.spi.Dependency;
import dev.spindle.queue.spi.NewJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store's own files: private permissions, and refusing files that are
 * not (or not fully) Spindle's. Real files, real SQLite.
 */
class SqliteFileSafetyTest {
  private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

  @TempDir
  Path dir;

  private static NewJob job(String args) {
    return new NewJob("t.echo", args, JobOptions.DEFAULT_QUEUE, 0, NOW, null, JobPolicy.defaults(), NOW);
  }

  private static String perms(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  @Test
  void aNewStoreIsPrivateDirectoriesFilesWalAndShm() throws Exception {
    Path f = dir.resolve("data/nested/spindle.db");
    try (SqliteJobStore store = SqliteJobStore.open(f)) {
      store.enqueue(List.of(job("\"secret\"")));
      assertThat(perms(dir.resolve("data"))).isEqualTo("rwx------");
      assertThat(perms(dir.resolve("data/nested"))).isEqualTo("rwx------");
      assertThat(perms(f)).isEqualTo("rw-------");
      assertThat(perms(dir.resolve("data/nested/spindle.db-wal"))).isEqualTo("rw-------");
      assertThat(perms(dir.resolve("data/nested/spindle.db-shm"))).isEqualTo("rw-------");
    }
  }

  @Test
  void aStoreOthersCanReadIsRefusedOnRequestAndOtherwiseOpens() throws Exception {
    Path f = dir.resolve("open.db");
    try (SqliteJobStore store = SqliteJobStore.open(f)) {
      store.enqueue(List.of(job("1")));
    }
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> SqliteJobStore.builder(f).requirePrivate(true).open())
        .isInstanceOf(StoreException.class).hasMessageContaining("can be read by other users")
        .hasMessageContaining("chmod 600");
    assertThatThrownBy(() -> JobStores.open("sqlite:" + f + "?requirePrivate=true"))
        .isInstanceOf(StoreException.class).hasMessageContaining("can be read by other users");
    try (SqliteJobStore store = SqliteJobStore.open(f)) {
      assertThat(store.find("1")).isPresent(); // warned, not refused
    }
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    try (SqliteJobStore store = SqliteJobStore.builder(f).requirePrivate(true).open()) {
      assertThat(store.find("1")).isPresent();
    }
  }

  @Test
  void anotherApplicationsDatabaseIsRefusedAndLeftUnchanged() throws Exception {
    Path f = dir.resolve("app.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)");
      st.execute("INSERT INTO customers (name) VALUES ('Ada')");
    }
    assertThatThrownBy(() -> SqliteJobStore.open(f)).isInstanceOf(StoreException.class)
        .hasMessageContaining("belongs to another application").hasMessageContaining("customers");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT group_concat(name) FROM sqlite_master WHERE type = 'table'")) {
      rs.next();
      assertThat(rs.getString(1)).isEqualTo("customers");
    }
  }

  @Test
  void anOlderSchemaIsCheckedByItsColumnsNotJustStamped() throws Exception {
    Path f = dir.resolve("old.db");
    try (SqliteJobStore store = SqliteJobStore.open(f)) {
      store.enqueue(List.of(job("1")));
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f); Statement st = c.createStatement()) {
      // an older layout: the finished feed's column did not exist yet, nor the version stamp
      st.execute("DROP INDEX spindle_jobs_finished");
      st.execute("ALTER TABLE spindle_jobs DROP COLUMN finish_seq");
      st.execute("DELETE FROM spindle_meta WHERE key = 'schema_version'");
    }
    assertThatThrownBy(() -> SqliteJobStore.open(f)).isInstanceOf(StoreException.class)
        .hasMessageContaining("older or different schema").hasMessageContaining("spindle_jobs lacks finish_seq");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT count(*) FROM spindle_meta WHERE key = 'schema_version'")) {
      rs.next();
      assertThat(rs.getInt(1)).as("not stamped current").isZero();
    }
  }

  @Test
  void aVersion2DatabaseGainsTheTraceContextTableAndKeepsItsJobs() throws Exception {
    Path f = dir.resolve("v2.db");
    try (SqliteJobStore store = SqliteJobStore.open(f)) {
      store.enqueue(List.of(job("1")));
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f); Statement st = c.createStatement()) {
      st.execute("DROP TRIGGER spindle_jobs_trace_del");
      st.execute("DROP TABLE spindle_trace");
      st.execute("UPDATE spindle_meta SET value = 2 WHERE key = 'schema_version'");
    }
    String ctx = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    try (SqliteJobStore store = SqliteJobStore.open(f)) {
      assertThat(store.find("1")).get().extracting(JobInfo::traceContext).isNull();
      String id = store.enqueue(List.of(job("2").withTraceContext(ctx))).get(0).jobId();
      assertThat(store.find(id)).get().extracting(JobInfo::traceContext).isEqualTo(ctx);
    }
    assertThat(schemaVersion(f)).isEqualTo(dev.spindle.store.sqlite.internal.Schema.VERSION);
  }

  /**
   * Schema 7 moved the trace contexts out of the job rows: a version-6 database (contexts in
   * {@code spindle_jobs.trace_context}, compact and text forms) keeps every job's context, loses
   * the column, and new jobs and deletions use the table.
   */
  @Test
  void aVersion6DatabaseMovesItsTraceContextsOutOfTheJobRows() throws Exception {
    Path f = dir.resolve("v6.db");
    String compact = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    String text = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01;vendor=x";
    List<String> ids;
    try (SqliteJobStore store = SqliteJobStore.open(f)) {
      ids = store.enqueue(List.of(job("1").withTraceContext(compact), job("2").withTraceContext(text), job("3")))
          .stream().map(r -> r.jobId()).toList();
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f); Statement st = c.createStatement()) {
      // the layout of version 6: the context in the job's row, no table
      st.execute("ALTER TABLE spindle_jobs ADD COLUMN trace_context TEXT");
      st.execute("UPDATE spindle_jobs SET trace_context = (SELECT context FROM spindle_trace t WHERE t.id = spindle_jobs.id)");
      st.execute("DROP TRIGGER spindle_jobs_trace_del");
      st.execute("DROP TABLE spindle_trace");
      st.execute("UPDATE spindle_meta SET value = 6 WHERE key = 'schema_version'");
    }
    try (SqliteJobStore store = SqliteJobStore.open(f)) {
      assertThat(store.find(ids.get(0))).get().extracting(JobInfo::traceContext).isEqualTo(compact);
      assertThat(store.find(ids.get(1))).get().extracting(JobInfo::traceContext).isEqualTo(text);
      assertThat(store.find(ids.get(2))).get().extracting(JobInfo::traceContext).isNull();
    }
    assertThat(schemaVersion(f)).isEqualTo(dev.spindle.store.sqlite.internal.Schema.VERSION);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f); Statement st = c.createStatement()) {
      assertThat(number(st, "SELECT count(*) FROM pragma_table_info('spindle_jobs')"
          + " WHERE name = 'trace_context'")).as("the column is gone").isZero();
      assertThat(number(st, "SELECT count(*) FROM spindle_trace")).as("the two contexts, moved").isEqualTo(2);
      st.execute("DELETE FROM spindle_jobs");
      assertThat(number(st, "SELECT count(*) FROM spindle_trace")).as("deleted jobs take their contexts along").isZero();
    }
  }

  /**
   * Schema 8: a deleted job no longer takes the dependency edges from it along (they hold its end
   * for its dependents); a version-7 database loses the old trigger.
   */
  @Test
  void aVersion7DatabaseKeepsTheEdgesFromADeletedJob() throws Exception {
    Path f = dir.resolve("v7.db");
    List<String> ids;
    try (SqliteJobStore store = SqliteJobStore.open(f)) {
      ids = store.enqueue(List.of(job("1"), job("2").dependingOn(
          List.of(Dependency.onBatchJob(0, DependencyPolicy.REQUIRE_SUCCESS)), WorkflowInput.ARGS)))
          .stream().map(r -> r.jobId()).toList();
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f); Statement st = c.createStatement()) {
      // the trigger of version 7
      st.execute("DROP TRIGGER spindle_jobs_deps_deleted");
      st.execute("CREATE TRIGGER spindle_jobs_deleted AFTER DELETE ON spindle_jobs"
          + " WHEN EXISTS (SELECT 1 FROM spindle_deps) BEGIN"
          + " DELETE FROM spindle_deps WHERE child = old.id; DELETE FROM spindle_deps WHERE parent = old.id;"
          + " DELETE FROM spindle_waits WHERE id = old.id; END");
      st.execute("UPDATE spindle_meta SET value = 7 WHERE key = 'schema_version'");
    }
    try (SqliteJobStore store = SqliteJobStore.open(f)) {
      assertThat(store.find(ids.get(1))).isPresent();
    }
    assertThat(schemaVersion(f)).isEqualTo(dev.spindle.store.sqlite.internal.Schema.VERSION);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f); Statement st = c.createStatement()) {
      assertThat(number(st, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'"
          + " AND name = 'spindle_jobs_deleted'")).as("the old trigger is gone").isZero();
      st.execute("DELETE FROM spindle_jobs WHERE id = " + ids.get(0));
      assertThat(number(st, "SELECT count(*) FROM spindle_deps WHERE parent = " + ids.get(0))).as("the edge from the deleted job stays with its dependent").isEqualTo(1);
      st.execute("DELETE FROM spindle_jobs WHERE id = " + ids.get(1));
      assertThat(number(st, "SELECT (SELECT count(*) FROM spindle_deps)"
          + " + (SELECT count(*) FROM spindle_waits)")).as("the dependent takes its edges and wait along").isZero();
    }
  }

  /** The one number a query answers. */
  private static int number(Statement st, String sql) throws Exception {
    try (ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private static int schemaVersion(Path f) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f); Statement st = c.createStatement()) {
      return number(st, "SELECT value FROM spindle_meta WHERE key = 'schema_version'");
    }
  }
}
