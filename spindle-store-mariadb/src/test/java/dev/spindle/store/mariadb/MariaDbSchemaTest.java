package dev.spindle.store.mariadb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.queue.StoreException;
import dev.spindle.store.jdbc.JdbcDialect;
import dev.spindle.store.jdbc.SchemaStatus;
import dev.spindle.store.jdbc.internal.ServerClock;
import dev.spindle.store.jdbc.internal.SqlJobRows;
import dev.spindle.testkit.mariadb.MariaDbServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The MariaDB schema on a real server: it migrates once and again without change, refuses a newer
 * one, claims ready jobs in priority order with {@code SKIP LOCKED} along its index, keeps the
 * flow tables' ready counts and a deleted job's rows by triggers; the clock is the server's.
 */
class MariaDbSchemaTest {
  private static final MariaDbServer DB = MariaDbServer.shared();

  @Test
  void migratesOnceAndAgainWithoutChange() throws SQLException {
    try (Connection c = connect(DB.newDatabase("schema"))) {
      assertThat(MariaDbSchema.migrate(c, "test")).isZero();
      assertThat(MariaDbSchema.version(c)).isEqualTo(MariaDbSchema.VERSION);
      assertThat(MariaDbSchema.migrate(c, "test")).isEqualTo(MariaDbSchema.VERSION);
      assertThat(strings(c, "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"
          + " AND table_type = 'BASE TABLE' AND engine <> 'InnoDB'")).isEmpty();
      assertThat(strings(c, "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"
          + " AND table_type = 'BASE TABLE'")).contains("spindle_jobs", "spindle_deps", "spindle_flow_ready",
          "spindle_workers", "spindle_schedules", "spindle_stats", "spindle_audit", "spindle_worker_tasks");
    }
  }

  @Test
  void theStatusOfANewDatabaseListsEveryMigrationAndReadingChangesNothing() {
    MariaDbJobStore.Builder b = SharedMariaDb.builder("status");
    SchemaStatus fresh = b.schemaStatus();
    assertThat(fresh.found()).isZero();
    assertThat(fresh.current()).isEqualTo(MariaDbSchema.VERSION);
    assertThat(fresh.pending()).startsWith("-- version 1").contains("-- version " + MariaDbSchema.VERSION)
        .anySatisfy(sql -> assertThat(sql).startsWith("CREATE TABLE IF NOT EXISTS spindle_jobs"));
    assertThat(b.schemaStatus().found()).as("reading created nothing").isZero();
    try (MariaDbJobStore store = b.open()) {
      SchemaStatus now = b.schemaStatus();
      assertThat(now.found()).isEqualTo(MariaDbSchema.VERSION);
      assertThat(now.pending()).isEmpty();
      assertThat(now.describe()).isEqualTo(store.describe());
    }
  }

  @Test
  void itsStatementsMakeTheSameTablesAsAMigration() throws SQLException {
    String tables = "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"
        + " ORDER BY table_name";
    try (Connection migrated = connect(DB.newDatabase("migrated")); Connection applied = connect(DB.newDatabase(
        "applied"))) {
      MariaDbSchema.migrate(migrated, "test");
      for (String ddl : MariaDbSchema.statements()) {
        exec(applied, ddl);
      }
      assertThat(strings(applied, tables)).isEqualTo(strings(migrated, tables)).hasSizeGreaterThan(15);
    }
  }

  @Test
  void concurrentOpeningsMigrateOnce() throws Exception {
    String db = DB.newDatabase("race");
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<Integer>> found = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        found.add(pool.submit(() -> {
          try (Connection c = connect(db)) {
            return MariaDbSchema.migrate(c, "test");
          }
        }));
      }
      List<Integer> versions = new ArrayList<>();
      for (Future<Integer> f : found) {
        versions.add(f.get(60, TimeUnit.SECONDS));
      }
      assertThat(versions).containsOnlyOnce(0).contains(MariaDbSchema.VERSION);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void refusesANewerSchemaAndChangesNothing() throws SQLException {
    try (Connection c = connect(DB.newDatabase("newer"))) {
      MariaDbSchema.migrate(c, "test");
      exec(c, "UPDATE spindle_meta SET value = " + (MariaDbSchema.VERSION + 1) + " WHERE \"key\" = 'schema_version'");
      assertThatThrownBy(() -> MariaDbSchema.migrate(c, "mariadb://x/y")).isInstanceOf(StoreException.class)
          .hasMessageContaining("newer than this Spindle understands").hasMessageContaining("mariadb://x/y");
      assertThat(MariaDbSchema.version(c)).isEqualTo(MariaDbSchema.VERSION + 1);
    }
  }

  @Test
  void claimsSkipLockedRowsInPriorityOrder() throws SQLException {
    String db = DB.newDatabase("claim");
    try (Connection a = connect(db); Connection b = connect(db)) {
      MariaDbSchema.migrate(a, "test");
      for (int id = 1; id <= 6; id++) {
        insertJob(a, id, "q", id % 2 == 0 ? 5 : 0, SqlJobRows.QUEUED, null);
      }
      insertJob(a, 7, "other", 9, SqlJobRows.QUEUED, null);
      insertJob(a, 8, "q", 9, SqlJobRows.SCHEDULED, null);
      a.setAutoCommit(false);
      b.setAutoCommit(false);
      assertThat(claim(a, 2)).containsExactly(2L, 4L);
      assertThat(claim(b, 3)).containsExactly(6L, 1L, 3L);
      a.commit();
      b.commit();
    }
  }

  @Test
  void triggersKeepReadyCountsPerQueueAndKey() throws SQLException {
    try (Connection c = connect(DB.newDatabase("triggers"))) {
      MariaDbSchema.migrate(c, "test");
      insertJob(c, 1, "q", 0, SqlJobRows.QUEUED, "tenant-a");
      insertJob(c, 2, "q", 0, SqlJobRows.QUEUED, "tenant-a");
      insertJob(c, 3, "q", 0, SqlJobRows.SCHEDULED, "tenant-b");
      assertThat(strings(c, "SELECT CONCAT(\"key\", '=', ready) FROM spindle_flow_ready ORDER BY \"key\""))
          .containsExactly("tenant-a=2");
      exec(c, "UPDATE spindle_jobs SET state = " + SqlJobRows.RUNNING + " WHERE id = 1");
      exec(c, "UPDATE spindle_jobs SET state = " + SqlJobRows.QUEUED + " WHERE id = 3");
      assertThat(strings(c, "SELECT CONCAT(\"key\", '=', ready) FROM spindle_flow_ready ORDER BY \"key\""))
          .containsExactly("tenant-a=1", "tenant-b=1");
      exec(c, "DELETE FROM spindle_jobs WHERE id = 2");
      assertThat(strings(c, "SELECT CONCAT(\"key\", '=', ready) FROM spindle_flow_ready ORDER BY \"key\""))
          .containsExactly("tenant-b=1");
    }
  }

  @Test
  void uniqueKeysCompareAsBytesAndRefuseADuplicate() throws SQLException {
    try (Connection c = connect(DB.newDatabase("unique"))) {
      MariaDbSchema.migrate(c, "test");
      exec(c, "INSERT INTO spindle_jobs (id, task, queue, state, priority, args, unique_key, created_at, run_at,"
          + " policy_id) VALUES (1, 't', 'q', 1, 0, '{}', 'Key', 0, 0, 1), (2, 't', 'q', 1, 0, '{}', 'key', 0, 0, 1)");
      assertThatThrownBy(() -> exec(c, "INSERT INTO spindle_jobs (id, task, queue, state, priority, args, unique_key,"
          + " created_at, run_at, policy_id) VALUES (3, 't', 'q', 1, 0, '{}', 'key', 0, 0, 1)"))
          .isInstanceOfSatisfying(SQLException.class,
              e -> assertThat(MariaDbDialect.INSTANCE.classify(e)).isEqualTo(JdbcDialect.ErrorKind.UNIQUE_VIOLATION));
    }
  }

  @Test
  void aDeadlockIsASerializationFailure() throws Exception {
    String db = DB.newDatabase("deadlock");
    try (Connection a = connect(db); Connection b = connect(db)) {
      exec(a, "CREATE TABLE t (id INT PRIMARY KEY) ENGINE=InnoDB");
      exec(a, "INSERT INTO t VALUES (1), (2)");
      a.setAutoCommit(false);
      b.setAutoCommit(false);
      exec(a, "SELECT id FROM t WHERE id = 1 FOR UPDATE");
      exec(b, "SELECT id FROM t WHERE id = 2 FOR UPDATE");
      CompletableFuture<SQLException> first = CompletableFuture.supplyAsync(() -> attempt(a, 2));
      // b's request closes the cycle: InnoDB aborts one of the two at once
      SQLException second = attempt(b, 1);
      SQLException other = first.get(60, TimeUnit.SECONDS);
      assertThat(second == null ? 0 : 1).as("exactly one of the two is aborted").isNotEqualTo(other == null ? 0 : 1);
      SQLException victim = java.util.Objects.requireNonNull(second != null ? second : other, "the victim");
      assertThat(MariaDbDialect.INSTANCE.classify(victim)).isEqualTo(JdbcDialect.ErrorKind.SERIALIZATION_FAILURE);
      a.rollback();
      b.rollback();
    }
  }

  @Test
  void aKilledSessionIsALostConnection() throws SQLException {
    String db = DB.newDatabase("killed");
    try (Connection a = connect(db); Connection b = connect(db)) {
      long id = Long.parseLong(strings(a, "SELECT CONNECTION_ID()").get(0));
      exec(b, "KILL " + id);
      assertThatThrownBy(() -> strings(a, "SELECT 1")).isInstanceOfSatisfying(SQLException.class,
          e -> assertThat(MariaDbDialect.INSTANCE.classify(e)).isEqualTo(JdbcDialect.ErrorKind.CONNECTION_LOST));
    }
  }

  @Test
  void theClockIsTheServersInMicroseconds() throws SQLException {
    try (Connection c = connect(MariaDbServer.DATABASE)) {
      long before = Long.parseLong(strings(c, "SELECT CAST(UNIX_TIMESTAMP(SYSDATE(6)) * 1000000 AS SIGNED)").get(0));
      long now = ServerClock.read(c, MariaDbDb.NOW_MICROS);
      exec(c, "SET time_zone = '+05:00'");
      long later = ServerClock.read(c, MariaDbDb.NOW_MICROS);
      assertThat(now).isGreaterThanOrEqualTo(before);
      assertThat(later).isGreaterThanOrEqualTo(now).isLessThan(now + 60_000_000L);
    }
  }

  private static @Nullable SQLException attempt(Connection c, int id) {
    try {
      exec(c, "SELECT id FROM t WHERE id = " + id + " FOR UPDATE");
      return null;
    } catch (SQLException e) {
      return e;
    }
  }

  private static Connection connect(String db) throws SQLException {
    Connection c = DriverManager.getConnection(DB.jdbcUrl(db), DB.user(), DB.password());
    exec(c, "SET SESSION sql_mode = CONCAT(@@sql_mode, ',ANSI_QUOTES')");
    c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
    return c;
  }

  private static void insertJob(Connection c, long id, String queue, int priority, int state,
      @Nullable String flowKey)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO spindle_jobs (id, task, queue, state, priority, args,"
        + " created_at, run_at, policy_id, flow_key) VALUES (?, 't', ?, ?, ?, '{}', 0, 0, 1, ?)")) {
      ps.setLong(1, id);
      ps.setString(2, queue);
      ps.setInt(3, state);
      ps.setInt(4, priority);
      ps.setString(5, flowKey);
      ps.executeUpdate();
    }
  }

  private static List<Long> claim(Connection c, int limit) throws SQLException {
    List<Long> ids = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT id FROM spindle_jobs FORCE INDEX (spindle_jobs_ready)"
        + " WHERE state = ? AND queue = ? ORDER BY priority DESC, id LIMIT ? FOR UPDATE SKIP LOCKED")) {
      ps.setInt(1, SqlJobRows.QUEUED);
      ps.setString(2, "q");
      ps.setInt(3, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getLong(1));
        }
      }
    }
    return ids;
  }

  private static List<String> strings(Connection c, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  private static void exec(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }
}
